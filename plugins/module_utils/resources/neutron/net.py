"""OS::Neutron::Net."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import NeutronTagged, value_specs


class NetHandler(NeutronTagged):
    """A Neutron network, tagged with its stack and logical name."""

    type_name = "OS::Neutron::Net"
    delete_rank = 6
    sdk_noun, sdk_plural = "network", "networks"
    applied_defaults = ("admin_state_up", "value_specs")
    attributes = ("status", "name", "subnets", "admin_state_up", "tenant_id", "port_security_enabled",
                  "mtu", "qos_policy_id", "l2_adjacency", "segments", "show")
    observed = frozenset({"name", "admin_state_up", "shared", "port_security_enabled", "tags"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        return out

    def _body(self, props: Mapping[str, Any]) -> dict:
        body = {
            "name": props.get("name"),
            "is_admin_state_up": props.get("admin_state_up"),
            "is_shared": props.get("shared"),
            "is_port_security_enabled": props.get("port_security_enabled"),
            "dns_domain": props.get("dns_domain"),
            "qos_policy_id": self.resolve_id("qos_policy", props.get("qos_policy")),
            "project_id": props.get("tenant_id"),
            "availability_zone_hints": props.get("availability_zone_hints"),
        }
        body.update(value_specs(props))
        return body

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        return self.create_tagged(logical, self._body(props), props.get("tags"), on_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        attr = {"name": "name", "admin_state_up": "is_admin_state_up", "shared": "is_shared",
                "port_security_enabled": "is_port_security_enabled", "dns_domain": "dns_domain",
                "qos_policy": "qos_policy_id"}
        body = self.update_body(self._body(props), attr, changed, ("project_id", "availability_zone_hints"))
        return self.fetch(self.update_tagged(obj, logical, props, changed, body).id)

    def observe(self, obj: Any) -> dict:
        return {
            "name": obj.name,
            "admin_state_up": obj.is_admin_state_up,
            "shared": obj.is_shared,
            "port_security_enabled": obj.is_port_security_enabled,
            "tags": ownership.user_tags(obj.tags),
        }

    def attrs(self, obj: Any) -> dict:
        out = super().attrs(obj)
        out.update({"admin_state_up": obj.is_admin_state_up, "subnets": list(obj.subnet_ids or []),
                    "port_security_enabled": obj.is_port_security_enabled, "tenant_id": obj.project_id})
        return out
