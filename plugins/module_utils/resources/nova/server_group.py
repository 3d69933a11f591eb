"""OS::Nova::ServerGroup (identified by a deterministic name)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found


class ServerGroupHandler(CloudHandler):
    """A Nova server group; name defaults to ``<stack>-<logical>``."""

    type_name = "OS::Nova::ServerGroup"
    delete_rank = 3
    marking = "name"
    applied_defaults = ("policies",)
    attributes = ("show",)
    observed = frozenset({"policies"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        return out

    def _groups(self) -> list:
        return self.ctx.cached("server_groups", lambda: self.call_list(self.conn.compute.server_groups))

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        names = {ownership.default_name(self.ctx.stack_name, w): w for w in wanted}
        return [Found(names[g.name], g.id, g) for g in self._groups() if g.name in names]

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        name = self.name_for(logical, props)
        for g in self._groups():
            if g.name == name:
                return Found(logical, g.id, g)
        return None

    def created_at(self, obj: Any) -> str | None:
        """Nova shows no creation time of a server group: of several copies named
        ``<stack>-<logical>`` (Nova does not keep names unique) the lowest id is kept."""
        return None

    def fetch(self, physical_id: str) -> Any:
        return self.fetch_or_none(self.conn.compute.get_server_group, physical_id)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        policies = list(props.get("policies") or ["anti-affinity"])
        body: dict[str, Any] = {"name": props["name"], "policies": policies}
        if props.get("rules"):
            body["rules"] = dict(props["rules"])
        obj = self.call(self.conn.compute.create_server_group, retry_conflict=False, **body)
        on_id(obj.id)
        return obj

    def observe(self, obj: Any) -> dict:
        policies = list(obj.policies or ([obj.policy] if getattr(obj, "policy", None) else []))
        return {"policies": policies}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.delete_ignoring_missing(self.conn.compute.delete_server_group, physical_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        raise NotImplementedError("server groups are replaced, never updated")
