"""OS::Keystone::Role (marked with extra attributes; admin cloud)."""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import KeystoneHandler


class RoleHandler(KeystoneHandler):
    """A Keystone role; ``domain`` makes it a domain-specific role (replace only, as in Heat)."""

    type_name = "OS::Keystone::Role"
    kind = "role"
    collection = "roles"
    attributes = ("show",)
    observed = frozenset({"name", "domain"})
    fields = {"name": "name", "domain": "domain_id"}

    def observe(self, obj: Any) -> dict:
        return {"name": obj.get("name"), "domain": obj.get("domain_id")}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "name":
            return str(desired or "").lower() == str(observed or "").lower()  # Keystone: case-insensitive
        return None

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        return super().update(obj, logical, props, changed & {"name"})
