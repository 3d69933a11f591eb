"""AWS::CloudFormation::Stack: known for its nested template only.

``os_heatlike_stack`` does not converge it (no handler); offline, the template named by
``TemplateURL`` is resolved as a nested stack with ``Parameters``.
"""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import ResourceType


class CloudFormationStackType(ResourceType):
    """A nested stack in the CFN form."""

    type_name = "AWS::CloudFormation::Stack"
    template_url = ("TemplateURL", "Parameters")
