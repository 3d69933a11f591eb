"""AWS::AutoScaling::ScalingPolicy: the CFN form of a scaling policy.

Same receiver URL as ``OS::Heat::ScalingPolicy`` (attribute ``AlarmUrl``); as in Heat, the
policy's ``Ref`` is that URL too, so legacy ``AlarmActions: [{Ref: policy}]`` keep working.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.scaling_policy import (
    ScalingPolicyHandler)


class AwsScalingPolicyHandler(ScalingPolicyHandler):
    """A scaling policy of an ``AWS::AutoScaling::AutoScalingGroup``."""

    type_name = "AWS::AutoScaling::ScalingPolicy"
    attributes = ("AlarmUrl", "show")
    adjustment_type_prop = "AdjustmentType"
    min_step_prop = "MinAdjustmentStep"
    percent = "PercentChangeInCapacity"

    def ref(self, obj: Any, physical_id: str) -> str:
        """Heat's AWS policy: ``Ref`` is the alarm URL."""
        return self.url(obj)
