"""OS::Keystone::User (marked with extra attributes; admin cloud).

``password`` is a secret: registered with the redactor, shown as ``******`` in the record
and diffs, compared through the record's salted hash only (Keystone never returns it), so
a changed password updates the user and an unchanged one is never reported as drift.
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import (
    KeystoneHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override


class UserHandler(KeystoneHandler):
    """A Keystone user, its group memberships (``groups``) and ``roles``.

    ``domain`` replaces the user (Keystone refuses to move it; Heat says update-allowed).
    Memberships and assignments the record says this user resource made and the template
    no longer lists are removed; others are left alone. Deleting the user deletes them all.
    """

    type_name = "OS::Keystone::User"
    kind = "user"
    collection = "users"
    schema_overrides = {
        "domain": Override(update_allowed=False,
                           reason="Keystone refuses to move a user to another domain: it is replaced"),
    }
    applied_defaults = ("domain", "description", "enabled")
    secret_properties = frozenset(("password",))
    attributes = ("name", "default_project_id", "domain_id", "enabled", "password_expires_at", "show")
    observed = frozenset({"name", "description", "enabled", "email", "domain", "default_project", "groups",
                          "roles"})
    fields = {"name": "name", "domain": "domain_id", "description": "description", "enabled": "enabled",
              "email": "email", "password": "password", "default_project": "default_project_id"}

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        if out.get("password"):
            self.ctx.add_secret(out["password"])
        if out.get("default_project"):
            out["default_project"] = self.ref_id("project", out["default_project"])
        if out.get("groups") is not None:
            if not isinstance(out["groups"], list):
                raise HandlerError("groups: must be a list of group names or ids")
            out["groups"] = sorted({self.ref_id("group", g) for g in out["groups"] if g not in (None, "")})
        out["roles"] = self.normalize_roles(out.get("roles"))
        return out

    def after_create(self, obj: dict, logical: str, props: Mapping[str, Any]) -> Any:
        self.apply_groups(obj["id"], props.get("groups"), None)
        if props.get("roles"):
            self.apply_roles("user", obj["id"], props["roles"], None)
        return obj

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        return super().update(obj, logical, props, changed - {"domain"})

    def after_update(self, obj: dict, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        previous = self.previous(logical)
        if "groups" in changed:
            self.apply_groups(obj["id"], props.get("groups"), previous.get("groups"))
        if "roles" in changed:
            self.apply_roles("user", obj["id"], props.get("roles"), previous.get("roles"))
        return obj

    # ---- group membership --------------------------------------------------------------
    def current_groups(self, user_id: str) -> set:
        """Ids of the groups the user is a member of (one call, cached per run)."""
        def load() -> frozenset:
            data = self.request("get", f"/users/{user_id}/groups", f"list groups of user {user_id}") or {}
            return frozenset(g["id"] for g in data.get("groups") or [])

        return set(self.ctx.cached(f"ks:user-groups:{user_id}", load))

    def apply_groups(self, user_id: str, desired: Any, previous: Any) -> None:
        """Add missing memberships; remove those made before and no longer wanted."""
        want = set(desired or [])
        if not want and not previous:
            return
        current = self.current_groups(user_id)
        for gid in sorted(want - current):
            self.request("put", f"/groups/{gid}/users/{user_id}", f"add user {user_id} to group {gid}")
        for gid in sorted((set(previous or []) - want) & current):
            self.request("delete", f"/groups/{gid}/users/{user_id}", f"remove user {user_id} from group {gid}",
                         missing_ok=True)
        self.ctx.forget(f"ks:user-groups:{user_id}")

    # ---- reading -------------------------------------------------------------------------
    def observe(self, obj: Any) -> dict:
        logical = self.logical_of(obj)
        previous = self.previous(logical).get("groups") if logical else None
        return {"name": obj.get("name"), "description": obj.get("description"), "enabled": obj.get("enabled"),
                "email": obj.get("email"), "domain": obj.get("domain_id"),
                "default_project": obj.get("default_project_id"),
                "groups": {"current": sorted(self.current_groups(obj["id"])), "previous": sorted(previous or [])},
                "roles": self.roles_view("user", obj["id"], logical)}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "groups":
            want = set(desired or [])
            current = set(observed.get("current") or [])
            stale = set(observed.get("previous") or []) - want
            return want <= current and not stale & current
        return super().desired_compare(prop, desired, observed)

    def observed_value(self, prop: str, value: Any) -> Any:
        if prop == "groups":
            previous = set(value.get("previous") or [])
            current = set(value.get("current") or [])
            return sorted(current & previous if previous else current)
        return super().observed_value(prop, value)

    def show(self, obj: Mapping[str, Any]) -> dict:
        plain = super().show(obj)
        plain.pop("password", None)
        return plain
