"""OS::Swift::Container (identified by its name, marked in its container metadata).

Swift has no ids and no tags: a container is its name within the project's account, and
its ownership marks are two container metadata items (``X-Container-Meta-Heatlike-Stack`` and
``-Heatlike-Resource``). The handler talks to Swift with plain HTTP through openstacksdk's
object-store adapter, so the headers are exactly Heat's: ``X-Container-Meta-<key>`` per
``X-Container-Meta`` item, ``X-Account-Meta-<key>`` per ``X-Account-Meta`` item (a POST to
the account), ``X-Container-Read`` / ``X-Container-Write`` as given.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found, HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership

#: the ownership marks, as container metadata keys (Swift turns ``_`` in header names into ``-``)
MARK_STACK = ownership.META_STACK.replace("_", "-")
MARK_RESOURCE = ownership.META_RESOURCE.replace("_", "-")
_MARKS = {MARK_STACK.lower(), MARK_RESOURCE.lower()}
_META = "x-container-meta-"
_IN_PLACE = ("Swift changes container ACLs and metadata with a POST; replacing the container "
             "would delete it, which Swift refuses while it holds objects")


def meta_headers(kind: str, meta: Mapping[str, Any] | None) -> dict[str, str]:
    """``X-<Kind>-Meta-<key>: value`` for each item of ``meta`` (Heat's header names)."""
    return {f"X-{kind.title()}-Meta-{key}": str(value) for key, value in (meta or {}).items()}


def user_meta(headers: Mapping[str, str]) -> dict[str, str]:
    """The container metadata of HEAD ``headers`` (lower-case keys) minus the ownership marks."""
    return {k[len(_META):]: v for k, v in headers.items()
            if k.startswith(_META) and k[len(_META):] not in _MARKS}


def _acl(value: Any) -> str:
    """An ACL as Swift stores it (items without the blanks around commas)."""
    return ",".join(item.strip() for item in str(value or "").split(",") if item.strip())


class ContainerHandler(CloudHandler):
    """A Swift container. ``PurgeOnDelete`` deletes its objects first; else a non-empty
    container is not deleted (Heat's answer: the delete fails, naming the container)."""

    type_name = "OS::Swift::Container"
    delete_rank = 4
    marking = "name"
    applied_defaults = ("X-Container-Meta", "X-Account-Meta", "PurgeOnDelete")
    schema_overrides = {
        **{prop: Override(update_allowed=True, reason=_IN_PLACE)
           for prop in ("X-Container-Read", "X-Container-Write", "X-Container-Meta", "X-Account-Meta")},
        "PurgeOnDelete": Override(update_allowed=True, reason="read only when the container is deleted"),
    }
    attributes = ("DomainName", "WebsiteURL", "RootURL", "ObjectCount", "BytesUsed", "HeadContainer", "show")
    observed = frozenset({"X-Container-Read", "X-Container-Write", "X-Container-Meta"})

    # ---- HTTP ----------------------------------------------------------------------
    def _request(self, method: str, path: str, headers: Mapping[str, str] | None = None,
                 ok: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
        """One request to the account (``path`` below its URL); 404 returns None."""
        store = self.conn.object_store
        resp = self.call(lambda: store.request(path, method, headers=dict(headers or {}), raise_exc=False))
        if resp.status_code == 404:
            return None
        if resp.status_code not in ok:
            text = (getattr(resp, "text", "") or "").strip().splitlines()
            raise HandlerError(f"Swift {method} {path or '/'}: {resp.status_code} {text[0][:200] if text else ''}".rstrip())
        return resp

    @staticmethod
    def _path(name: str, query: str = "") -> str:
        return "/" + urllib.parse.quote(name, safe="") + query

    def _marks(self, logical: str) -> dict[str, str]:
        return {f"X-Container-Meta-{MARK_STACK}": self.ctx.stack_name,
                f"X-Container-Meta-{MARK_RESOURCE}": logical}

    def container_props(self, logical: str, props: Mapping[str, Any]) -> dict[str, Any]:
        """The container the properties describe (AWS::S3::Bucket maps its own onto these)."""
        return dict(props)

    def purge_on_delete(self, props: Mapping[str, Any]) -> bool:
        """Whether delete removes the container's objects first."""
        return bool(props.get("PurgeOnDelete"))

    # ---- discovery -----------------------------------------------------------------
    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        return out

    def owner(self, obj: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """(stack, logical) of the marks of an observed container."""
        headers = obj.get("headers") or {}
        return headers.get(_META + MARK_STACK.lower()), headers.get(_META + MARK_RESOURCE.lower())

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        obj = self.fetch(self.name_for(logical, props))
        if obj is not None and self.owner(obj) == (self.ctx.stack_name, logical):
            return Found(logical, obj["name"], obj)
        return None

    def fetch(self, physical_id: str) -> Any:
        resp = self._request("HEAD", self._path(physical_id))
        if resp is None:
            return None
        return {"name": physical_id, "headers": {k.lower(): v for k, v in resp.headers.items()}}

    def physical_id(self, obj: Any) -> str:
        return obj["name"]

    # ---- lifecycle -----------------------------------------------------------------
    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        name = self.name_for(logical, props)
        existing = self.fetch(name)
        if existing is not None and self.owner(existing) != (self.ctx.stack_name, logical):
            stack, res = self.owner(existing)
            whose = f"resource '{res}' of stack '{stack}'" if stack else "no stack"
            raise HandlerError(f"container '{name}' already exists and belongs to {whose}")
        want = self.container_props(logical, props)
        headers = {**meta_headers("container", want.get("X-Container-Meta")), **self._marks(logical)}
        for key in ("X-Container-Read", "X-Container-Write"):
            if want.get(key) not in (None, ""):
                headers[key] = str(want[key])
        self._request("PUT", self._path(name), headers)
        on_id(name)
        if want.get("X-Account-Meta"):
            self._request("POST", "", meta_headers("account", want["X-Account-Meta"]))
        return self.fetch(name)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        want = self.container_props(logical, props)
        have = user_meta(obj.get("headers") or {})
        wanted_keys = {str(k).lower() for k in (want.get("X-Container-Meta") or {})}
        headers = {**meta_headers("container", want.get("X-Container-Meta")), **self._marks(logical)}
        headers.update({f"X-Remove-Container-Meta-{k}": "x" for k in have if k not in wanted_keys})
        for key in ("X-Container-Read", "X-Container-Write"):
            if want.get(key) in (None, ""):
                headers["X-Remove-" + key[2:]] = "x"
            else:
                headers[key] = str(want[key])
        self._request("POST", self._path(obj["name"]), headers)
        before = self.container_props(logical, self.previous(logical)).get("X-Account-Meta") or {}
        after = want.get("X-Account-Meta") or {}
        if "X-Account-Meta" in changed or before != after:
            account = meta_headers("account", after)
            lowered = {str(k).lower() for k in after}
            account.update({f"X-Remove-Account-Meta-{k}": "x" for k in before if str(k).lower() not in lowered})
            if account:
                self._request("POST", "", account)
        return self.fetch(obj["name"])

    def _recorded_props(self, physical_id: str) -> dict:
        """The properties the record holds for the container ``physical_id`` (delete has no others)."""
        for entry in self.ctx.recorded.values():
            if (entry or {}).get("type") == self.type_name and entry.get("physical_id") == physical_id:
                return dict(entry.get("properties") or {})
        return {}

    def _objects(self, name: str) -> list[str] | None:
        resp = self._request("GET", self._path(name, "?format=json&limit=1000"))
        if resp is None:
            return None
        return [item["name"] for item in (resp.json() or [])]

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        purge = self.purge_on_delete(self._recorded_props(physical_id))

        def gone() -> bool:
            objects = self._objects(physical_id)
            if objects is None:
                return True
            if objects and not purge:
                raise HandlerError(f"container '{physical_id}' is not empty ({len(objects)} objects or more) and "
                                   "PurgeOnDelete is false: empty it or set PurgeOnDelete")
            for item in objects:
                self._request("DELETE", self._path(physical_id) + "/" + urllib.parse.quote(item))
            # 409: objects past their X-Delete-At stay listed until the expirer reaps them
            return self._request("DELETE", self._path(physical_id), ok=(204, 409)) is None \
                or self.fetch(physical_id) is None
        self.wait_for(gone, bool, lambda _: None, f"deletion of container {physical_id}")

    def unmark(self, physical_id: str) -> None:
        """Drop the ownership marks (``deletion_policy: Retain``): the container leaves the stack."""
        self._request("POST", self._path(physical_id),
                      {f"X-Remove-Container-Meta-{MARK_STACK}": "x", f"X-Remove-Container-Meta-{MARK_RESOURCE}": "x"})

    # ---- reading -------------------------------------------------------------------
    def observe(self, obj: Any) -> dict:
        headers = obj.get("headers") or {}
        return {"X-Container-Read": headers.get("x-container-read"),
                "X-Container-Write": headers.get("x-container-write"),
                "X-Container-Meta": user_meta(headers)}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "X-Container-Meta":
            return {str(k).lower(): str(v) for k, v in (desired or {}).items()} == dict(observed or {})
        if prop in ("X-Container-Read", "X-Container-Write"):
            return _acl(desired) == _acl(observed)
        return None

    def root_url(self) -> str:
        """The account's URL (Heat's ``RootURL``): the object-store endpoint of the project."""
        endpoint = self.ctx.cached("swift:endpoint", self.conn.object_store.get_endpoint)
        parts = urllib.parse.urlparse(endpoint)
        return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"

    def attrs(self, obj: Any) -> dict:
        root = self.root_url()
        headers = obj.get("headers") or {}
        return {"DomainName": urllib.parse.urlparse(root).hostname, "WebsiteURL": f"{root}/{obj['name']}",
                "RootURL": root, "ObjectCount": headers.get("x-container-object-count"),
                "BytesUsed": headers.get("x-container-bytes-used"), "HeadContainer": dict(headers)}

    def attribute(self, obj: Any, name: str) -> Any:
        if name == "show":  # Heat's show is the HEAD of the container
            return dict(obj.get("headers") or {})
        return super().attribute(obj, name)
