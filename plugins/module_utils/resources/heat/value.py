"""OS::Heat::Value: a value computed inside the stack."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import LocalHandler


class ValueHandler(LocalHandler):
    """Holds ``value``; ``get_attr: [x, value]`` reads it."""

    type_name = "OS::Heat::Value"
    attributes = ("value", "show")

    def attrs(self, obj: Any) -> dict:
        return {"value": (obj.get("props") or {}).get("value")}
