"""Shared base of the OS::Keystone::* handlers (admin cloud).

Ownership marks: Keystone has tags on projects only. Projects carry the usual
``heatlike-stack=<stack>`` / ``heatlike-res=<logical>`` tags (``/`` and ``,``, which Keystone
refuses in tags, are percent-encoded); users, groups, roles and domains carry two extra
attributes, ``heatlike_stack`` and ``heatlike_resource`` (Keystone stores unknown attributes
of these objects and returns them). Both travel in the create request itself, so there is no
unmarked window, and one list call per type finds everything a stack owns after a lost record.

Objects are plain dicts over Keystone's v3 REST API (openstacksdk's identity proxy as a
session): openstacksdk's typed User/Group/Role/Domain drop unknown attributes.

Role assignments (``roles`` of User and Group, and User/GroupRoleAssignment) are compared as
sets of (role id, project or domain id): an assignment the template wants but Keystone lacks
is drift; one the record says this resource granted and the template no longer wants is
revoked. Assignments granted by anyone else are left alone.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import status_of
from ansible_collections.heatlike.cloud.plugins.module_utils.services.keystone import KeystoneLookupError, error_detail, find_id
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    CloudHandler, Found, HandlerError, sdk_exc, to_plain)

ADMIN_HINT = "OS::Keystone::* resources need an admin cloud (a user with the admin role)"
MARK_KEYS = (ownership.META_STACK, ownership.META_RESOURCE)


def keystone_tag(tag: str) -> str:
    """A tag Keystone accepts: ``%``, ``/`` and ``,`` percent-encoded."""
    return tag.replace("%", "%25").replace("/", "%2F").replace(",", "%2C")


def plain_tag(tag: str) -> str:
    """The inverse of :func:`keystone_tag`."""
    return tag.replace("%2C", ",").replace("%2F", "/").replace("%25", "%")


def assignment_key(item: Mapping[str, Any]) -> tuple:
    """``(role, "project"|"domain", target)`` of a normalised role assignment."""
    if item.get("project"):
        return (item["role"], "project", item["project"])
    return (item["role"], "domain", item.get("domain"))


def assignment_dict(key: tuple) -> dict:
    """The normalised dict form of an assignment key (what the record holds)."""
    role, scope, target = key
    return {"role": role, scope: target}


def _keys(items: Iterable[Mapping[str, Any]] | None) -> set:
    return {assignment_key(i) for i in items or [] if isinstance(i, Mapping) and i.get("role")}


def _sorted(keys: Iterable[tuple]) -> list[dict]:
    return [assignment_dict(k) for k in sorted(keys)]


class KeystoneHandler(CloudHandler):
    """A Keystone object managed over v3 REST, marked with extra attributes."""

    marking = "metadata"
    create_before_delete = False  # names are unique per domain: the old one goes first
    #: user | group | role | project | domain (messages, lookups)
    kind: str = ""
    #: the v3 collection, e.g. ``users``
    collection: str = ""
    #: template property -> Keystone attribute, sent as they are on create and update
    fields: Mapping[str, str] = {}

    # ---- REST ----------------------------------------------------------------------
    def request(self, method: str, path: str, what: str, *, body: Any = None, params: Any = None,
                missing_ok: bool = False, retry_conflict: bool = True) -> dict | None:
        """One v3 call with the retry policy; a clear HandlerError on failure (404 -> None
        when ``missing_ok``). Returns the decoded JSON body ({} when empty)."""
        proxy = self.conn.identity

        def once() -> Any:
            kwargs: dict[str, Any] = {}
            if body is not None:
                kwargs["json"] = body
            if params:
                kwargs["params"] = params
            resp = getattr(proxy, method)(path, **kwargs)
            if sdk_exc is not None and getattr(resp, "status_code", 200) >= 400:
                sdk_exc.raise_from_response(resp)
            return resp

        try:
            resp = self.call(once, retry_conflict=retry_conflict)
        except Exception as exc:  # noqa: BLE001 - one clear line
            if missing_ok and status_of(exc) == 404:
                return None
            raise self.explain(exc, what) from None
        if getattr(resp, "status_code", 200) == 204 or not getattr(resp, "content", b"x"):
            return {}
        return resp.json()

    @staticmethod
    def explain(exc: BaseException, what: str) -> HandlerError:
        """A Keystone error as one line; 401/403 say that an admin cloud is needed."""
        status = status_of(exc)
        detail = error_detail(exc)
        if status in (401, 403):
            err = HandlerError(f"Keystone refused to {what} (HTTP {status}: {detail}); {ADMIN_HINT}")
        elif status:
            err = HandlerError(f"{what}: Keystone answered {status}: {detail}")
        else:
            err = HandlerError(f"{what}: {type(exc).__name__}: {detail}")
        err.status = status  # type: ignore[attr-defined]
        return err

    def ref_id(self, kind: str, value: Any, domain: Any = None) -> Any:
        """Id of a domain/project/user/group/role named or identified by ``value`` (cached)."""
        if value in (None, ""):
            return None

        def lookup() -> str:
            try:
                return find_id(self.conn.identity, kind, value, domain=domain)
            except KeystoneLookupError as err:
                if err.status in (401, 403):
                    raise HandlerError(f"{err.message}; {ADMIN_HINT}") from None
                raise HandlerError(err.message) from None

        return self.ctx.cached(f"ks:id:{kind}:{domain}:{value}", lookup)

    # ---- marks ---------------------------------------------------------------------
    def marks(self, logical: str) -> dict:
        """The ownership attributes of a new object."""
        return {ownership.META_STACK: self.ctx.stack_name, ownership.META_RESOURCE: logical}

    def logical_of(self, obj: Mapping[str, Any] | None) -> str | None:
        """The logical name an observed object belongs to in this stack, or None."""
        if not isinstance(obj, Mapping):
            return None
        return ownership.logical_from_metadata(self.ctx.stack_name, obj)

    def _list(self, params: Mapping[str, Any] | None = None) -> list[dict]:
        data = self.request("get", f"/{self.collection}", f"list {self.collection}", params=dict(params or {}))
        return list((data or {}).get(self.collection) or [])

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        """One list call; the objects marked with this stack."""
        try:
            items = self._list(self.list_params())
        except HandlerError as exc:
            names = ", ".join(sorted(set(wanted)))
            raise CloudError(f"resources.{names} ({self.type_name}): {exc}") from None
        found = []
        for obj in items:
            logical = self.logical_of(obj)
            if logical:
                found.append(Found(logical, obj["id"], obj))
        return found

    def list_params(self) -> dict:
        """Query of the ownership list call."""
        return {}

    def fetch(self, physical_id: str) -> Any:
        data = self.request("get", f"/{self.collection}/{physical_id}", f"show {self.kind} {physical_id}",
                            missing_ok=True)
        return None if data is None else data.get(self.kind)

    def physical_id(self, obj: Any) -> str:
        return obj["id"]

    # ---- lifecycle -----------------------------------------------------------------
    def create_body(self, logical: str, props: Mapping[str, Any]) -> dict:
        """The create request's object (without the marks)."""
        return {attr: props[prop] for prop, attr in self.fields.items() if props.get(prop) is not None}

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body = self.create_body(logical, props)
        body.update(self.marks(logical))
        name = body.get("name", logical)
        try:
            data = self.request("post", f"/{self.collection}", f"create {self.kind} '{name}'",
                                body={self.kind: body}, retry_conflict=False)
        except HandlerError as exc:
            if getattr(exc, "status", None) == 409:
                raise HandlerError(f"{self.kind} '{name}' already exists and is not this stack's (it lacks the"
                                   f" heatlike mark of {self.ctx.stack_name}/{logical}); give the resource another"
                                   f" name ({exc})") from None
            raise
        obj = data[self.kind]
        on_id(obj["id"])
        return self.after_create(obj, logical, props)

    def after_create(self, obj: dict, logical: str, props: Mapping[str, Any]) -> Any:
        """Work after the object exists (memberships, role assignments)."""
        return obj

    def patch(self, obj: Mapping[str, Any], body: Mapping[str, Any]) -> dict:
        """PATCH the object; returns the new representation."""
        data = self.request("patch", f"/{self.collection}/{obj['id']}", f"update {self.kind} {obj['id']}",
                            body={self.kind: dict(body)})
        return dict((data or {}).get(self.kind) or obj)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        body = {attr: props.get(prop) for prop, attr in self.fields.items() if prop in changed}
        if body:
            obj = self.patch(obj, body)
        return self.after_update(obj, logical, props, changed)

    def after_update(self, obj: dict, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        """Work after the PATCH (memberships, role assignments)."""
        return obj

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.request("delete", f"/{self.collection}/{physical_id}", f"delete {self.kind} {physical_id}",
                     missing_ok=True)

    def unmark(self, physical_id: str) -> None:
        """Drop the marks (``deletion_policy: Retain``): the object leaves the stack."""
        obj = self.fetch(physical_id)
        if obj is not None:
            self.patch(obj, {key: None for key in MARK_KEYS})

    # ---- reading -------------------------------------------------------------------
    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        if "name" in self.schema().properties:
            out["name"] = self.name_for(logical, out)
        if out.get("domain") not in (None, ""):
            out["domain"] = self.ref_id("domain", out["domain"])
        return out

    def show(self, obj: Mapping[str, Any]) -> dict:
        """The object as ``show`` returns it: without marks and links."""
        plain = to_plain(dict(obj)) or {}
        return {k: v for k, v in plain.items() if k not in MARK_KEYS and k != "links"}

    def attrs(self, obj: Any) -> dict:
        return self.show(obj)

    def attribute(self, obj: Any, name: str) -> Any:
        if name == "show":
            return self.show(obj)
        values = self.attrs(obj)
        if name in values:
            return values[name]
        raise HandlerError(f"{self.type_name} has no attribute '{name}'")

    # ---- role assignments (User, Group, *RoleAssignment) -----------------------------
    def normalize_roles(self, roles: Any) -> list[dict] | None:
        """Heat's ``roles`` list with names resolved to ids, checked, sorted, unique."""
        if roles is None:
            return None
        if not isinstance(roles, list):
            raise HandlerError("roles: must be a list of {role, project | domain} maps")
        keys = set()
        for index, item in enumerate(roles):
            if not isinstance(item, Mapping) or not item.get("role"):
                raise HandlerError(f"roles[{index}]: a map with 'role' and 'project' or 'domain' is required")
            project, domain = item.get("project"), item.get("domain")
            if project and domain:
                raise HandlerError(f"roles[{index}]: give project or domain, not both")
            if not project and not domain:
                raise HandlerError(f"roles[{index}]: Either project or domain must be specified for role"
                                   f" {item['role']}")
            role = self.ref_id("role", item["role"])
            target = self.ref_id("project", project) if project else self.ref_id("domain", domain)
            keys.add((role, "project" if project else "domain", target))
        return _sorted(keys)

    def current_assignments(self, actor_kind: str, actor_id: str) -> set:
        """Direct project/domain role assignments of a user or group (one call, cached per run)."""
        def load() -> frozenset:
            data = self.request("get", "/role_assignments", f"list role assignments of {actor_kind} {actor_id}",
                                params={f"{actor_kind}.id": actor_id}) or {}
            keys = set()
            for item in data.get("role_assignments") or []:
                scope = item.get("scope") or {}
                role = (item.get("role") or {}).get("id")
                if not role or "OS-INHERIT:inherited_to" in scope:
                    continue
                if "project" in scope:
                    keys.add((role, "project", scope["project"]["id"]))
                elif "domain" in scope:
                    keys.add((role, "domain", scope["domain"]["id"]))
            return frozenset(keys)

        return set(self.ctx.cached(f"ks:assignments:{actor_kind}:{actor_id}", load))

    def roles_view(self, actor_kind: str, actor_id: str, logical: str | None) -> dict:
        """What ``roles`` looks like in the cloud: current assignments and the recorded ones."""
        previous = self.previous(logical).get("roles") if logical else None
        return {"current": _sorted(self.current_assignments(actor_kind, actor_id)),
                "previous": _sorted(_keys(previous))}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        """``roles`` (of a group, a user or a role assignment) compares assignments; None = generic."""
        if prop == "roles":
            return self.roles_match(desired, observed)
        return None

    def observed_value(self, prop: str, value: Any) -> Any:
        """The observed ``roles`` as :meth:`roles_shown`; any other property as it is."""
        return self.roles_shown(value) if prop == "roles" else value

    @staticmethod
    def roles_match(desired: Any, view: Mapping[str, Any]) -> bool:
        """Every wanted assignment exists and none this resource granted before lingers."""
        want = _keys(desired)
        current = _keys(view.get("current"))
        stale = _keys(view.get("previous")) - want
        return want <= current and not stale & current

    @staticmethod
    def roles_shown(view: Mapping[str, Any]) -> list[dict]:
        """The observed ``roles`` for diffs: current assignments this resource manages."""
        previous = _keys(view.get("previous"))
        current = _keys(view.get("current"))
        return _sorted(current & previous if previous else current)

    def apply_roles(self, actor_kind: str, actor_id: str, desired: Any, previous: Any) -> None:
        """Grant what is wanted and missing; revoke what was granted before and is no longer wanted."""
        current = self.current_assignments(actor_kind, actor_id)
        want = _keys(desired)
        for key in sorted(want - current):
            self.assignment_call("put", actor_kind, actor_id, key)
        for key in sorted((_keys(previous) - want) & current):
            self.assignment_call("delete", actor_kind, actor_id, key)
        self.ctx.forget(f"ks:assignments:{actor_kind}:{actor_id}")

    def revoke_roles(self, actor_kind: str, actor_id: str, roles: Any) -> None:
        """Revoke assignments (already gone counts as revoked)."""
        for key in sorted(_keys(roles)):
            self.assignment_call("delete", actor_kind, actor_id, key)
        self.ctx.forget(f"ks:assignments:{actor_kind}:{actor_id}")

    def assignment_call(self, method: str, actor_kind: str, actor_id: str, key: tuple) -> None:
        """PUT (grant) or DELETE (revoke) one role assignment."""
        role, scope, target = key
        verb = "grant" if method == "put" else "revoke"
        self.request(method, f"/{scope}s/{target}/{actor_kind}s/{actor_id}/roles/{role}",
                     f"{verb} role {role} on {scope} {target} to {actor_kind} {actor_id}",
                     missing_ok=method == "delete")


class RoleAssignmentHandler(KeystoneHandler):
    """Heat's User/GroupRoleAssignment: the roles of an existing user or group (a relation).

    The physical id is ``<actor id>:<logical name>``; the observed object is the actor's
    current direct assignments. Found after a lost record when the actor holds every wanted
    assignment; removing the resource revokes the assignments it granted.
    """

    marking = "derived"
    #: ``user`` or ``group``: the property naming the actor, and the actor's kind
    actor: str = ""
    attributes = ("show",)

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._granted: dict[str, list] = {}

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = dict(props)
        out[self.actor] = self.ref_id(self.actor, props.get(self.actor))
        out["roles"] = self.normalize_roles(props.get("roles"))
        return out

    def _pid(self, actor_id: str, logical: str) -> str:
        return f"{actor_id}:{logical}"

    def _view(self, actor_id: str, logical: str) -> dict:
        return {"id": self._pid(actor_id, logical), "actor": actor_id, "logical": logical,
                "roles": self.roles_view(self.actor, actor_id, logical)}

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        return []

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        actor_id = props.get(self.actor)
        if not actor_id or not props.get("roles"):
            return None
        view = self._view(actor_id, logical)
        if not _keys(props["roles"]) <= _keys(view["roles"]["current"]):
            return None
        return Found(logical, view["id"], view)

    def fetch(self, physical_id: str) -> Any:
        actor_id, _sep, logical = physical_id.partition(":")
        return self._view(actor_id, logical)

    def physical_id(self, obj: Any) -> str:
        return obj["id"]

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        actor_id = props[self.actor]
        pid = self._pid(actor_id, logical)
        self._granted[pid] = list(props.get("roles") or [])
        on_id(pid)
        self.apply_roles(self.actor, actor_id, props.get("roles"), None)
        return self._view(actor_id, logical)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        previous = self.previous(logical)
        old_actor, new_actor = obj["actor"], props[self.actor]
        if old_actor != new_actor:
            self.revoke_roles(self.actor, old_actor, previous.get("roles"))
            previous = {}
        self._granted[self._pid(new_actor, logical)] = list(props.get("roles") or [])
        self.apply_roles(self.actor, new_actor, props.get("roles"), previous.get("roles"))
        return self._view(new_actor, logical)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        actor_id, _sep, logical = physical_id.partition(":")
        roles = _keys(self.previous(logical).get("roles")) | _keys(self._granted.pop(physical_id, None))
        self.revoke_roles(self.actor, actor_id, _sorted(roles))

    def unmark(self, physical_id: str) -> None:
        """``deletion_policy: Retain`` keeps the assignments: nothing carries a mark."""
        return None

    def observe(self, obj: Any) -> dict:
        return {self.actor: obj["actor"], "roles": obj["roles"]}

    def show(self, obj: Mapping[str, Any]) -> dict:
        return {self.actor: obj.get("actor"), "roles": self.roles_shown(obj.get("roles") or {})}
