"""Planner: desired (resolved template) vs observed (cloud + record) -> actions with reasons.

Actions per resource: ``create``, ``update`` (in place), ``replace``, ``delete``,
``unchanged``; surplus marked copies of one logical resource are deleted as
``delete (duplicate of <logical>)`` (``state.ownership.keep_one`` says which copy stays). Observation costs one list call per resource type (ownership marks);
types without marks (relations, key pairs) are found from their parents or by name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, HeatlikeError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    Context, Found, Handler, HandlerError, LocalHandler, same)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler
from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership

UNKNOWN = "(known after apply)"
UNKNOWN_MARK = "(known after apply"
ACTIONS = ("create", "update", "replace", "delete", "unchanged")


def delete_rank(type_name: str) -> int | None:
    """Delete order of an orphan (dependencies unknown) of ``type_name``: lower first, None:
    unordered; the handler's ``delete_rank``."""
    cls = get_handler(type_name)
    return None if cls is None else cls.delete_rank


class Unknown(str):
    """A value that only exists after apply (a resource still to be created)."""


def is_unknown(value: Any) -> bool:
    """True when ``value`` holds anything known only after apply."""
    if isinstance(value, str):
        return UNKNOWN_MARK in value
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(v) for v in value)
    return False


def digest(salt: str, value: Any) -> str:
    """Salted hash of a property value (lets the record compare secrets without storing them)."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256((salt + text).encode()).hexdigest()[:32]


def walk_path(value: Any, path: Iterable[Any]) -> Any:
    """``get_attr`` path navigation into lists and maps (None when missing, as in Heat)."""
    for key in path:
        if value is None:
            return None
        if isinstance(value, Mapping):
            value = value.get(key) if key in value else value.get(str(key))
        elif isinstance(value, (list, tuple)):
            try:
                value = value[int(key)]
            except (IndexError, ValueError, TypeError):
                return None
        else:
            return None
    return value


@dataclass
class Observed:
    """What we know about one logical resource before acting."""

    type: str
    physical_id: str | None
    obj: Any
    source: str  # marks | record | find | local
    #: a surplus copy: the logical name it duplicates, and why the other copy is kept
    duplicate_of: str | None = None
    kept: str = ""
    #: the kept copy was not recorded: the other copies, in keep order (the planner may keep
    #: one of them instead when only it ``fits`` the copies kept of its dependencies)
    others: list = field(default_factory=list)


def known_resources(observed: Mapping[str, Observed]) -> dict[str, tuple]:
    """``name -> (type, physical id, obj)`` of the observed resources: what get_resource/get_attr read."""
    return {n: (o.type, o.physical_id, o.obj) for n, o in observed.items()}


@dataclass
class Action:
    """One planned action."""

    name: str
    type: str
    action: str
    reason: str
    changes: dict = field(default_factory=dict)   # prop -> {"before":..., "after":...}
    physical_id: str | None = None                # current (old) physical id
    depends_on: set = field(default_factory=set)
    deletion_policy: str = "Delete"
    drift: bool = False
    orphan: bool = False
    resume: bool = False
    #: a surplus copy of the logical resource ``duplicate_of`` (deleted; ``obj`` is the copy)
    duplicate_of: str | None = None
    obj: Any = field(default=None, repr=False, compare=False)
    #: the handler that deletes a group member's copy (None: the stack's handler of ``type``)
    handler: Any = field(default=None, repr=False, compare=False)

    def summary(self, redactor: Redactor) -> dict:
        """The JSON-able plan entry (secrets masked)."""
        out = {"resource": self.name, "type": self.type, "action": self.action, "reason": self.reason}
        if self.physical_id:
            out["physical_id"] = self.physical_id
        if self.duplicate_of:
            out["duplicate_of"] = self.duplicate_of
        if self.changes:
            out["changes"] = sorted(self.changes)
        if self.drift:
            out["drift"] = True
        return redactor.redact(out)


@dataclass
class Plan:
    """Ordered actions: ``forward`` (creation order) then ``deletes``."""

    forward: list[Action]
    deletes: list[Action]
    observed: dict[str, Observed]
    desired_props: dict[str, dict]

    @property
    def changes(self) -> list[Action]:
        """Every action that changes something."""
        return [a for a in self.forward + self.deletes if a.action != "unchanged"]


class PlanRuntime:
    """Answers get_resource/get_attr during planning; pending resources give UNKNOWN."""

    def __init__(self, handlers: Mapping[str, Handler], known: dict, pending: set[str], pending_attrs: set[str]):
        self.handlers = handlers
        self.known = known  # name -> (type, physical_id, obj)
        self.pending = pending
        self.pending_attrs = pending_attrs

    def get_resource(self, name: str) -> Any:
        if name in self.pending or name not in self.known:
            return Unknown(f"{UNKNOWN[:-1]}: {name})")
        rtype, pid, obj = self.known[name]
        return self.handlers[rtype].ref(obj, pid)

    def get_attr(self, name: str, attr: str, *path: Any) -> Any:
        if name in self.pending or name in self.pending_attrs or name not in self.known:
            return Unknown(f"{UNKNOWN[:-1]}: {name}.{attr})")
        rtype, _pid, obj = self.known[name]
        if obj is None:
            return Unknown(f"{UNKNOWN[:-1]}: {name}.{attr})")
        return walk_path(self.handlers[rtype].attribute(obj, attr), path)


def make_handlers(ctx: Context, types: Iterable[str], where: Mapping[str, str] | None = None) -> dict[str, Handler]:
    """One handler instance per type; unsupported types fail before any write."""
    handlers = {}
    for rtype in sorted(set(types)):
        cls = get_handler(rtype)
        if cls is None:
            names = sorted(n for n, t in (where or {}).items() if t == rtype)
            where_txt = f"resources.{names[0]}: " if names else ""
            raise PropertyError(f"{where_txt}resource type {rtype} is not supported by os_heatlike_stack")
        handlers[rtype] = cls(ctx)
    return handlers


def observe(handlers: Mapping[str, Handler], desired_types: Mapping[str, str], record: Mapping[str, Any],
            ) -> tuple[dict[str, Observed], list[Observed]]:
    """Find every resource of the stack: one list call per marked type, record ids for the rest.

    Returns (observed by logical name, orphans: marked resources nobody wants).
    """
    rec_res = record.get("resources") or {}
    wanted_by_type: dict[str, list[str]] = {}
    for name, rtype in desired_types.items():
        wanted_by_type.setdefault(rtype, []).append(name)
    for name, entry in rec_res.items():
        wanted_by_type.setdefault(entry.get("type"), []).append(name)
    observed: dict[str, Observed] = {}
    orphans: list[Observed] = []
    pending = {i.get("physical_id") for i in record.get("pending_deletes") or []}
    for rtype, names in wanted_by_type.items():
        handler = handlers.get(rtype)
        if handler is None:
            continue
        candidates: dict[str, list[Found]] = {}
        if not handler.local and handler.marking != "derived":
            for found in handler.list_owned(names):
                candidates.setdefault(found.logical, []).append(found)
        for name in set(names):
            entry = rec_res.get(name) or {}
            rec_pid = entry.get("physical_id") if entry.get("type") == rtype else None
            if name not in desired_types and entry.get("type") != rtype:
                continue
            found = candidates.pop(name, [])
            chosen, why = ownership.keep_one(found, rec_pid, pending, handler.created_at)
            for item in found:
                if item is not chosen and item.physical_id not in pending:
                    orphans.append(Observed(rtype, item.physical_id, item.obj, "marks", duplicate_of=name,
                                            kept=f"keeping {chosen.physical_id}, {why}"))
            # a type change: the old one is observed under its own type for deletion
            key = name if desired_types.get(name, entry.get("type")) == rtype else f"{name}@{rtype}"
            if chosen is not None:
                others = [] if why == "the recorded one" else sorted(
                    (f for f in found if f is not chosen and f.physical_id not in pending),
                    key=lambda f: (handler.created_at(f.obj) is None, str(handler.created_at(f.obj) or ""),
                                   str(f.physical_id)))
                observed[key] = Observed(rtype, chosen.physical_id, chosen.obj, chosen.source, others=others)
            elif handler.local:
                if entry.get("status", "").endswith("COMPLETE") and rec_pid:
                    observed[key] = Observed(rtype, rec_pid, None, "local")
            elif rec_pid and handler.marking not in ("tags", "metadata"):
                obj = handler.fetch(rec_pid)
                if obj is not None:
                    observed[key] = Observed(rtype, rec_pid, obj, "record")
            elif rec_pid and handler.marking in ("tags", "metadata") and entry.get("status") == "CREATE_IN_PROGRESS":
                obj = handler.fetch(rec_pid)  # created, killed before it was tagged
                if obj is not None:
                    observed[key] = Observed(rtype, rec_pid, obj, "record")
        for leftovers in candidates.values():
            for item in leftovers:
                orphans.append(Observed(rtype, item.physical_id, item.obj, "marks"))
    return observed, orphans


def _changes(handler: Handler, desired: dict, obs: Observed | None, entry: Mapping[str, Any] | None,
             salt: str) -> tuple[dict, bool]:
    """Property differences: observed values where the handler reads them, else the record."""
    changes: dict[str, dict] = {}
    drift = False
    rec_digests = (entry or {}).get("digests") or {}
    rec_props = (entry or {}).get("properties") or {}
    observed_values = handler.observe(obs.obj) if obs is not None and obs.obj is not None else {}
    keys = set(desired) | set(rec_digests)
    for key in sorted(keys):
        want = desired.get(key)
        if is_unknown(want):
            changes[key] = {"before": rec_props.get(key), "after": UNKNOWN}
            continue
        if key in handler.observed and key in observed_values:
            if want is None and rec_digests.get(key) in (None, digest(salt, None)):
                continue
            have = observed_values[key]
            verdict = handler.desired_compare(key, want, have)
            if verdict is None:
                verdict = same(want, have)
            if not verdict:
                changes[key] = {"before": handler.observed_value(key, have), "after": want}
                if rec_digests.get(key) == digest(salt, want):
                    drift = True
            continue
        if entry and rec_digests:
            if rec_digests.get(key) != digest(salt, want) and not (key not in rec_digests and want is None):
                changes[key] = {"before": rec_props.get(key), "after": want}
    inner = getattr(handler, "inner_changes", None)
    if inner is not None and obs is not None and obs.obj is not None:
        changes.update(inner(obs.obj, desired))  # nested stacks: what their own plan changes
    return changes, drift


def plan(resolved: Any, record: Mapping[str, Any], handlers: Mapping[str, Handler], salt: str,
         observed: dict[str, Observed], orphans: list[Observed], redactor: Redactor) -> Plan:
    """Compute the plan. ``resolved`` is the engine's ResolvedStack."""
    rec_res = record.get("resources") or {}
    order = [name for wave in resolved.creation_order for name in wave]
    known = known_resources(observed)
    pending: set[str] = set()
    pending_attrs: set[str] = set()
    forward: list[Action] = []
    deletes: list[Action] = []
    desired_props: dict[str, dict] = {}
    runtime = PlanRuntime(handlers, known, pending, pending_attrs)
    for name in order:
        rdef = resolved.resources[name]
        handler = handlers[rdef.type]
        entry = rec_res.get(name) if (rec_res.get(name) or {}).get("type") == rdef.type else None
        obs = observed.get(name)
        try:
            props = rdef.resolve_properties(runtime)
        except HeatlikeError:
            raise
        except Exception:  # noqa: BLE001 - a function over an unknown value
            props = {k: UNKNOWN for k in (rdef.properties or {})}
        try:
            desired = handler.desired(name, props) if not is_unknown(props) else _desired_partial(handler, name, props)
        except HandlerError as exc:
            raise CloudError(f"resources.{name}: {exc}") from None
        desired_props[name] = desired
        if obs is not None and obs.others and not is_unknown(desired) and not handler.fits(obs.obj, desired):
            obs = _keep_fitting(name, handler, obs, desired, orphans)
            observed[name] = obs
            known[name] = (obs.type, obs.physical_id, obs.obj)
        deps = set(rdef.depends_on)
        policy = rdef.deletion_policy or "Delete"
        only_lost = False
        if handler.local and type(handler).find is LocalHandler.find and rec_res:
            only_lost = True  # deterministic local types are re-adopted only when the record is lost
        if obs is None and not only_lost and handler.marking in ("derived", "name", "local") \
                and not is_unknown(desired):
            found = handler.find(name, desired)
            if found is not None:
                obs = Observed(rdef.type, found.physical_id, found.obj, "find")
                observed[name] = obs
                known[name] = (obs.type, obs.physical_id, obs.obj)
        if handler.local and obs is not None and obs.obj is None:
            found = handler.find(name, desired) if not is_unknown(desired) else None
            obs.obj = found.obj if found is not None else {"props": desired}
            known[name] = (obs.type, obs.physical_id, obs.obj)
        old_type = (rec_res.get(name) or {}).get("type")
        if old_type and old_type != rdef.type and f"{name}@{old_type}" in observed:
            old = observed.pop(f"{name}@{old_type}")
            deletes.append(Action(name, old_type, "delete", f"type changed to {rdef.type}", physical_id=old.physical_id,
                                  depends_on=set((rec_res.get(name) or {}).get("depends_on") or []),
                                  deletion_policy=(rec_res.get(name) or {}).get("deletion_policy", "Delete")))
        status = (entry or {}).get("status", "")
        if obs is None:
            if entry and entry.get("physical_id") and status.endswith("COMPLETE"):
                reason = "not found in the cloud (deleted out of band)"
            elif entry and status.endswith("FAILED"):
                reason = f"previous attempt failed ({status})"
            else:
                reason = "new resource"
            act = Action(name, rdef.type, "create", reason, depends_on=deps, deletion_policy=policy)
            pending.add(name)
        else:
            changes, drift = _changes(handler, desired, obs, entry, salt)
            readiness = handler.readiness(obs.obj) if obs.obj is not None and not handler.local else "ready"
            if readiness == "failed":
                act = Action(name, rdef.type, "replace", f"in a failed state ({status or 'observed'})",
                             physical_id=obs.physical_id, depends_on=deps, deletion_policy=policy)
                pending.add(name)
            elif readiness == "pending":
                act = Action(name, rdef.type, "create", "resume an interrupted create (still being built)",
                             changes, obs.physical_id, deps, policy, resume=True)
                pending_attrs.add(name)
            elif not changes:
                act = Action(name, rdef.type, "unchanged", "up to date", physical_id=obs.physical_id,
                             depends_on=deps, deletion_policy=policy)
            else:
                notes = handler.change_notes(set(changes), desired)
                replace = sorted(k for k, (rep, _note) in notes.items() if rep)
                if getattr(handler, "always_replace", None) and handler.always_replace(desired):
                    replace = replace or sorted(changes)
                    notes = {k: (True, notes.get(k, (True, ""))[1] or "replace only") for k in replace}
                what = "drift" if drift else "changed"
                if replace:
                    act = Action(name, rdef.type, "replace", f"{what}: {change_reason(replace, notes)}",
                                 changes, obs.physical_id, deps, policy, drift)
                    pending.add(name)
                else:
                    act = Action(name, rdef.type, "update", f"{what}: {change_reason(sorted(changes), notes)}",
                                 changes, obs.physical_id, deps, policy, drift)
                    pending_attrs.add(name)
        forward.append(act)
    desired_names = set(resolved.resources)
    for name, entry in rec_res.items():
        if name in desired_names:
            continue
        obs = observed.get(name)
        if obs is None and not entry.get("physical_id"):
            continue
        if entry.get("status") == "DELETE_COMPLETE":
            continue
        deletes.append(Action(name, entry.get("type"), "delete", "removed from the template",
                              physical_id=(obs.physical_id if obs else entry.get("physical_id")),
                              depends_on=set(entry.get("depends_on") or []),
                              deletion_policy=entry.get("deletion_policy", "Delete")))
    for item in record.get("pending_deletes") or []:
        deletes.append(Action(item.get("resource", "?"), item["type"], "delete", "replaced earlier (old copy)",
                              physical_id=item["physical_id"], orphan=True))
    for name, obs in observed.items():
        member_duplicates = getattr(handlers.get(obs.type), "member_duplicates", None)
        if member_duplicates is None or obs.obj is None:
            continue
        for key, mtype, item, why, deleter in member_duplicates(obs.obj):
            deletes.append(Action(f"{name}/{key}", mtype, "delete", f"duplicate of {name}/{key} ({why})",
                                  physical_id=item.physical_id, orphan=True, duplicate_of=f"{name}/{key}",
                                  obj=item.obj, handler=deleter))
    seen = {(a.type, a.physical_id) for a in deletes} | {(a.type, a.physical_id) for a in forward}
    for orphan in orphans:
        if (orphan.type, orphan.physical_id) in seen:
            continue
        if orphan.duplicate_of:
            # the copy leaves with the resource's deletion policy: Retain unmarks it, Snapshot snapshots it
            rdef = resolved.resources.get(orphan.duplicate_of)
            policy = (rdef.deletion_policy if rdef is not None else None) or \
                (rec_res.get(orphan.duplicate_of) or {}).get("deletion_policy") or "Delete"
            deletes.append(Action(orphan.duplicate_of, orphan.type, "delete",
                                  f"duplicate of {orphan.duplicate_of} ({orphan.kept})",
                                  physical_id=orphan.physical_id, deletion_policy=policy, orphan=True,
                                  duplicate_of=orphan.duplicate_of, obj=orphan.obj))
            continue
        deletes.append(Action(f"orphan:{orphan.physical_id}", orphan.type, "delete",
                              "marked as this stack's but not in the template or record (orphan)",
                              physical_id=orphan.physical_id, orphan=True))
    return Plan(forward, deletes, observed, desired_props)


