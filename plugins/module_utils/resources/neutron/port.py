"""OS::Neutron::Port."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import NeutronOnNetwork, value_specs
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex, first_prop, reference_key
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.implicit import NETWORK, subnets_on_network


class PortHandler(NeutronOnNetwork):
    """A Neutron port, tagged with its stack and logical name."""

    type_name = "OS::Neutron::Port"
    delete_rank = 3

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> list[str]:
        """As Heat: a port waits for every subnet of its network."""
        return subnets_on_network(index, reference_key(first_prop(resource.properties, *NETWORK)))

    sdk_noun, sdk_plural = "port", "ports"
    # a fixed IP or MAC of the old port would clash with the new one
    create_before_delete = False
    schema_overrides = {
        "no_fixed_ips": Override(update_allowed=False,
                                 reason="the handler applies no_fixed_ips only when it creates the port"),
    }
    applied_defaults = ("admin_state_up", "value_specs", "replacement_policy")
    attributes = ("admin_state_up", "device_id", "device_owner", "fixed_ips", "mac_address", "name",
                  "network_id", "security_groups", "status", "tenant_id", "allowed_address_pairs",
                  "subnets", "port_security_enabled", "dns_assignment", "qos_policy_id", "show")
    observed = frozenset({"name", "admin_state_up", "tags", "security_groups"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        if out.get("security_groups") is not None:
            out["security_groups"] = sorted(self.resolve_id("security_group", g) for g in out["security_groups"])
        return out

    def _fixed_ips(self, props: Mapping[str, Any]) -> list | None:
        items = props.get("fixed_ips")
        if items is None:
            return None
        out = []
        for item in items:
            entry = {}
            subnet = item.get("subnet") or item.get("subnet_id")
            if subnet:
                entry["subnet_id"] = self.resolve_id("subnet", subnet)
            if item.get("ip_address"):
                entry["ip_address"] = item["ip_address"]
            out.append(entry)
        return out

    def _mutable(self, props: Mapping[str, Any]) -> dict:
        body = {
            "name": props.get("name"),
            "is_admin_state_up": props.get("admin_state_up"),
            "fixed_ips": self._fixed_ips(props),
            "security_group_ids": props.get("security_groups"),
            "device_id": props.get("device_id"),
            "device_owner": props.get("device_owner"),
            "allowed_address_pairs": props.get("allowed_address_pairs"),
            "binding_vnic_type": props.get("binding:vnic_type"),
            "is_port_security_enabled": props.get("port_security_enabled"),
            "qos_policy_id": self.resolve_id("qos_policy", props.get("qos_policy")),
            "dns_name": props.get("dns_name"),
            "propagate_uplink_status": props.get("propagate_uplink_status"),
        }
        body.update(value_specs(props))
        return body

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = self._mutable(props)
        body["network_id"] = self.resolve_id("network", props.get("network") or props.get("network_id"))
        body["mac_address"] = props.get("mac_address")
        return self.create_tagged(logical, body, props.get("tags"), on_id)

    _ATTR = {"name": "name", "admin_state_up": "is_admin_state_up", "fixed_ips": "fixed_ips",
             "security_groups": "security_group_ids", "device_id": "device_id", "device_owner": "device_owner",
             "allowed_address_pairs": "allowed_address_pairs", "binding:vnic_type": "binding_vnic_type",
             "port_security_enabled": "is_port_security_enabled", "qos_policy": "qos_policy_id",
             "dns_name": "dns_name", "propagate_uplink_status": "propagate_uplink_status"}

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        body = self.update_body(self._mutable(props), self._ATTR, changed)
        if "security_groups" in changed and body.get("security_group_ids") is None:
            body["security_group_ids"] = []
        obj = self.update_tagged(obj, logical, props, changed, body, changed - {"tags", "replacement_policy"})
        return self.fetch(obj.id)

    def observe(self, obj: Any) -> dict:
        return {
            "name": obj.name,
            "admin_state_up": obj.is_admin_state_up,
            "tags": ownership.user_tags(obj.tags),
            "security_groups": sorted(obj.security_group_ids or []),
        }

    def attrs(self, obj: Any) -> dict:
        out = super().attrs(obj)
        out.update({
            "admin_state_up": obj.is_admin_state_up,
            "security_groups": list(obj.security_group_ids or []),
            "port_security_enabled": obj.is_port_security_enabled,
            "subnets": sorted({ip.get("subnet_id") for ip in (obj.fixed_ips or [])}),
            "tenant_id": obj.project_id,
        })
        return out
