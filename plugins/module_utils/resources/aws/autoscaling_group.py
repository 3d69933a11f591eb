"""AWS::AutoScaling::AutoScalingGroup: the CFN form, a scaling group of Nova servers.

Members are ``OS::Nova::Server`` built from the group's ``LaunchConfigurationName`` (an
``AWS::AutoScaling::LaunchConfiguration`` of the same stack): ImageId -> image,
InstanceType -> flavor, KeyName -> key_name, UserData -> user_data (as given),
SecurityGroups -> security_groups, NovaSchedulerHints -> scheduler_hints, the group's
``Tags`` -> metadata (plus ``metering.AutoScalingGroupName`` and ``metering.server_group`` =
the group's reference, which migrated ``AutoScalingGroupName`` alarms select instances by),
``VPCZoneIdentifier`` (one subnet) -> the server's network. Sizes and
the recorded capacity follow the HOT group (``MinSize``, ``MaxSize``, ``DesiredCapacity``).
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.launch_configuration import CACHE_PREFIX
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.autoscaling_group import (
    AutoScalingGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override

MEMBER_TYPE = "OS::Nova::Server"
#: the record's pseudo-property holding the launch configuration the members are built from
LAUNCH_CONFIGURATION = "launch_configuration"
#: the record's pseudo-property holding the members' Nova metadata (the group's Tags and marks)
SERVER_METADATA = "server_metadata"


def _pairs(items: Any) -> dict:
    return {str(i.get("Key")): i.get("Value") for i in items or [] if isinstance(i, Mapping)}


#: Heat replaces the group when these change; here they do not shape the members, so the
#: group converges in place as it does for every other change
_IN_PLACE = Override(update_allowed=True, reason="the group converges its members in place; this property does not shape them")


class AwsAutoScalingGroupHandler(AutoScalingGroupHandler):
    """A scaling group of servers described by a launch configuration."""

    type_name = "AWS::AutoScaling::AutoScalingGroup"
    member_definition = None
    schema_overrides = {
        "AvailabilityZones": _IN_PLACE,
        "InstanceId": _IN_PLACE,
        "HealthCheckGracePeriod": _IN_PLACE,
        "HealthCheckType": _IN_PLACE,
        "LoadBalancerNames": _IN_PLACE,
        "VPCZoneIdentifier": _IN_PLACE,
        "Tags": _IN_PLACE,
    }
    applied_defaults = ()  # the HOT group's rolling_updates is not a property of this type
    attributes = ("InstanceList", "show")
    member_key = LAUNCH_CONFIGURATION
    group_label = "an AWS::AutoScaling::AutoScalingGroup"
    size_props = ("MinSize", "MaxSize", "DesiredCapacity")

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        if bool(props.get("InstanceId")) == bool(props.get("LaunchConfigurationName")):
            raise HandlerError("Either 'InstanceId' or 'LaunchConfigurationName' must be provided.")
        if props.get("InstanceId"):
            raise HandlerError("InstanceId is not supported by os_heatlike_stack: use a LaunchConfiguration")
        if props.get("VPCZoneIdentifier") and len(props["VPCZoneIdentifier"]) != 1:
            raise HandlerError("Anything other than one VPCZoneIdentifier is not supported")
        out = super().desired(logical, props)
        ref = out.get("LaunchConfigurationName")
        with self.ctx.lock:
            conf = self.ctx.cache.get(CACHE_PREFIX + str(ref))
        if conf is None:
            raise HandlerError(f"LaunchConfigurationName '{ref}' is no AWS::AutoScaling::LaunchConfiguration "
                               "of this stack")
        # the configuration the members are built from goes into the record with the group
        out[LAUNCH_CONFIGURATION] = dict(conf)
        # Heat tags the servers with the group (cfn-push-stats dimensions); the migrated alarms
        # select the group's instances by Gnocchi's server_group (Nova metadata metering.server_group)
        ref = self.local_id(logical)
        out[SERVER_METADATA] = {**_pairs(out.get("Tags")), "metering.AutoScalingGroupName": ref,
                                "metering.server_group": ref}
        return out

    @classmethod
    def update_allowed(cls, prop: str) -> bool:
        return prop in (LAUNCH_CONFIGURATION, SERVER_METADATA) or super().update_allowed(prop)

    def _member_def(self, props: Mapping[str, Any]) -> dict:
        return {"type": MEMBER_TYPE, "properties": {}}

    def _member_props(self, props: Mapping[str, Any], index: int) -> dict:
        conf = props.get(LAUNCH_CONFIGURATION) or {}
        server = {"image": conf.get("ImageId"), "flavor": conf.get("InstanceType"), "key_name": conf.get("KeyName"),
                  "user_data": conf.get("UserData"), "security_groups": conf.get("SecurityGroups"),
                  "scheduler_hints": _pairs(conf.get("NovaSchedulerHints")) or None,
                  "metadata": props.get(SERVER_METADATA) or _pairs(props.get("Tags")) or None}
        if props.get("VPCZoneIdentifier"):
            server["networks"] = [{"subnet": props["VPCZoneIdentifier"][0]}]
        return {k: v for k, v in server.items() if v not in (None, "", [])}

    def attribute(self, obj: Any, name: str) -> Any:
        if name == "InstanceList":
            members = sorted((obj.get("members") or {}), key=int)
            return ",".join(str(self._member_attr(obj, k, "first_address") or "") for k in members) or None
        if name == "show":
            return super().attribute(obj, name)
        raise HandlerError(f"{self.type_name} has no attribute '{name}'")
