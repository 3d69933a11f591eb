"""OS::Neutron::SecurityGroupRule (marked in its description)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found

_MATCH = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
          "remote_ip_prefix", "remote_group_id")


class SecurityGroupRuleHandler(CloudHandler):
    """One rule of a security group. Rules are immutable: every change replaces."""

    type_name = "OS::Neutron::SecurityGroupRule"
    delete_rank = 3
    marking = "description"
    create_before_delete = False  # Neutron refuses two identical rules
    applied_defaults = ("direction", "ethertype")
    attributes = ("show",)

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["security_group"] = self.resolve_id("security_group", out.get("security_group"))
        if out.get("remote_group"):
            out["remote_group"] = self.resolve_id("security_group", out["remote_group"])
        if out.get("protocol") is not None:
            out["protocol"] = str(out["protocol"])
        return out

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        found = []
        for rule in self.call_list(self.conn.network.security_group_rules):
            logical = ownership.logical_from_description(self.ctx.stack_name, rule.description)
            if logical and "/" not in logical:  # "<group>/<index>": a ResourceGroup member's rule
                found.append(Found(logical, rule.id, rule))
        return found

    def _body(self, logical: str, props: Mapping[str, Any]) -> dict:
        return {
            "security_group_id": props.get("security_group"),
            "description": props.get("description") or ownership.description_mark(self.ctx.stack_name, logical),
            "direction": props.get("direction"),
            "ether_type": props.get("ethertype"),
            "port_range_min": props.get("port_range_min"),
            "port_range_max": props.get("port_range_max"),
            "protocol": props.get("protocol"),
            "remote_group_id": props.get("remote_group"),
            "remote_ip_prefix": props.get("remote_ip_prefix"),
        }

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        """A rule with a user description: match its attributes in the group."""
        d = self.desired(logical, props)
        want = self._body(logical, d)
        for rule in self.call_list(self.conn.network.security_group_rules, security_group_id=d["security_group"]):
            if all(str(getattr(rule, k, None)) == str(want[k]) for k in
                   ("direction", "ether_type", "port_range_min", "port_range_max", "protocol",
                    "remote_group_id", "remote_ip_prefix")):
                return Found(logical, rule.id, rule)
        return None

    def fetch(self, physical_id: str) -> Any:
        return self.fetch_or_none(self.conn.network.get_security_group_rule, physical_id)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = {k: v for k, v in self._body(logical, props).items() if v is not None}
        obj = self.call(self.conn.network.create_security_group_rule, retry_conflict=False, **body)
        on_id(obj.id)
        return obj

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.delete_ignoring_missing(self.conn.network.delete_security_group_rule, physical_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        raise NotImplementedError("security group rules are replaced, never updated")
