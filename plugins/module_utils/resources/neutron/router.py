"""OS::Neutron::Router."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import NeutronTagged, value_specs
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override


class RouterHandler(NeutronTagged):
    """A Neutron router (optionally with an external gateway), tagged."""

    type_name = "OS::Neutron::Router"
    delete_rank = 5
    sdk_noun, sdk_plural = "router", "routers"
    schema_overrides = {
        "availability_zone_hints": Override(update_allowed=False,
                                            reason="Neutron takes availability zone hints only when a router is created"),
        "l3_agent_id": Override(update_allowed=False,
                                reason="the handler does not move routers between L3 agents in place"),
    }
    applied_defaults = ("admin_state_up", "value_specs")
    attributes = ("status", "external_gateway_info", "name", "admin_state_up", "tenant_id", "show")
    observed = frozenset({"name", "admin_state_up", "tags", "external_gateway_info"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        gw = out.get("external_gateway_info")
        if gw:
            out["external_gateway_info"] = {"network": self.resolve_id("network", gw.get("network"))}
            for key in ("enable_snat", "external_fixed_ips"):
                if gw.get(key) is not None:
                    out["external_gateway_info"][key] = gw[key]
        return out

    def _gateway(self, props: Mapping[str, Any]) -> dict | None:
        gw = props.get("external_gateway_info")
        if not gw:
            return None
        body = {"network_id": self.resolve_id("network", gw.get("network"))}
        if gw.get("enable_snat") is not None:
            body["enable_snat"] = gw["enable_snat"]
        if gw.get("external_fixed_ips"):
            body["external_fixed_ips"] = [
                {k: (self.resolve_id("subnet", v) if k == "subnet" else v) for k, v in ip.items()}
                for ip in gw["external_fixed_ips"]]
            for ip in body["external_fixed_ips"]:
                if "subnet" in ip:
                    ip["subnet_id"] = ip.pop("subnet")
        return body

    def _body(self, props: Mapping[str, Any]) -> dict:
        body = {"name": props.get("name"), "is_admin_state_up": props.get("admin_state_up"),
                "external_gateway_info": self._gateway(props)}
        body.update(value_specs(props))
        return body

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = self._body(props)
        body.update({"is_distributed": props.get("distributed"), "is_ha": props.get("ha"),
                     "availability_zone_hints": props.get("availability_zone_hints")})
        return self.create_tagged(logical, body, props.get("tags"), on_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        full = self._body(props)
        if full["external_gateway_info"] is None:
            full["external_gateway_info"] = {}  # removes the gateway
        attr = {"name": "name", "admin_state_up": "is_admin_state_up",
                "external_gateway_info": "external_gateway_info"}
        body = self.update_body(full, attr, changed)
        return self.fetch(self.update_tagged(obj, logical, props, changed, body).id)

    def observe(self, obj: Any) -> dict:
        gw = obj.external_gateway_info or None
        observed_gw = None
        if gw:
            observed_gw = {"network": gw.get("network_id")}
            if "enable_snat" in gw:
                observed_gw["enable_snat"] = gw["enable_snat"]
        return {"name": obj.name, "admin_state_up": obj.is_admin_state_up,
                "tags": ownership.user_tags(obj.tags), "external_gateway_info": observed_gw}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool:
        """Gateway: compare only the keys the template gives."""
        if prop == "external_gateway_info" and desired and observed:
            return all(observed.get(k) == v for k, v in desired.items() if k != "external_fixed_ips")
        return None

    def attrs(self, obj: Any) -> dict:
        out = super().attrs(obj)
        out.update({"admin_state_up": obj.is_admin_state_up, "tenant_id": obj.project_id})
        return out

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        """Detach the router's interfaces first (a router with interfaces cannot be deleted)."""
        router = self.fetch(physical_id)
        if router is None:
            return
        for port in self.call_list(self.conn.network.ports, device_id=physical_id,
                                   device_owner="network:router_interface"):
            self.delete_ignoring_missing(self.conn.network.remove_interface_from_router, router, port=port.id)
        super().delete(physical_id, obj, policy)