def _keep_fitting(name: str, handler: Handler, obs: Observed, desired: Mapping[str, Any],
                  orphans: list[Observed]) -> Observed:
    """The unrecorded copy kept of ``name`` does not fit the copies kept of its dependencies
    (a subnet on a network copy that goes): keep the first other copy that fits instead."""
    for item in obs.others:
        if handler.fits(item.obj, desired):
            break
    else:
        return obs
    why = f"keeping {item.physical_id}, the oldest on the copies kept of what it depends on"
    for i, orphan in enumerate(orphans):
        if orphan.duplicate_of == name and orphan.type == obs.type:
            if orphan.physical_id == item.physical_id:
                orphans[i] = Observed(obs.type, obs.physical_id, obs.obj, "marks", duplicate_of=name, kept=why)
            else:
                orphan.kept = why
    return Observed(obs.type, item.physical_id, item.obj, getattr(item, "source", "marks"))


def change_reason(props: Iterable[str], notes: Mapping[str, tuple[bool, str]]) -> str:
    """``a, b (replace only); c (resize)``: changed properties grouped by how they are applied."""
    groups: dict[str, list[str]] = {}
    for prop in props:
        groups.setdefault(notes.get(prop, (False, ""))[1], []).append(prop)
    return "; ".join(", ".join(names) + (f" ({note})" if note else "") for note, names in groups.items())


def _desired_partial(handler: Handler, name: str, props: Mapping[str, Any]) -> dict:
    """``desired`` for properties that are known; unknown ones are kept as UNKNOWN."""
    known = {k: v for k, v in props.items() if not is_unknown(v)}
    try:
        out = handler.desired(name, known)
    except Exception:  # noqa: BLE001 - lookups over unknown values
        out = dict(known)
    out.update({k: UNKNOWN for k, v in props.items() if is_unknown(v)})
    return out
