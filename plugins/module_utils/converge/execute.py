"""Executor: runs a plan along the dependency graph with bounded parallelism.

Every physical id is written to the record the moment the API returns it; failures stop
new work (running actions finish), and with ``rollback`` the resources this run created
are deleted again.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.plan import (
    Action, Plan, _changes, delete_rank, digest, is_unknown, walk_path)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context, Handler, HandlerError, to_plain
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import status_of
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.plan import known_resources
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.walk import run_graph
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import StackRecord


class ActionFailed(Exception):
    """One resource action failed (message already names resource and type)."""


class Runtime:
    """Real values for get_resource/get_attr during apply (thread-safe)."""

    def __init__(self, handlers: Mapping[str, Handler], known: dict) -> None:
        self.handlers = handlers
        self.known = dict(known)
        self.lock = threading.Lock()

    def set(self, name: str, rtype: str, pid: str, obj: Any) -> None:
        with self.lock:
            self.known[name] = (rtype, pid, obj)

    def get_resource(self, name: str) -> Any:
        with self.lock:
            rtype, pid, obj = self.known[name]
        return self.handlers[rtype].ref(obj, pid)

    def get_attr(self, name: str, attr: str, *path: Any) -> Any:
        with self.lock:
            entry = self.known.get(name)
        if entry is None:
            return None
        rtype, _pid, obj = entry
        if obj is None:
            return None
        return walk_path(self.handlers[rtype].attribute(obj, attr), path)


@dataclass
class Outcome:
    """What an apply did."""

    failures: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    created: list = field(default_factory=list)
    #: in-place updates of this run: (name, type, physical id, record entry before, desired)
    updated: list = field(default_factory=list)
    #: replacements of this run: name -> {"entry": record entry before, "old_alive": bool}
    replaced: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    rolled_back: bool = False


class Executor:
    """Applies a :class:`Plan`."""

    def __init__(self, resolved: Any, plan: Plan, handlers: Mapping[str, Handler], record: StackRecord,
                 redactor: Redactor, salt: str, max_concurrency: int = 8, stack_timeout: float = 3600.0,
                 rollback: bool = False, ctx: Context | None = None,
                 wait: bool = True) -> None:
        self.resolved = resolved
        self.plan = plan
        self.handlers = handlers
        self.record = record
        self.redactor = redactor
        self.salt = salt
        self.max_concurrency = max_concurrency
        self.deadline = time.monotonic() + stack_timeout
        self.stack_timeout = stack_timeout
        #: the handlers' context: its stack deadline bounds every wait of this run's actions
        self.ctx = ctx
        self.rollback = rollback
        #: False (``wait: false``): a create or delete nothing else in the run needs is not waited for
        self.wait = wait
        #: resources other forward actions depend on: always waited for (their dependants' calls need them)
        self.needed = {dep for a in plan.forward for dep in a.depends_on}
        self.outcome = Outcome()
        self.lock = threading.Lock()
        self.runtime = Runtime(handlers, known_resources(plan.observed))

    # ---- helpers -------------------------------------------------------------------
    def _event(self, name: str, action: str, status: str, reason: str = "", pid: str | None = None) -> None:
        ev = self.record.event(name, action, status, reason, pid)
        with self.lock:
            self.outcome.events.append(ev)

    def _fail(self, action: Action, verb: str, exc: BaseException) -> ActionFailed:
        if isinstance(exc, (HandlerError, HeatlikeError)):
            detail = str(exc)
        else:
            status = status_of(exc)
            detail = " ".join(str(exc).split()) or type(exc).__name__
            if status and str(status) not in detail:
                detail = f"HTTP {status}: {detail}"
        msg = self.redactor.text(f"resources.{action.name} ({action.type}): {verb} failed: {detail}")
        return ActionFailed(msg)

    def _entry_fields(self, name: str, action: Action, desired: Mapping[str, Any]) -> dict:
        handler = self.handlers[action.type]
        secret = handler.secret_props()
        shown = {k: (MASK if k in secret and v is not None else v) for k, v in desired.items()}
        return {"type": action.type, "properties": self.redactor.redact(shown),
                "digests": {k: digest(self.salt, v) for k, v in desired.items()},
                "depends_on": sorted(action.depends_on), "deletion_policy": action.deletion_policy}

    def _resolve(self, action: Action) -> dict:
        rdef = self.resolved.resources[action.name]
        handler = self.handlers[action.type]
        props = rdef.resolve_properties(self.runtime)
        return handler.desired(action.name, props)

    def _skips_wait(self, name: str) -> bool:
        """Whether the create of ``name`` returns without waiting (``wait: false``, no dependant)."""
        return not self.wait and name not in self.needed

    # ---- forward actions -------------------------------------------------------------
    def _create(self, action: Action, desired: dict) -> None:
        handler = self.handlers[action.type]
        name = action.name
        skip = self._skips_wait(name)
        self.record.set_resource(name, status="CREATE_IN_PROGRESS", physical_id=None,
                                 **self._entry_fields(name, action, desired))
        self._event(name, "CREATE", "IN_PROGRESS")
        pid_box: list[str] = []

        def on_id(pid: str) -> None:
            pid_box.append(pid)
            self.record.set_resource(name, physical_id=pid)
            with self.lock:
                self.outcome.created.append((name, action.type, pid))

        try:
            with handler.ctx.without_wait(skip):
                obj = handler.create(name, desired, on_id)
        except Exception as exc:
            self.record.set_resource(name, status="CREATE_FAILED")
            err = self._fail(action, "create", exc)
            self._event(name, "CREATE", "FAILED", str(err), pid_box[0] if pid_box else None)
            raise err from None
        pid = pid_box[0] if pid_box else handler.physical_id(obj)
        self.runtime.set(name, action.type, pid, obj)
        if skip and obj is not None and not handler.local and handler.readiness(obj) != "ready":
            # accepted, still being built: the next run resumes (waits for) it
            self.record.set_resource(name, status="CREATE_IN_PROGRESS", physical_id=pid)
            self._event(name, "CREATE", "IN_PROGRESS", "accepted, not waited for (wait: false)", pid)
            return
        self.record.set_resource(name, status="CREATE_COMPLETE", physical_id=pid)
        self._event(name, "CREATE", "COMPLETE", pid=pid)

    def _resume(self, action: Action, desired: dict) -> None:
        """A killed run left the resource half-built: wait for it instead of creating another."""
        handler = self.handlers[action.type]
        name, pid = action.name, action.physical_id
        self.record.set_resource(name, status="CREATE_IN_PROGRESS", physical_id=pid,
                                 **self._entry_fields(name, action, desired))
        self._event(name, "CREATE", "IN_PROGRESS", action.reason, pid)
        try:
            obj = handler.wait_ready(pid)
        except Exception as exc:
            self.record.set_resource(name, status="CREATE_FAILED")
            err = self._fail(action, "create (resumed)", exc)
            self._event(name, "CREATE", "FAILED", str(err), pid)
            raise err from None
        self.runtime.set(name, action.type, pid, obj)
        self.record.set_resource(name, status="CREATE_COMPLETE")
        self._event(name, "CREATE", "COMPLETE", pid=pid)

    def _delete_physical(self, action: Action, name: str, rtype: str, pid: str, obj: Any, policy: str) -> None:
        handler = action.handler or self.handlers[rtype]
        if policy == "Retain":
            unmark = getattr(handler, "unmark", None)
            if unmark:
                unmark(pid)
            return
        handler.delete(pid, obj, policy)

    def _forward(self, action: Action) -> None:
        name = action.name
        handler = self.handlers[action.type]
        obs = self.plan.observed.get(name)
        mark = getattr(handler, "ensure_marks", None)
        if mark is not None and obs is not None and obs.source in ("record", "description", "name") and obs.obj is not None:
            obs.obj = mark(obs.obj, name)
        if action.action == "unchanged":
            rtype, pid, obj = self.runtime.known[name]
            entry = self.record.resources.get(name) or {}
            desired = self.plan.desired_props.get(name) or {}
            if not entry or entry.get("physical_id") != pid or entry.get("type") != action.type or \
                    not str(entry.get("status", "")).endswith("COMPLETE"):
                fields = self._entry_fields(name, action, desired)
                self.record.set_resource(name, status="CREATE_COMPLETE", physical_id=pid, **fields)
            elif entry.get("digests") and not is_unknown(desired):
                fields = self._entry_fields(name, action, desired)
                if fields["digests"] != entry["digests"]:
                    # the cloud already matches the template (a killed run's update landed after
                    # its record write was lost): the record takes the template's values
                    self.record.set_resource(name, status="UPDATE_COMPLETE", **fields)
            keep_record = getattr(handler, "record_unchanged", None)
            if keep_record is not None:
                keep_record(obj)  # nested stacks rewrite a lost record of their own
            return
        try:
            desired = self._resolve(action)
        except HeatlikeError:
            raise
        except Exception as exc:
            raise self._fail(action, "resolving properties", exc) from None
        if action.action == "create" and action.resume:
            self._resume(action, desired)
            return
        if action.action == "create":
            self._create(action, desired)
            return
        obs = self.plan.observed.get(name)
        if action.action == "update":
            entry = self.record.resources.get(name)
            changes, _drift = _changes(handler, desired, obs, entry, self.salt)
            if not changes:
                self.record.set_resource(name, status="UPDATE_COMPLETE", **self._entry_fields(name, action, desired))
                return
            if any(rep for rep, _note in handler.change_notes(set(changes), desired).values()):
                action.action = "replace"
            else:
                self._event(name, "UPDATE", "IN_PROGRESS", "changed: " + ", ".join(sorted(changes)))
                with self.lock:
                    self.outcome.updated.append((name, action.type, obs.physical_id,
                                                 copy.deepcopy(self.record.resources.get(name)), desired))
                try:
                    obj = handler.update(obs.obj, name, desired, set(changes))
                except Exception as exc:
                    self.record.set_resource(name, status="UPDATE_FAILED")
                    err = self._fail(action, "update", exc)
                    self._event(name, "UPDATE", "FAILED", str(err))
                    raise err from None
                pid = obs.physical_id
                if obj is not None and not handler.local:
                    try:
                        pid = handler.physical_id(obj)
                    except Exception:  # noqa: BLE001
                        pid = obs.physical_id
                self.runtime.set(name, action.type, pid, obj)
                self.record.set_resource(name, status="UPDATE_COMPLETE", physical_id=pid,
                                         **self._entry_fields(name, action, desired))
                self._event(name, "UPDATE", "COMPLETE", pid=pid)
                return
        # replace
        old_pid = obs.physical_id if obs else action.physical_id
        old_obj = obs.obj if obs else None
        self._event(name, "REPLACE", "IN_PROGRESS", action.reason, old_pid)
        old_item = {"resource": name, "type": action.type, "physical_id": old_pid}
        # the replaced resource leaves with its own deletion policy (Heat deletes it with the
        # definition it was created with: Retain keeps it, unmarked; Snapshot snapshots it)
        old_policy = (self.record.resources.get(name) or {}).get("deletion_policy") or action.deletion_policy
        replaced = {"entry": copy.deepcopy(self.record.resources.get(name)), "old_alive": bool(old_pid),
                    "old_item": old_item}
        with self.lock:
            self.outcome.replaced[name] = replaced
        if old_pid and handler.create_before_delete and not handler.local:
            self.record.add_pending_delete(old_item)
            self._create(action, desired)
            try:
                self._delete_physical(action, name, action.type, old_pid, old_obj, old_policy)
            except Exception as exc:
                raise self._fail(action, "deleting the replaced resource", exc) from None
            replaced["old_alive"] = False
            self.record.done_pending_delete(old_item)
        else:
            # delete first (both cannot coexist); if the delete fails the old one stays the resource
            if old_pid:
                try:
                    self._delete_physical(action, name, action.type, old_pid, old_obj, old_policy)
                except Exception as exc:
                    self.record.set_resource(name, status="UPDATE_FAILED")
                    raise self._fail(action, "delete (for replacement)", exc) from None
                replaced["old_alive"] = False
                self.record.set_resource(name, status="DELETE_COMPLETE", physical_id=None)
            self._create(action, desired)

    # ---- deletes ---------------------------------------------------------------------
    def _delete(self, action: Action) -> None:
        name = action.name
        obs = None if action.duplicate_of else self.plan.observed.get(name)  # a duplicate: never the kept copy
        obj = action.obj if action.duplicate_of else (obs.obj if obs is not None and obs.type == action.type else None)
        from_record = getattr(self.handlers.get(action.type), "obj_from_record", None)
        if obj is None and from_record is not None and not action.duplicate_of:
            obj = from_record(self.record.resources.get(name) or {})
        item = {"resource": name, "type": action.type, "physical_id": action.physical_id}
        self._event(name, "DELETE", "IN_PROGRESS", action.reason, action.physical_id)
        if not action.orphan:
            self.record.set_resource(name, status="DELETE_IN_PROGRESS")
        try:
            if action.physical_id:
                self._delete_physical(action, name, action.type, action.physical_id, obj, action.deletion_policy)
        except Exception as exc:
            if not action.orphan:
                self.record.set_resource(name, status="DELETE_FAILED")
            err = self._fail(action, "delete", exc)
            self._event(name, "DELETE", "FAILED", str(err), action.physical_id)
            raise err from None
        if action.orphan:
            self.record.done_pending_delete(item)
        elif name not in self.resolved_names():
            self.record.drop_resource(name)
        self._event(name, "DELETE", "COMPLETE", "retained" if action.deletion_policy == "Retain" else "",
                    action.physical_id)

    def resolved_names(self) -> set:
        """Logical names the template wants."""
        return set(self.resolved.resources) if self.resolved is not None else set()

    @staticmethod
    def delete_deps(keys: Mapping[str, Action]) -> dict[str, set]:
        """What each delete waits for: the wiring graph reversed, plus type ranks for resources of unknown wiring."""
        by_name: dict[str, list[str]] = {}
        for key, a in keys.items():
            by_name.setdefault(a.name, []).append(key)
        wiring = Graph(keys, {key: {dep_key for dep in a.depends_on for dep_key in by_name.get(dep, [])}
                              for key, a in keys.items()})
        deps = wiring.reversed().requires  # a dependency is deleted after what depends on it
        for key, a in keys.items():
            if not a.orphan:
                continue
            rank = delete_rank(a.type)
            if rank is None:
                continue
            for other_key, other in keys.items():
                other_rank = delete_rank(other.type)
                if other_key != key and other_rank is not None and other_rank < rank:
                    deps[key].add(other_key)
        return deps

    # ---- run -------------------------------------------------------------------------
    def run(self) -> Outcome:
        """Apply forward actions along the graph, then deletes in reverse order."""
        if self.ctx is not None:
            self.ctx.stack_deadline, self.ctx.stack_timeout = self.deadline, self.stack_timeout
        forward = {a.name: a for a in self.plan.forward}
        nodes = {n: (lambda a=a: self._forward(a)) for n, a in forward.items()}
        failures = run_graph(nodes, {n: a.depends_on for n, a in forward.items()}, self.max_concurrency,
                             self.deadline)
        if not failures and self.plan.deletes:
            failures = self._run_deletes(self.plan.deletes, self._delete, self.deadline, wait=self.wait)
        if "(stack)" in failures:
            failures["(stack)"] = TimeoutError(f"stack_timeout ({self.stack_timeout:g} s) reached before every "
                                               "action had started; the rest was not started")
        self.outcome.failures = failures
        if self.ctx is not None:
            self.ctx.stack_deadline = None  # a rollback gets its resource timeouts, not the spent stack one
        if failures and self.rollback and (self.outcome.created or self.outcome.updated or self.outcome.replaced):
            self._rollback()
        return self.outcome

    def _run_deletes(self, actions: list[Action], delete: Callable[[Action], None],
                     deadline: float | None = None, wait: bool = True) -> dict[str, BaseException]:
        """Run ``delete`` on every action along the deletion order (dependants first).

        ``wait`` False: a delete that no later delete waits for returns once the API accepted it.
        """
        keys = {f"{a.name}|{a.type}|{a.physical_id}": a for a in actions}
        deps = self.delete_deps(keys)
        awaited = {k for ks in deps.values() for k in ks}

        def node(key: str, a: Action) -> Callable[[], None]:
            def run() -> None:
                handler = a.handler or self.handlers[a.type]  # a group member's copy brings its own
                with handler.ctx.without_wait(not wait and key not in awaited):
                    delete(a)
            return run

        nodes = {k: node(k, a) for k, a in keys.items()}
        return run_graph(nodes, deps, self.max_concurrency, deadline)

    def _restore_updates(self) -> dict[str, BaseException]:
        """Update the resources this run updated in place back to their recorded properties."""
        failures: dict[str, BaseException] = {}
        for name, rtype, pid, prev, desired in reversed(self.outcome.updated):
            handler = self.handlers[rtype]
            action = Action(name, rtype, "update", "rollback", physical_id=pid)
            if not prev:
                continue
            before = prev.get("properties") or {}
            digests = prev.get("digests") or {}
            changed = {k for k in set(digests) | set(desired)
                       if digests.get(k, digest(self.salt, None)) != digest(self.salt, desired.get(k))}
            if not changed:
                continue
            secret = sorted(k for k in changed if self.redactor.contains_secret(desired.get(k)) or
                            MASK in repr(before.get(k)))
            if secret:
                err = ActionFailed(f"resources.{name} ({rtype}): not rolled back: the previous value of"
                                   f" {', '.join(secret)} is a secret the record does not keep")
                self._event(name, "ROLLBACK", "FAILED", str(err), pid)
                failures[f"rollback:{name}"] = err
                continue
            props = {k: (before.get(k) if k in changed else v) for k, v in desired.items()}
            props.update({k: before[k] for k in changed if k not in props and k in before})
            self._event(name, "ROLLBACK", "IN_PROGRESS", "restoring: " + ", ".join(sorted(changed)), pid)
            try:
                known = self.runtime.known.get(name)
                obj = known[2] if known is not None and known[2] is not None else (
                    None if handler.local else handler.fetch(pid))
                handler.update(obj, name, props, changed)
            except Exception as exc:  # noqa: BLE001 - reported with the run's failures
                err = self._fail(action, "rollback update", exc)
                self._event(name, "ROLLBACK", "FAILED", str(err), pid)
                failures[f"rollback:{name}"] = err
                continue
            fields = {k: v for k, v in prev.items() if k != "status"}
            self.record.set_resource(name, status="ROLLBACK_COMPLETE", **fields)
            self._event(name, "ROLLBACK", "COMPLETE", "", pid)
        return failures

    def _rollback(self) -> None:
        restore_failures = self._restore_updates()
        created = []
        for name, rtype, pid in self.outcome.created:
            replaced = self.outcome.replaced.get(name)
            entry = self.record.resources.get(name) or {}
            if replaced is not None and not replaced["old_alive"] and entry.get("physical_id") == pid and \
                    entry.get("status") == "CREATE_COMPLETE":
                # the replaced resource is gone already: the working replacement stays
                err = ActionFailed(f"resources.{name} ({rtype}): not rolled back: the replaced resource was"
                                   " already deleted; the replacement is kept")
                self._event(name, "ROLLBACK", "FAILED", str(err), pid)
                restore_failures[f"rollback:{name}"] = err
                continue
            created.append((name, rtype, pid))
        actions = []
        for name, rtype, pid in created:
            entry = self.record.resources.get(name) or {}
            actions.append(Action(name, rtype, "delete", "rollback", physical_id=pid,
                                  depends_on=set(entry.get("depends_on") or [])))

        def undo(a: Action) -> None:
            self._event(a.name, "ROLLBACK", "IN_PROGRESS", "", a.physical_id)
            try:
                self.handlers[a.type].delete(a.physical_id, None, "Delete")
            except Exception as exc:
                raise self._fail(a, "rollback delete", exc) from None
            entry = self.record.resources.get(a.name) or {}
            replaced = self.outcome.replaced.get(a.name)
            if replaced is not None and replaced["old_alive"] and replaced["entry"]:
                # the old half of the replacement is the resource again
                fields = {k: v for k, v in replaced["entry"].items() if k != "status"}
                self.record.set_resource(a.name, status="ROLLBACK_COMPLETE", **fields)
                self.record.done_pending_delete(replaced["old_item"])
            elif entry.get("physical_id") == a.physical_id:
                self.record.drop_resource(a.name)
            self._event(a.name, "ROLLBACK", "COMPLETE", "", a.physical_id)

        failures = self._run_deletes(actions, undo)
        created_names = {name for name, _t, _p in created} | {n for n, e in self.record.resources.items()
                                                              if not e.get("physical_id")}
        for name in created_names:
            entry = self.record.resources.get(name) or {}
            replaced = self.outcome.replaced.get(name)
            if replaced is not None and replaced["old_alive"] and replaced["entry"] and \
                    entry.get("status") in ("CREATE_FAILED", "CREATE_IN_PROGRESS"):
                fields = {k: v for k, v in replaced["entry"].items() if k != "status"}
                self.record.set_resource(name, flush=False, status="ROLLBACK_COMPLETE", **fields)
                self.record.done_pending_delete(replaced["old_item"])
            elif not entry.get("physical_id") or entry.get("status") in ("CREATE_FAILED", "CREATE_IN_PROGRESS"):
                self.record.drop_resource(name, flush=False)
        self.record.flush()
        self.outcome.rolled_back = not failures and not restore_failures
        for key, exc in failures.items():
            self.outcome.failures[f"rollback:{key}"] = exc
        self.outcome.failures.update(restore_failures)


def first_error(failures: Mapping[str, BaseException], redactor: Redactor) -> CloudError:
    """One clear error for a failed run (the first failure; the count of others)."""
    items = sorted(failures.items())
    name, exc = items[0]
    msg = str(exc) if isinstance(exc, (ActionFailed, HeatlikeError)) else f"{name}: {exc}"
    if len(items) > 1:
        msg += f" (and {len(items) - 1} more failure(s): {', '.join(item[0].split('|')[0] for item in items[1:])})"
    return CloudError(redactor.text(msg))


__all__ = ["Executor", "Outcome", "first_error", "to_plain"]
