"""OS::Keystone::Group (marked with extra attributes; admin cloud)."""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import (
    KeystoneHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override


class GroupHandler(KeystoneHandler):
    """A Keystone group and its ``roles`` (project or domain assignments).

    ``domain`` replaces the group (Keystone refuses to move it; Heat says update-allowed).
    Deleting the group deletes its assignments (Keystone does).
    """

    type_name = "OS::Keystone::Group"
    kind = "group"
    collection = "groups"
    schema_overrides = {
        "domain": Override(update_allowed=False,
                           reason="Keystone refuses to move a group to another domain: it is replaced"),
    }
    applied_defaults = ("domain", "description")
    attributes = ("show",)
    observed = frozenset({"name", "description", "domain", "roles"})
    fields = {"name": "name", "domain": "domain_id", "description": "description"}

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["roles"] = self.normalize_roles(out.get("roles"))
        return out

    def after_create(self, obj: dict, logical: str, props: Mapping[str, Any]) -> Any:
        if props.get("roles"):
            self.apply_roles("group", obj["id"], props["roles"], None)
        return obj

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        return super().update(obj, logical, props, changed - {"domain"})

    def after_update(self, obj: dict, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        if "roles" in changed:
            self.apply_roles("group", obj["id"], props.get("roles"), self.previous(logical).get("roles"))
        return obj

    def observe(self, obj: Any) -> dict:
        return {"name": obj.get("name"), "description": obj.get("description"), "domain": obj.get("domain_id"),
                "roles": self.roles_view("group", obj["id"], self.logical_of(obj))}
