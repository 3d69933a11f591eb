"""OS::Keystone::Domain (marked with extra attributes; admin cloud)."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import KeystoneHandler


class DomainHandler(KeystoneHandler):
    """A Keystone domain. Keystone deletes only disabled domains: delete disables first."""

    type_name = "OS::Keystone::Domain"
    kind = "domain"
    collection = "domains"
    applied_defaults = ("enabled",)
    attributes = ("show",)
    observed = frozenset({"name", "description", "enabled"})
    fields = {"name": "name", "description": "description", "enabled": "enabled"}

    def observe(self, obj: Any) -> dict:
        return {"name": obj.get("name"), "description": obj.get("description"), "enabled": obj.get("enabled")}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        current = self.fetch(physical_id)
        if current is None:
            return
        if current.get("enabled", True):
            self.patch(current, {"enabled": False})
        super().delete(physical_id, current, policy)
