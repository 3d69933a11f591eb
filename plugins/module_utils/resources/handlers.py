"""Registry of the resource types the engine knows (explicit, no discovery).

``HANDLERS``: the types ``os_heatlike_stack`` converges, each with its handler class.
``TYPE_KNOWLEDGE``: types it does not converge but whose Heat facts (implicit dependencies,
a nested template) the resolver still applies. Adding a type is its file plus one entry here; look types up
through ``resources.get_handler`` / ``resources.get_resource_type``.
"""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aodh.alarm import AODH_HANDLERS
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.autoscaling_group import (
    AwsAutoScalingGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.cloudformation_stack import (
    CloudFormationStackType)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.launch_configuration import (
    LaunchConfigurationHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.s3_bucket import S3BucketHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.scaling_policy import AwsScalingPolicyHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Handler, ResourceType
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.cinder.volume import VolumeHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.cinder.volume_attachment import (
    VolumeAttachmentHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.autoscaling_group import (
    AutoScalingGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.none import NoneHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.random_string import RandomStringHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.resource_group import ResourceGroupHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.scaling_policy import ScalingPolicyHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.software_config import (
    CloudConfigHandler, MultipartMimeHandler, SoftwareConfigHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.test_resource import TestResourceHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.value import ValueHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.domain import DomainHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.group import GroupHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.group_role_assignment import (
    GroupRoleAssignmentHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.project import ProjectHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.role import RoleHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.user import UserHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.user_role_assignment import (
    UserRoleAssignmentHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.floating_ip import FloatingIPHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.floating_ip_association import (
    FloatingIPAssociationHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.floating_ip_port_forward import (
    FloatingIPPortForwardType)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.net import NetHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.port import PortHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.router import RouterHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.router_gateway import RouterGatewayType
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.router_interface import (
    RouterInterfaceHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group import (
    SecurityGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group_rule import (
    SecurityGroupRuleHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.subnet import SubnetHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova.keypair import KeyPairHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova.server import ServerHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova.server_group import ServerGroupHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.swift.container import ContainerHandler

HANDLERS: dict[str, type[Handler]] = {cls.type_name: cls for cls in (
    NetHandler, SubnetHandler, PortHandler, RouterHandler, RouterInterfaceHandler, SecurityGroupHandler,
    SecurityGroupRuleHandler, FloatingIPHandler, FloatingIPAssociationHandler, ServerHandler,
    KeyPairHandler, ServerGroupHandler, VolumeHandler, VolumeAttachmentHandler, RandomStringHandler,
    ValueHandler, NoneHandler, TestResourceHandler, SoftwareConfigHandler, CloudConfigHandler,
    MultipartMimeHandler, ResourceGroupHandler, AutoScalingGroupHandler, ScalingPolicyHandler,
    AwsAutoScalingGroupHandler, LaunchConfigurationHandler, AwsScalingPolicyHandler,
    DomainHandler, ProjectHandler, RoleHandler, GroupHandler, UserHandler, UserRoleAssignmentHandler,
    GroupRoleAssignmentHandler, ContainerHandler, S3BucketHandler,
    *AODH_HANDLERS,
)}


#: known, not converged: ``get_handler`` stays None for these
TYPE_KNOWLEDGE: dict[str, type[ResourceType]] = {cls.type_name: cls for cls in (
    RouterGatewayType, FloatingIPPortForwardType, CloudFormationStackType,
)}
