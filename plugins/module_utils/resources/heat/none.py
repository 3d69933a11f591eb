"""OS::Heat::None: accepts any properties and does nothing."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import LocalHandler


class NoneHandler(LocalHandler):
    """A placeholder resource (used to switch resources off from the environment)."""

    type_name = "OS::Heat::None"

    @classmethod
    def update_allowed(cls, prop: str) -> bool:
        return True

    def attrs(self, obj: Any) -> dict:
        return {}

    def attribute(self, obj: Any, name: str) -> Any:
        if name == "show":
            return dict(obj.get("props") or {})
        return None
