"""OS::Keystone::Project (marked with project tags; admin cloud)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Found
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import (
    KeystoneHandler, keystone_tag, plain_tag)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override


class ProjectHandler(KeystoneHandler):
    """A Keystone project, found by its ``heatlike-stack`` tag (one filtered list call).

    ``domain`` and ``parent`` replace the project: Keystone refuses to move a project to
    another domain (Heat declares ``domain`` update-allowed, and its update fails there).
    """

    type_name = "OS::Keystone::Project"
    marking = "tags"
    kind = "project"
    collection = "projects"
    schema_overrides = {
        "domain": Override(update_allowed=False,
                           reason="Keystone refuses to move a project to another domain: it is replaced"),
    }
    applied_defaults = ("domain", "description", "enabled", "tags")
    attributes = ("name", "parent_id", "domain_id", "enabled", "is_domain", "show")
    observed = frozenset({"name", "description", "enabled", "domain", "tags"})
    fields = {"name": "name", "domain": "domain_id", "description": "description", "enabled": "enabled",
              "parent": "parent_id"}

    def tags_of(self, obj: Mapping[str, Any]) -> list[str]:
        """The project's tags, decoded."""
        return [plain_tag(t) for t in obj.get("tags") or []]

    def marks(self, logical: str) -> dict:
        return {}

    def logical_of(self, obj: Mapping[str, Any] | None) -> str | None:
        if not isinstance(obj, Mapping):
            return None
        return ownership.logical_from_tags(self.ctx.stack_name, self.tags_of(obj), [])

    def list_params(self) -> dict:
        return {"tags": keystone_tag(ownership.stack_tag(self.ctx.stack_name))}

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        wanted = list(wanted)
        found = super().list_owned(wanted)
        out = []
        for item in found:
            logical = ownership.logical_from_tags(self.ctx.stack_name, self.tags_of(item.obj), wanted)
            out.append(Found(logical or item.logical, item.physical_id, item.obj))
        return out

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        if out.get("parent"):
            out["parent"] = self.ref_id("project", out["parent"])
        out["tags"] = ownership.user_tags(out.get("tags"))
        return out

    def _tags(self, logical: str, user_tags: Any) -> list[str]:
        return [keystone_tag(t) for t in ownership.tags_for(self.ctx.stack_name, logical, user_tags)]

    def create_body(self, logical: str, props: Mapping[str, Any]) -> dict:
        body = super().create_body(logical, props)
        body["tags"] = self._tags(logical, props.get("tags"))
        return body

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        body = {attr: props.get(prop) for prop, attr in self.fields.items()
                if prop in changed and prop in ("name", "description", "enabled")}
        if "tags" in changed:
            body["tags"] = self._tags(logical, props.get("tags"))
        return self.patch(obj, body) if body else obj

    def unmark(self, physical_id: str) -> None:
        obj = self.fetch(physical_id)
        if obj is not None:
            self.patch(obj, {"tags": [keystone_tag(t) for t in ownership.user_tags(self.tags_of(obj))]})

    def observe(self, obj: Any) -> dict:
        return {"name": obj.get("name"), "description": obj.get("description"), "enabled": obj.get("enabled"),
                "domain": obj.get("domain_id"), "tags": ownership.user_tags(self.tags_of(obj))}

    def show(self, obj: Mapping[str, Any]) -> dict:
        plain = super().show(obj)
        plain["tags"] = ownership.user_tags(self.tags_of(obj))
        return plain
