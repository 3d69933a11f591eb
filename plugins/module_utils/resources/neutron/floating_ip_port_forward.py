"""OS::Neutron::FloatingIPPortForward: known for its implicit dependencies only.

``os_heatlike_stack`` does not converge it (no handler); templates using it still resolve
with Heat's dependency graph.
"""

from __future__ import annotations

from typing import Any, Iterable

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import ResourceType
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.implicit import interfaces_behind_ports


class FloatingIPPortForwardType(ResourceType):
    """A port forwarding of a floating IP to an internal port."""

    type_name = "OS::Neutron::FloatingIPPortForward"

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> Iterable[str]:
        """As Heat: the router interface on the subnet of the internal port's first fixed IP."""
        return interfaces_behind_ports(resource, index, floating_ip=False)
