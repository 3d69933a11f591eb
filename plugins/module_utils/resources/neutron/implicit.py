"""Implicit dependencies shared by Neutron types (Heat's ``add_dependencies`` rules).

The rules themselves live in each type's file; this holds the lookups several of them make.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import (
    StackIndex,
    first_prop,
    reference_key,
)

SUBNET = "OS::Neutron::Subnet"
PORT = "OS::Neutron::Port"
ROUTER = "OS::Neutron::Router"
ROUTER_INTERFACE = "OS::Neutron::RouterInterface"
ROUTER_GATEWAY = "OS::Neutron::RouterGateway"

#: the property naming a subnet's (port's, gateway's) network
NETWORK = ("network", "network_id")


def subnets_on_network(index: StackIndex, network: Any) -> list[str]:
    """The subnets whose network has the reference key ``network``."""
    return index.on(SUBNET, NETWORK, network)


def interfaces_behind_ports(resource: Any, index: StackIndex, floating_ip: bool) -> list[str]:
    """RouterInterfaces on the subnet of a Port that ``resource`` already depends on.

    As Heat (offline): a port without ``fixed_ips`` matches only interfaces whose subnet
    is unknown, and only for a FloatingIP; an association looks at the first fixed IP.
    """
    by_subnet = index.keyed(ROUTER_INTERFACE, ("subnet", "subnet_id"))
    if not by_subnet:
        return []
    found: list[str] = []
    for d in sorted(resource.depends_on - resource.implicit_depends_on):
        if index.type_of(d) != PORT:
            continue
        fixed = first_prop(index.resources[d].properties, "fixed_ips")
        if not fixed or not isinstance(fixed, list):
            if floating_ip:
                found.extend(by_subnet.get(None, []))
            continue
        for fx in fixed if floating_ip else fixed[:1]:
            sub = first_prop(fx, "subnet", "subnet_id") if isinstance(fx, dict) else None
            found.extend(by_subnet.get(reference_key(sub), []))
    return found
