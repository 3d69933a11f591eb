"""OS::Neutron::Subnet."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import NeutronOnNetwork, value_specs


class SubnetHandler(NeutronOnNetwork):
    """A Neutron subnet, tagged with its stack and logical name."""

    type_name = "OS::Neutron::Subnet"
    delete_rank = 4
    sdk_noun, sdk_plural = "subnet", "subnets"
    # cidr cannot overlap the old subnet on the same network: delete before create
    create_before_delete = False
    applied_defaults = ("ip_version", "enable_dhcp", "dns_nameservers", "value_specs")
    attributes = ("name", "network_id", "tenant_id", "allocation_pools", "gateway_ip", "host_routes",
                  "ip_version", "cidr", "dns_nameservers", "enable_dhcp", "segment_id", "show")
    observed = frozenset({"name", "enable_dhcp", "dns_nameservers", "tags", "cidr"})

    def _mutable(self, props: Mapping[str, Any]) -> dict:
        body = {
            "name": props.get("name"),
            "is_dhcp_enabled": props.get("enable_dhcp"),
            "dns_nameservers": props.get("dns_nameservers"),
            "allocation_pools": props.get("allocation_pools"),
            "host_routes": props.get("host_routes"),
            "segment_id": props.get("segment"),
        }
        if "gateway_ip" in props:
            body["gateway_ip"] = props["gateway_ip"]
        body.update(value_specs(props))
        return body

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = self._mutable(props)
        body.update({
            "network_id": self.resolve_id("network", props.get("network") or props.get("network_id")),
            "cidr": props.get("cidr"),
            "ip_version": props.get("ip_version"),
            "ipv6_address_mode": props.get("ipv6_address_mode"),
            "ipv6_ra_mode": props.get("ipv6_ra_mode"),
            "subnet_pool_id": self.resolve_id("subnetpool", props.get("subnetpool")),
            "prefix_length": props.get("prefixlen"),
            "project_id": props.get("tenant_id"),
        })
        if props.get("gateway_ip") == "":
            body["gateway_ip"] = None
        return self.create_tagged(logical, body, props.get("tags"), on_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        attr = {"name": "name", "enable_dhcp": "is_dhcp_enabled", "dns_nameservers": "dns_nameservers",
                "allocation_pools": "allocation_pools", "host_routes": "host_routes", "segment": "segment_id",
                "gateway_ip": "gateway_ip"}
        body = self.update_body(self._mutable(props), attr, changed)
        return self.fetch(self.update_tagged(obj, logical, props, changed, body).id)

    def observe(self, obj: Any) -> dict:
        return {
            "name": obj.name,
            "enable_dhcp": obj.is_dhcp_enabled,
            "dns_nameservers": list(obj.dns_nameservers or []),
            "tags": ownership.user_tags(obj.tags),
            "cidr": obj.cidr,
        }

    def attrs(self, obj: Any) -> dict:
        out = super().attrs(obj)
        out.update({"enable_dhcp": obj.is_dhcp_enabled, "tenant_id": obj.project_id})
        return out

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        """Detach router interfaces on the subnet first, then delete (409 in use is retried)."""
        subnet = self.fetch(physical_id)
        if subnet is None:
            return
        for port in self.call_list(self.conn.network.ports, network_id=subnet.network_id,
                                   device_owner="network:router_interface"):
            if any(ip.get("subnet_id") == physical_id for ip in port.fixed_ips or []):
                self.delete_ignoring_missing(self.conn.network.remove_interface_from_router, port.device_id,
                                             subnet=physical_id)
        super().delete(physical_id, obj, policy)
