"""Registry of the resource types ``os_heatlike_stack`` converges (explicit, no discovery)."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aodh_alarm import AODH_HANDLERS
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws_autoscaling_group import (
    AwsAutoScalingGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws_launch_configuration import (
    LaunchConfigurationHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws_scaling_policy import AwsScalingPolicyHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.cinder_volume import VolumeHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.cinder_volume_attachment import (
    VolumeAttachmentHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_autoscaling_group import (
    AutoScalingGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_none import NoneHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_random_string import RandomStringHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_resource_group import ResourceGroupHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_scaling_policy import ScalingPolicyHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_software_config import (
    CloudConfigHandler, MultipartMimeHandler, SoftwareConfigHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_test_resource import TestResourceHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat_value import ValueHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_domain import DomainHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_group import GroupHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_group_role_assignment import (
    GroupRoleAssignmentHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_project import ProjectHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_role import RoleHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_user import UserHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone_user_role_assignment import (
    UserRoleAssignmentHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_floating_ip import FloatingIPHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_floating_ip_association import (
    FloatingIPAssociationHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_net import NetHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_port import PortHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_router import RouterHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_router_interface import (
    RouterInterfaceHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_security_group import (
    SecurityGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_security_group_rule import (
    SecurityGroupRuleHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron_subnet import SubnetHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova_keypair import KeyPairHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova_server import ServerHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova_server_group import ServerGroupHandler

HANDLERS: dict[str, type[Handler]] = {cls.type_name: cls for cls in (
    NetHandler, SubnetHandler, PortHandler, RouterHandler, RouterInterfaceHandler, SecurityGroupHandler,
    SecurityGroupRuleHandler, FloatingIPHandler, FloatingIPAssociationHandler, ServerHandler,
    KeyPairHandler, ServerGroupHandler, VolumeHandler, VolumeAttachmentHandler, RandomStringHandler,
    ValueHandler, NoneHandler, TestResourceHandler, SoftwareConfigHandler, CloudConfigHandler,
    MultipartMimeHandler, ResourceGroupHandler, AutoScalingGroupHandler, ScalingPolicyHandler,
    AwsAutoScalingGroupHandler, LaunchConfigurationHandler, AwsScalingPolicyHandler,
    DomainHandler, ProjectHandler, RoleHandler, GroupHandler, UserHandler, UserRoleAssignmentHandler,
    GroupRoleAssignmentHandler,
    *AODH_HANDLERS,
)}


def handler_class(type_name: str) -> type[Handler] | None:
    """The handler class converging ``type_name``, or None when the type is not supported."""
    return HANDLERS.get(type_name)
