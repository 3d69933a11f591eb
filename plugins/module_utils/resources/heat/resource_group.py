"""OS::Heat::ResourceGroup: ``count`` copies of ``resource_def``, converged as members.

Members are marked as belonging to the stack ``<stack>/<group>`` with logical names
``"0"``, ``"1"``, ...; ``%index%`` (or ``index_var``) in their properties is replaced by the
index. ``removal_policies`` name indices never to reuse; shrinking deletes the highest.

The group's part of the secret store (``group:<name>``) remembers the member type and salted
hashes of each member's applied properties, so a change the cloud cannot show (a property
the member type does not read back) still updates or replaces the members, members of a
name-marked type beyond the new count are still found, and a changed member type deletes
the old members.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    Found, Handler, HandlerError, is_not_found, same)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.nested_stack import NestedStackHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership


def _substitute(value: Any, var: str, index: int) -> Any:
    if isinstance(value, str):
        return value.replace(var, str(index))
    if isinstance(value, Mapping):
        return {k: _substitute(v, var, index) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, var, index) for v in value]
    return value


class ResourceGroupHandler(Handler):
    """A group of identical resources of one supported type."""

    type_name = "OS::Heat::ResourceGroup"
    member_definition = "resource_def"
    member_stacks = True

    @classmethod
    def substitute_index(cls, value: Any, var: str, index: int) -> Any:
        """A member's properties ``value`` with the index variable ``var`` replaced by ``index``."""
        return _substitute(value, var, index)

    marking = "derived"
    create_before_delete = False
    schema_overrides = {
        "index_var": Override(update_allowed=True,
                              reason="a new index_var re-renders the members in place (their own plans decide), as every group change does"),
    }
    applied_defaults = ("count", "index_var", "removal_policies", "removal_policies_mode")
    attributes = ("refs", "refs_map", "attributes", "removed_rsrc_list", "show")
    #: the property holding the member definition, and the group's name in messages
    member_key = "resource_def"
    group_label = "a ResourceGroup"

    @classmethod
    def update_allowed(cls, prop: str) -> bool:
        """Every change inside members is applied in place; the group's properties follow the schema."""
        schema = cls.schema()
        return schema.update_allowed(prop) if prop in schema.properties else True

    # ---- members -------------------------------------------------------------------
    def _member(self, logical: str, member_type: str) -> Handler:
        cache = self.__dict__.setdefault("_members", {})
        if (logical, member_type) in cache:
            return cache[(logical, member_type)]
        cls = get_handler(member_type)
        sub = dataclasses.replace(self.ctx, stack_name=f"{self.ctx.stack_name}/{logical}",
                                  local_store=self.ctx.local_store.setdefault(f"group:{logical}", {}))
        nested = self.ctx.nested
        if cls is None and nested is not None and (logical in nested.member_loaders or
                                                   logical not in nested.desired_names):
            # a provider template: every member is a nested stack <stack>/<group>/<index>
            loader = nested.member_loaders.get(logical)
            cache[(logical, member_type)] = NestedStackHandler(sub, lambda _index: loader, member_type)
            return cache[(logical, member_type)]
        if cls is None or cls is type(self):
            raise HandlerError(f"{self.member_key} type {member_type} is not supported in {self.group_label}")
        cache[(logical, member_type)] = cls(sub)
        return cache[(logical, member_type)]

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        mtype = self._member_def(out).get("type")
        self._member(logical, mtype if isinstance(mtype, str) else "")  # an unsupported type fails before any write
        return out

    def record_unchanged(self, obj: Any) -> None:
        """Members that are nested stacks rewrite a lost record of their own."""
        props = obj.get("props") if isinstance(obj, Mapping) else None
        if not isinstance(props, Mapping) or not self._member_def(props):
            return
        handler = self._member(obj.get("logical", ""), self._member_def(props).get("type", ""))
        keep = getattr(handler, "record_unchanged", None)
        if keep is not None:
            for found in (obj.get("members") or {}).values():
                keep(found.obj)

    def inner_changes(self, obj: Any, desired: Mapping[str, Any]) -> dict:
        """Changes inside members that are nested stacks, as ``<index>.resources.<name>``."""
        handler = self._member(obj.get("logical", ""), self._member_def(desired).get("type", "")) \
            if isinstance(obj, Mapping) and self._member_def(desired) else None
        inner = getattr(handler, "inner_changes", None)
        if inner is None:
            return {}
        out = {}
        members = obj.get("members") or {}
        for i in self._indices(desired, self._store(obj.get("logical", ""))):
            found = members.get(str(i))
            if found is not None:
                mdesired = handler.desired(str(i), self._member_props(desired, i))
                out.update({f"{i}.{k}": v for k, v in inner(found.obj, mdesired).items()})
        return out

    def nested_plans(self, logical: str, obj: Any, desired: Mapping[str, Any] | None, deleting: bool) -> list:
        """``[(\"<index>/\", prepared)]`` of members that are nested stacks, for reports."""
        props = desired if desired is not None else (obj or {}).get("props")
        if not isinstance(props, Mapping) or not self._member_def(props):
            return []
        try:
            handler = self._member(logical, self._member_def(props).get("type", ""))
        except HandlerError:
            return []
        if not hasattr(handler, "nested_plans"):
            return []
        wanted = [] if deleting else [str(i) for i in self._indices(props, self._store(logical))]
        wide = self._wide(props)
        existing = set(self._observe_members(logical, wide, adopt=False)) if deleting or obj is not None else set()
        out = []
        for key in sorted(set(wanted) | existing, key=int):
            if key in wanted:
                mdesired = handler.desired(key, self._member_props(props, int(key)))
                out += [(f"{key}/{rel}", p) for rel, p in handler.nested_plans(key, None, mdesired, False)]
            else:
                out += [(f"{key}/{rel}", p) for rel, p in handler.nested_plans(key, None, None, True)]
        return out

    def _store(self, logical: str) -> Mapping[str, Any]:
        """The group's part of the secret store (empty for a new group or a lost store)."""
        return self.ctx.local_store.get(f"group:{logical}") or {}

    def _skiplist(self, props: Mapping[str, Any], store: Mapping[str, Any] | None,
                  members: Mapping[str, Found] | None = None) -> list[str]:
        """Indices never to use again, as Heat's ``name_blacklist`` (sorted as Heat sorts).

        Mode ``append`` (default) adds the template's ``removal_policies`` to the remembered
        list, so removing a policy later does not bring an index back; ``update`` replaces it.
        An entry counts when it is remembered already, names a current member (index or
        reference), or the group is new; others are ignored. A store without the list (lost
        secret store, or a group converged before the list was kept) takes the gaps below the
        highest existing member as removed. Types without ``removal_policies`` have none.
        """
        if "removal_policies" not in self.schema().properties:
            return []
        store = store or {}
        members = members or {}
        current = set(store.get("removed") or [])
        existing = set(members) | set(store.get("applied") or {}) | set(store.get("ids") or {}) | \
            set(store.get("members") or {})
        if "removed" not in store and existing:
            top = max(int(k) for k in existing)
            current = {str(i) for i in range(top) if str(i) not in existing}
        fresh = not existing
        refs = {str(f.physical_id): key for key, f in members.items()}
        refs.update({str(pid): key for key, pid in (store.get("ids") or {}).items()})
        refs.update({str(pid): key for key, pid in (store.get("members") or {}).items()})
        new: set[str] = set()
        for policy in props.get("removal_policies") or []:
            for item in (policy or {}).get("resource_list") or []:
                if str(item) in current or fresh or str(item) in existing:
                    new.add(str(item))
                elif isinstance(item, str) and item in refs:
                    new.add(refs[item])
        base = set() if props.get("removal_policies_mode") == "update" else current
        return sorted(base | new)

    # ---- hooks a scaling group overrides -------------------------------------------
    def _member_def(self, props: Mapping[str, Any]) -> dict:
        """The member definition ``{"type": ..., "properties": ...}``."""
        value = props.get(self.member_key)
        return dict(value) if isinstance(value, Mapping) else {}

    def _size(self, props: Mapping[str, Any]) -> int:
        """How many members the group wants."""
        return int(props.get("count") or 0)

    def _wide(self, props: Mapping[str, Any]) -> dict:
        """Properties whose indices cover every member that may exist (for deletion)."""
        return dict(props, count=max(self._size(props), 0) + 50, removal_policies=[])

    def _indices(self, props: Mapping[str, Any], store: Mapping[str, Any] | None = None,
                 members: Mapping[str, Found] | None = None) -> list[int]:
        removed = set(self._skiplist(props, store, members))
        out, i = [], 0
        while len(out) < self._size(props):
            if str(i) not in removed:
                out.append(i)
            i += 1
        return out

    def _member_props(self, props: Mapping[str, Any], index: int) -> dict:
        rdef = self._member_def(props)
        return _substitute(dict(rdef.get("properties") or {}), props.get("index_var") or "%index%", index)

    def _digest(self, value: Any) -> str:
        salt = str(self.ctx.local_store.get("_salt") or "")
        text = json.dumps(value, sort_keys=True, default=str)
        return hashlib.sha256((salt + text).encode()).hexdigest()[:32]

    def _known_keys(self, store: Mapping[str, Any], props: Mapping[str, Any]) -> list[str]:
        """Indices wanted now and every index applied before (members to find or delete)."""
        keys = {str(i) for i in self._indices(props, store)} | set(store.get("applied") or {}) | set(store.get("members") or {})
        return sorted(keys, key=int)

    def _observe_members(self, logical: str, props: Mapping[str, Any], adopt: bool = True,
                         probe: Iterable[str] | None = None, duplicates: list | None = None) -> dict:
        """Members by index. Several marked copies of one member (two controllers at once) are
        reduced to the one the group remembers, else the oldest; the others go to ``duplicates``
        as ``(index, Found, why)``."""
        rdef = self._member_def(props)
        handler = self._member(logical, rdef.get("type", ""))
        store = handler.ctx.local_store
        if (store.get("meta") or {}).get("type") not in (None, rdef.get("type")):
            return {}  # members of the old type are deleted by _converge
        keys = self._known_keys(store, props)
        copies: dict[str, list[Found]] = {}
        for item in handler.list_owned(keys):
            copies.setdefault(item.logical, []).append(item)
        found = {}
        ids = store.get("ids") or {}
        for key, items in copies.items():
            kept, why = ownership.keep_one(items, ids.get(key), (), handler.created_at)
            found[key] = kept
            if duplicates is not None:
                duplicates += [(key, item, f"keeping {kept.physical_id}, {why}") for item in items if item is not kept]
        if handler.marking in ("name", "derived") and not getattr(handler, "converge_always", False):
            # members no list call shows (key pairs, explicitly named server groups, relations):
            # found by their deterministic name/relation, else by the id the group remembered
            self._find_members(handler, props, found, keys if probe is None else probe)
        if adopt and getattr(handler, "converge_always", False):
            # nested stack members whose record was lost: found from their resources' marks
            for i in self._indices(props, store):
                if str(i) not in found:
                    member = handler.find(str(i), handler.desired(str(i), self._member_props(props, i)))
                    if member is not None:
                        found[str(i)] = member
        if handler.local:
            store = handler.ctx.local_store
            for i in self._indices(props, store):
                if str(i) not in found and (store.get("members") or {}).get(str(i)):
                    found[str(i)] = Found(str(i), store["members"][str(i)], {"props": self._member_props(props, i)})
        return found

    def _find_members(self, handler: Handler, props: Mapping[str, Any], found: dict, keys: Iterable[str]) -> None:
        """Add the members of a name-marked or derived type to ``found`` (in place)."""
        ids = handler.ctx.local_store.get("ids") or {}
        for key in sorted(set(keys) | set(ids), key=int):
            if key in found:
                continue
            member = handler.find(key, handler.desired(key, self._member_props(props, int(key))))
            if member is None and ids.get(key):
                try:
                    obj = handler.fetch(ids[key])
                except Exception as exc:  # noqa: BLE001 - a gone member is simply not found
                    if not is_not_found(exc):
                        raise
                    obj = None
                member = Found(key, ids[key], obj) if obj is not None else None
            if member is not None:
                found[key] = Found(key, member.physical_id, member.obj)

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        duplicates: list = []
        members = self._observe_members(logical, props, duplicates=duplicates)
        if not members and self._size(props):
            return None
        return Found(logical, self.local_id(logical), {"props": dict(props), "logical": logical, "members": members,
                                                       "duplicates": duplicates})

    def member_duplicates(self, obj: Any) -> list[tuple[str, str, Found, str, Handler]]:
        """Surplus copies of members ``find`` saw: ``(index, member type, copy, why, the member
        handler that deletes it)``; the planner deletes them as duplicates."""
        if not isinstance(obj, Mapping) or not obj.get("duplicates"):
            return []
        mtype = self._member_def(obj.get("props") or {}).get("type", "")
        handler = self._member(obj.get("logical", ""), mtype)
        return [(key, mtype, item, why, handler) for key, item, why in obj["duplicates"]]

    def local_id(self, logical: str) -> str:
        """The group's physical id."""
        return f"{self.ctx.stack_name}-{logical}"

    def fetch(self, physical_id: str) -> Any:
        """The group as the record knows it, with its members observed (None when it has none)."""
        logical = physical_id[len(self.ctx.stack_name) + 1:]
        entry = self.ctx.recorded.get(logical) or {}
        if entry.get("type") != self.type_name or not entry.get("properties"):
            return None
        found = self.find(logical, entry["properties"])
        return found.obj if found is not None else None

    # ---- lifecycle -----------------------------------------------------------------
    def _drop_old_type(self, logical: str, props: Mapping[str, Any], store: dict) -> None:
        """``resource_def`` changed type: delete the members of the old type."""
        old = self._member(logical, store["meta"]["type"])
        if not old.local:
            keys = self._known_keys(store, props)
            members = {f.logical: f for f in old.list_owned(keys)}
            if old.marking in ("name", "derived") and not getattr(old, "converge_always", False):
                self._find_members(old, props, members, keys)
            for found in sorted(members.values(), key=lambda f: -int(f.logical)):
                old.delete(found.physical_id, found.obj)
        for key in [k for k in store if k != "removed"]:
            del store[key]  # the removed indices stay, as Heat keeps them in the group's data

    def _changed(self, handler: Handler, current: Found, desired: dict, applied: Mapping[str, Any] | None) -> set:
        """Properties of a member to change: observed values, else the hashes applied last time."""
        observed = handler.observe(current.obj) if current.obj is not None else {}
        changed = {k for k, v in observed.items() if k in handler.observed and desired.get(k) is not None
                   and not (handler.desired_compare(k, desired[k], v) or same(desired[k], v))}
        if applied is not None:
            for key in set(desired) | set(applied):
                if key in handler.observed and key in observed:
                    continue
                if applied.get(key, self._digest(None)) != self._digest(desired.get(key)):
                    changed.add(key)
        return changed

    def _converge(self, logical: str, props: Mapping[str, Any], members: dict) -> dict:
        rdef = self._member_def(props)
        handler = self._member(logical, rdef.get("type", ""))
        store = handler.ctx.local_store
        if (store.get("meta") or {}).get("type") not in (None, rdef.get("type")):
            self._drop_old_type(logical, props, store)
            members = {}
        # nested: every string directly under a store entry is registered as a secret
        store["meta"] = {"type": rdef.get("type")}
        applied = store.setdefault("applied", {})
        store["removed"] = self._skiplist(props, store, members)
        wanted = {str(i): self._member_props(props, i) for i in self._indices(props, store)}
        result = {}
        for key in sorted(set(members) - set(wanted), key=int, reverse=True):
            handler.delete(members[key].physical_id, members[key].obj)
            applied.pop(key, None)
        nested = getattr(handler, "converge_always", False)
        for key, mprops in sorted(wanted.items(), key=lambda kv: int(kv[0])):
            desired = handler.desired(key, mprops)
            current = members.get(key)
            changed = self._changed(handler, current, desired, applied.get(key)) \
                if current is not None and not nested else set()
            if current is None:
                box: list[str] = []
                obj = handler.create(key, desired, box.append)
                result[key] = Found(key, box[0] if box else handler.physical_id(obj), obj)
            elif nested:
                # a nested stack member: its own plan decides what changes inside
                result[key] = Found(key, current.physical_id, handler.update(current.obj, key, desired, set()))
            elif changed and not any(rep for rep, _note in handler.change_notes(changed, desired).values()):
                obj = handler.update(current.obj, key, desired, changed)
                result[key] = Found(key, current.physical_id, obj)
            elif changed:
                handler.delete(current.physical_id, current.obj)
                box = []
                obj = handler.create(key, desired, box.append)
                result[key] = Found(key, box[0] if box else handler.physical_id(obj), obj)
            else:
                result[key] = current
            applied[key] = {k: self._digest(v) for k, v in desired.items()}
        for key in [k for k in applied if k not in result]:
            del applied[key]
        if handler.local:
            store["members"] = {k: f.physical_id for k, f in result.items()}
        elif not nested:
            # name-marked and derived members are found again by these ids; marked ones keep
            # the remembered copy when a second controller made another
            store["ids"] = {k: f.physical_id for k, f in result.items()}
        self.ctx.persist()
        return result

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        on_id(self.local_id(logical))
        members = self._converge(logical, props, self._observe_members(logical, props))
        return {"props": dict(props), "logical": logical, "members": members}

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        members = self._converge(logical, props, obj.get("members") or {})
        return {"props": dict(props), "logical": logical, "members": members}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        logical = physical_id[len(self.ctx.stack_name) + 1:]
        props = (obj or {}).get("props")
        if props is None:
            return
        rdef = self._member_def(props)
        handler = self._member(logical, rdef.get("type", ""))
        wide = self._wide(props)
        probe = self._known_keys(handler.ctx.local_store, props)
        for _key, found in sorted(self._observe_members(logical, wide, adopt=False, probe=probe).items(),
                                  key=lambda kv: -int(kv[0])):
            handler.delete(found.physical_id, found.obj, policy)
        handler.ctx.local_store.clear()

    def observe(self, obj: Any) -> dict:
        return {}

    def obj_from_record(self, entry: Mapping[str, Any]) -> Any:
        """Enough to delete the members of a group that left the template."""
        return {"props": dict(entry.get("properties") or {})}

    # ---- attributes ----------------------------------------------------------------
    def _member_attr(self, obj: Any, key: str, attr: str) -> Any:
        props = obj.get("props") or {}
        handler = self._member(obj.get("logical", ""), self._member_def(props).get("type", ""))
        found = (obj.get("members") or {}).get(key)
        if found is None:
            return None
        return handler.attribute(found.obj, attr)

    def _refs(self, obj: Any) -> dict:
        props = obj.get("props") or {}
        handler = self._member(obj.get("logical", ""), self._member_def(props).get("type", ""))
        members = obj.get("members") or {}
        return {k: handler.ref(members[k].obj, members[k].physical_id) for k in sorted(members, key=int)}

    def attribute(self, obj: Any, name: str) -> Any:
        members = sorted((obj.get("members") or {}), key=int)
        if name == "refs":
            return list(self._refs(obj).values())
        if name == "refs_map":
            return self._refs(obj)
        if name == "removed_rsrc_list":
            return self._skiplist(obj.get("props") or {}, self._store(obj.get("logical", "")), obj.get("members"))
        if name == "show":
            return json.loads(json.dumps({"refs": self._refs(obj)}, default=str))
        if name.startswith("resource."):
            parts = name.split(".", 2)
            if len(parts) == 2:
                return self._refs(obj).get(parts[1])
            return self._member_attr(obj, parts[1], parts[2])
        if name == "attributes":
            raise HandlerError("get_attr [group, attributes, <name>] needs the attribute name")
        return [self._member_attr(obj, key, name) for key in members]
