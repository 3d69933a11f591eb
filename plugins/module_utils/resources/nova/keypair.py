"""OS::Nova::KeyPair (identified by its name, which the template must give)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found


class KeyPairHandler(CloudHandler):
    """A Nova key pair. Key pairs are immutable: every change replaces."""

    type_name = "OS::Nova::KeyPair"
    delete_rank = 3
    marking = "name"
    create_before_delete = False  # the name is unique
    applied_defaults = ("save_private_key",)
    attributes = ("public_key", "private_key", "show")
    observed = frozenset({"public_key"})

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        keys = self.ctx.cached("keypairs", lambda: {k.name: k for k in self.call_list(self.conn.compute.keypairs)})
        obj = keys.get(props.get("name"))
        return Found(logical, obj.name, obj) if obj is not None else None

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        return []

    def fetch(self, physical_id: str) -> Any:
        keys = self.ctx.cached("keypairs", lambda: {k.name: k for k in self.call_list(self.conn.compute.keypairs)})
        return keys.get(physical_id)

    def physical_id(self, obj: Any) -> str:
        return obj.name

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = {"name": props["name"]}
        for prop, attr in (("public_key", "public_key"), ("type", "type"), ("user", "user_id")):
            if props.get(prop):
                body[attr] = props[prop]
        obj = self.call(self.conn.compute.create_keypair, retry_conflict=False, **body)
        on_id(obj.name)
        self.ctx.forget("keypairs")
        if getattr(obj, "private_key", None):
            self.ctx.add_secret(obj.private_key)
            if props.get("save_private_key"):
                self.ctx.local_store.setdefault(self.type_name, {})[props["name"]] = obj.private_key
                self.ctx.persist()
        return obj

    def observe(self, obj: Any) -> dict:
        return {"public_key": obj.public_key}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "public_key":
            return (desired or "").strip() == (observed or "").strip() if desired else True
        return None

    def attrs(self, obj: Any) -> dict:
        private = self.ctx.local_store.get(self.type_name, {}).get(obj.name, "")
        return {"public_key": obj.public_key, "private_key": private, "name": obj.name}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.delete_ignoring_missing(self.conn.compute.delete_keypair, physical_id)
        self.ctx.forget("keypairs")
        self.ctx.local_store.get(self.type_name, {}).pop(physical_id, None)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        raise NotImplementedError("key pairs are replaced, never updated")
