"""OS::Neutron::FloatingIP."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import NeutronTagged, value_specs
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex, first_prop, reference_key
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.implicit import (
    NETWORK, ROUTER, ROUTER_GATEWAY, interfaces_behind_ports)


class FloatingIPHandler(NeutronTagged):
    """A floating IP from an external network, optionally bound to a port."""

    type_name = "OS::Neutron::FloatingIP"
    delete_rank = 1

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> list[str]:
        """As Heat: a floating IP waits for the router gateways and the routers (with an external
        gateway) on its floating network, and for the router interfaces on its port's subnets."""
        fnet = reference_key(first_prop(resource.properties, "floating_network", "floating_network_id"))
        found = list(index.on(ROUTER_GATEWAY, NETWORK, fnet))
        found.extend(index.on(ROUTER, NETWORK, fnet, within="external_gateway_info"))
        found.extend(interfaces_behind_ports(resource, index, floating_ip=True))
        return found

    sdk_noun, sdk_plural = "ip", "ips"
    schema_overrides = {
        "dns_name": Override(update_allowed=False,
                             reason="the handler sets the DNS name only when it creates the floating IP"),
        "dns_domain": Override(update_allowed=False,
                               reason="the handler sets the DNS domain only when it creates the floating IP"),
        "value_specs": Override(update_allowed=True,
                                reason="the handler sends value_specs with every floating IP update"),
    }
    applied_defaults = ("value_specs",)
    attributes = ("router_id", "tenant_id", "floating_network_id", "fixed_ip_address",
                  "floating_ip_address", "port_id", "show")
    observed = frozenset({"port_id", "tags"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        net = out.pop("floating_network_id", None) or out.get("floating_network")
        out["floating_network"] = self.resolve_id("network", net)
        if out.get("port_id"):
            out["port_id"] = self.resolve_id("port", out["port_id"])
        return out

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = {
            "floating_network_id": props.get("floating_network"),
            "subnet_id": self.resolve_id("subnet", props.get("floating_subnet")),
            "port_id": props.get("port_id"),
            "fixed_ip_address": props.get("fixed_ip_address"),
            "floating_ip_address": props.get("floating_ip_address"),
            "dns_name": props.get("dns_name"),
            "dns_domain": props.get("dns_domain"),
        }
        body.update(value_specs(props))
        return self.create_tagged(logical, body, props.get("tags"), on_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        if changed & {"port_id", "fixed_ip_address", "value_specs"}:
            body = {"port_id": props.get("port_id"), "fixed_ip_address": props.get("fixed_ip_address")}
            body.update(value_specs(props))
            obj = self.call(self.conn.network.update_ip, obj, **body)
        if "tags" in changed:
            self.update_tags(obj, logical, props.get("tags"))
        return self.fetch(obj.id)

    def observe(self, obj: Any) -> dict:
        return {"port_id": obj.port_id, "tags": ownership.user_tags(obj.tags)}

    def attrs(self, obj: Any) -> dict:
        out = super().attrs(obj)
        out["tenant_id"] = obj.project_id
        return out
