"""OS::Neutron::SecurityGroup (with inline rules)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import NeutronTagged
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override

_RULE_KEYS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
              "remote_ip_prefix", "remote_group_id")


class SecurityGroupHandler(NeutronTagged):
    """A security group whose ``rules`` are converged as a set."""

    type_name = "OS::Neutron::SecurityGroup"
    delete_rank = 5
    sdk_noun, sdk_plural = "security_group", "security_groups"
    schema_overrides = {
        "stateful": Override(update_allowed=False,
                             reason="the handler sets statefulness only when it creates the group"),
    }
    applied_defaults = ("rules",)
    attributes = ("show",)
    observed = frozenset({"name", "description", "rules", "tags"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        if props.get("rules") is None:
            out.pop("rules", None)  # not managed: standalone SecurityGroupRule resources may add rules
        else:
            out["rules"] = sorted((self._norm(r, None) for r in props.get("rules") or []), key=repr)
        return out

    def _norm(self, rule: Mapping[str, Any], own_id: str | None) -> dict:
        """One rule in a canonical form (Heat's defaults: ingress, IPv4)."""
        remote_mode = rule.get("remote_mode") or "remote_ip_prefix"
        out = {
            "direction": rule.get("direction") or "ingress",
            "ethertype": rule.get("ethertype") or "IPv4",
            "protocol": rule.get("protocol"),
            "port_range_min": rule.get("port_range_min"),
            "port_range_max": rule.get("port_range_max"),
            "remote_ip_prefix": rule.get("remote_ip_prefix"),
            "remote_group_id": rule.get("remote_group_id"),
        }
        if remote_mode == "remote_group_id":
            out["remote_ip_prefix"] = None
            if out["remote_group_id"] is None:
                out["remote_group_id"] = own_id or "self"
        if out["protocol"] is not None:
            out["protocol"] = str(out["protocol"])
        for key in ("port_range_min", "port_range_max"):
            if out[key] is not None:
                out[key] = int(out[key])
        if out["remote_ip_prefix"] in ("0.0.0.0/0", "::/0") and out["remote_group_id"] is None:
            out["remote_ip_prefix"] = None
        return out

    @staticmethod
    def _key(rule: Mapping[str, Any]) -> tuple:
        return tuple(str(rule.get(k)) for k in _RULE_KEYS)

    def _observed_rules(self, obj: Any, want_egress: bool) -> dict:
        rules = {}
        for r in obj.security_group_rules or []:
            if str(r.get("description") or "").startswith(ownership.DESCRIPTION_PREFIX):
                continue  # an OS::Neutron::SecurityGroupRule resource's rule, not one of ``rules``
            norm = self._norm(r, None)
            if norm["remote_group_id"] == obj.id:
                norm["remote_group_id"] = "self"
            if not want_egress and norm["direction"] == "egress" and norm["protocol"] is None \
                    and norm["remote_ip_prefix"] is None and norm["remote_group_id"] is None:
                continue  # Neutron's default egress rules
            rules[self._key(norm)] = (r.get("id"), norm)
        return rules

    def _sync_rules(self, obj: Any, rules: list) -> None:
        want = {}
        for r in rules:
            norm = dict(r)
            want[self._key(norm)] = norm
        want_egress = any(r["direction"] == "egress" for r in want.values())
        have = self._observed_rules(obj, want_egress)
        for key, (rule_id, _norm) in have.items():
            if key not in want:
                self.delete_ignoring_missing(self.conn.network.delete_security_group_rule, rule_id)
        for key, rule in want.items():
            if key in have:
                continue
            body = {k: v for k, v in rule.items() if v is not None}
            body["ether_type"] = body.pop("ethertype", "IPv4")
            if body.get("remote_group_id") == "self":
                body["remote_group_id"] = obj.id
            self.call(self.conn.network.create_security_group_rule, security_group_id=obj.id,
                      retry_conflict=False, **body)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = {"name": props.get("name"), "description": props.get("description")}
        obj = self.create_tagged(logical, body, props.get("tags"), on_id)
        if props.get("rules") is not None:
            self._sync_rules(obj, props.get("rules") or [])
        return self.fetch(obj.id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        body = {"name": props.get("name"), "description": props.get("description") or ""}
        obj = self.update_tagged(obj, logical, props, changed, body, changed & {"name", "description"})
        if "rules" in changed:
            self._sync_rules(obj, props.get("rules") or [])
        return self.fetch(obj.id)

    def observe(self, obj: Any) -> dict:
        return {"name": obj.name, "description": obj.description,
                "tags": ownership.user_tags(obj.tags), "rules": obj}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "description" and not desired:
            return True
        if prop != "rules":
            return None
        want_egress = any(r["direction"] == "egress" for r in desired or [])
        have = self._observed_rules(observed, want_egress)
        return set(have) == {self._key(r) for r in desired or []}

    def observed_value(self, prop: str, value: Any) -> Any:
        """The JSON-able form of an observed property (for diffs)."""
        if prop == "rules":
            return sorted((pair[1] for pair in self._observed_rules(value, True).values()), key=repr)
        return value
