"""OS::Neutron::RouterGateway: known for its implicit dependencies only.

``os_heatlike_stack`` does not converge it (no handler); templates using it still resolve
with Heat's dependency graph.
"""

from __future__ import annotations

from typing import Any, Iterable

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import ResourceType
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import (
    StackIndex,
    first_prop,
    reference_key,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.implicit import (
    NETWORK,
    ROUTER_GATEWAY,
    ROUTER_INTERFACE,
    subnets_on_network,
)


class RouterGatewayType(ResourceType):
    """A router's external gateway as a resource of its own."""

    type_name = ROUTER_GATEWAY

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> Iterable[str]:
        """As Heat: the gateway waits for the interfaces on its router and the subnets of its
        network."""
        props = resource.properties
        found = list(index.on(ROUTER_INTERFACE, ("router", "router_id"),
                              reference_key(first_prop(props, "router_id", "router"))))
        found.extend(subnets_on_network(index, reference_key(first_prop(props, *NETWORK))))
        return found
