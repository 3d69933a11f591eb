"""The stack module's job, engine side: observe -> plan -> execute -> report.

``converge`` (state present), ``destroy`` (state absent) and ``describe`` (info) take an
openstacksdk connection and a resolved stack (from ``stack.load_stack``) and return the
module result. Nothing here imports Ansible.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import secrets as pysecrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    CloudError, PropertyError, RestrictedActionError, TemplateError)
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.execute import Executor, first_error
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.plan import (
    UNKNOWN, Plan, PlanRuntime, is_unknown, make_handlers, observe, plan as make_plan)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context, HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.nested_stack import (
    NestedStackHandler, nested_stack_id)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import RetryPolicy
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend, StackRecord, now

SALT_KEY = "_salt"


@dataclass
class Options:
    """Run options (all exposed by the module)."""

    state_dir: str = "~/.heatlike/stacks"
    max_concurrency: int = 8
    stack_timeout: float = 3600.0
    resource_timeout: float = 1800.0
    rollback: bool = False
    lock_timeout: float = 0.0
    retries: int = 5
    retry_base: float = 1.0
    max_events: int = 1000
    signal_receiver_url: str | None = None
    check_mode: bool = False
    diff: bool = False


class _Result(dict):
    """Module result plus the failure (if any) the module turns into fail_json."""

    error: str | None = None
    runtime: Any = None


NESTED_DIR = "nested"


class NestedBackend(LocalBackend):
    """Records of nested stacks (``<stack>/<logical>``): ``<state_dir>/nested/<quoted name>.json``."""

    def _path(self, stack: str, suffix: str) -> str:
        return os.path.join(self.directory, urllib.parse.quote(stack, safe="") + suffix)

    def list_stacks(self) -> list[str]:
        """Names of the nested stacks that have a record."""
        return sorted(urllib.parse.unquote(n) for n in super().list_stacks())


def nested_backend(opts: Options) -> NestedBackend:
    """Where the records of nested stacks live."""
    return NestedBackend(os.path.join(os.path.expanduser(opts.state_dir), NESTED_DIR))


@dataclass
class _Prepared:
    """One stack's observation and plan, ready to execute."""

    name: str
    resolved: Any
    record: dict
    store: dict
    salt: str
    ctx: Context
    handlers: dict
    plan: Plan
    backend: LocalBackend

    def plan_runtime(self) -> PlanRuntime:
        """get_resource/get_attr over the plan (resources still to be created are unknown)."""
        known = {n: (o.type, o.physical_id, o.obj) for n, o in self.plan.observed.items()}
        pending = {a.name for a in self.plan.forward if a.action in ("create", "replace")}
        return PlanRuntime(self.handlers, known, pending, set())


class NestedDriver:
    """Runs the engine on the nested stacks of one stack level (``ctx.nested`` of its handlers)."""

    def __init__(self, conn: Any, stack_name: str, opts: Options, redactor: Redactor, resolved: Any,
                 record: Mapping[str, Any]) -> None:
        self.conn = conn
        self.stack_name = stack_name
        self.opts = dataclasses.replace(opts, check_mode=False, diff=False)
        self.redactor = redactor
        self.backend = nested_backend(opts)
        resources = resolved.resources if resolved is not None else {}
        self.loaders = {n: r.nested_loader for n, r in resources.items() if getattr(r, "nested_loader", None)}
        self.member_loaders = {n: r.member_loader for n, r in resources.items()
                               if getattr(r, "member_loader", None)}
        self.desired_names = set(resources)
        self.desired_types = {n: r.type for n, r in resources.items()}
        self.names = set(resources) | set(record.get("resources") or {})
        self.hidden: set = set()
        #: events of the nested runs of this level, resources named ``<logical>/<nested logical>``
        self.events: list = []
        for r in resources.values():
            if getattr(r, "nested", None) is not None:
                self.hidden |= set(r.nested.hidden)

    def provider_types(self, desired_types: Mapping[str, str], record: Mapping[str, Any]) -> set:
        """Types converged as nested stacks at this level (one-line error on an ambiguous type)."""
        provider = {desired_types[n] for n in self.loaders}
        for name, rtype in sorted(desired_types.items()):
            if rtype in provider and name not in self.loaders:
                other = sorted(n for n in self.loaders if desired_types[n] == rtype)[0]
                raise PropertyError(f"resources.{name}: type {rtype} is a provider template for {other} (a "
                                    "per-resource override) and a plain type here; os_heatlike_stack cannot "
                                    "converge both in one stack")
        plain = set(desired_types.values()) - provider
        for name, entry in (record.get("resources") or {}).items():
            rtype = entry.get("type")
            # a provider resource that left the template, or whose template moved (its type is
            # the template's URL): the old type's handler deletes, or leaves it to the new one
            if (name not in desired_types or name in self.loaders) and rtype and rtype not in plain and \
                    entry.get("physical_id") == nested_stack_id(self.stack_name, name):
                provider.add(rtype)
        return provider

    def logical_for(self, stack_name: str, physical_id: str) -> str | None:
        """The logical name whose nested stack id is ``physical_id``."""
        return next((n for n in sorted(self.names) if nested_stack_id(stack_name, n) == physical_id), None)

    def hidden_params(self) -> set:
        """Names of hidden parameters of this level's provider templates."""
        return self.hidden

    @staticmethod
    def fingerprint(props: Any) -> str:
        """A stable key of resolved properties."""
        return hashlib.sha256(json.dumps(props, sort_keys=True, default=repr).encode()).hexdigest()

    @staticmethod
    def is_unknown(value: Any) -> bool:
        """True when ``value`` holds something known only after apply."""
        return is_unknown(value)

    def load(self, loader: Any, params: dict, logical: str) -> Any:
        """The nested template resolved with real parameter values (its secrets registered)."""
        resolved = loader(params, logical)
        for value in resolved.hidden_values or ():
            self.redactor.add(value)
        self.hidden |= set(resolved.hidden or ())
        return resolved

    def children(self, stack_name: str) -> list[str]:
        """Logical names of the nested stacks with a record directly below ``stack_name``."""
        prefix = stack_name + "/"
        return [n[len(prefix):] for n in self.backend.list_stacks() if n.startswith(prefix) and "/" not in n[len(prefix):]]

    def exists(self, name: str) -> bool:
        """Whether the nested stack has a record."""
        return self.backend.load(name) is not None

    def prepare(self, name: str, resolved: Any) -> _Prepared:
        """Observe and plan the nested stack ``name`` (``resolved`` None: delete everything)."""
        return _prepare(self.conn, name, resolved, self.opts, self.redactor, self.backend)

    def apply(self, prep: _Prepared) -> Any:
        """Execute a nested plan; returns the runtime (get_resource/get_attr of its resources)."""
        result = _run(self.conn, prep.name, prep.resolved, self.opts, self.redactor, self.backend,
                      prepared=prep, report=False)
        self._keep_events(prep.name, result)
        if result.error:
            raise HandlerError(f"nested stack {prep.name}: {result.error}")
        return result.runtime

    def _keep_events(self, name: str, result: Mapping[str, Any]) -> None:
        rel = name[len(self.stack_name) + 1:] if name.startswith(self.stack_name + "/") else name
        self.events.extend(dict(ev, resource=f"{rel}/{ev.get('resource')}") for ev in result.get("events") or [])

    def destroy(self, name: str) -> None:
        """Delete the nested stack ``name`` in reverse order (its own nested stacks included)."""
        result = _destroy(self.conn, name, self.opts, self.redactor, self.backend)
        self._keep_events(name, result)
        if result.error:
            raise HandlerError(f"nested stack {name}: {result.error}")


def _check_name(stack_name: str) -> None:
    if not ownership.valid_stack_name(stack_name):
        raise TemplateError(f"stack name '{stack_name}' is invalid: it must start with a letter and contain "
                            "only letters, digits, '_', '.', '-' (at most 255 characters)")


def template_hash(resolved: Any) -> str:
    """Hash of what the template asks for (types, properties in template form, outputs)."""
    doc = {n: [r.type, r.properties, sorted(r.depends_on)] for n, r in resolved.resources.items()}
    text = json.dumps([doc, resolved.outputs], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _context(conn: Any, stack_name: str, opts: Options, redactor: Redactor, store: dict) -> Context:
    return Context(conn=conn, stack_name=stack_name, resource_timeout=opts.resource_timeout,
                   retry=RetryPolicy(attempts=opts.retries + 1, base=opts.retry_base),
                   local_store=store, secret_sink=redactor.add, signal_receiver_url=opts.signal_receiver_url)


def _register_store_secrets(store: Mapping[str, Any], redactor: Redactor) -> None:
    for key, values in store.items():
        if key != SALT_KEY and isinstance(values, Mapping):
            for sub, value in values.items():
                redactor.add(value)
                if key.startswith("group:") and str(sub).startswith("OS::") and isinstance(value, Mapping):
                    _register_store_secrets({sub: value}, redactor)  # a ResourceGroup member's secrets


def _diff(plan: Plan, record: Mapping[str, Any], redactor: Redactor, handlers: Mapping) -> dict:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    rec_res = record.get("resources") or {}
    for act in plan.changes:
        if act.action == "create":
            after[act.name] = {"type": act.type, "properties": plan.desired_props.get(act.name, {})}
        elif act.action == "delete":
            entry = rec_res.get(act.name) or {}
            before[act.name] = {"type": act.type, "physical_id": act.physical_id,
                                "properties": entry.get("properties", {})}
        else:
            before[act.name] = {k: v["before"] for k, v in act.changes.items()}
            after[act.name] = {k: v["after"] for k, v in act.changes.items()}
            if act.action == "replace" and not act.changes:
                before[act.name] = {"physical_id": act.physical_id}
                after[act.name] = {"physical_id": UNKNOWN}
    types = {a.name: a.type for a in plan.changes}
    for side in (before, after):
        for name, value in side.items():
            handler = handlers.get(types.get(name))
            secret = handler.secret_props() if handler else frozenset()
            props = value.get("properties", value) if isinstance(value, dict) else value
            if isinstance(props, dict):
                for key in list(props):
                    if key in secret and props[key] is not None:
                        props[key] = "******"
    if not before and not after:
        return {}
    return redactor.redact({"before": before, "after": after})


def _resources(plan: Plan | None, record: Mapping[str, Any], stack_name: str | None = None,
               opts: Options | None = None, nested_entries: list | None = None) -> dict:
    out = {}
    actions = {a.name: a for a in plan.forward} if plan else {}
    for name, entry in (record.get("resources") or {}).items():
        out[name] = {"type": entry.get("type"), "physical_id": entry.get("physical_id"),
                     "status": entry.get("status"),
                     "action": actions[name].action if name in actions else "none"}
    for name, act in actions.items():
        out.setdefault(name, {"type": act.type, "physical_id": act.physical_id, "status": "NOT_CREATED",
                              "action": act.action})
    if stack_name and opts is not None:
        out.update(_nested_resources(stack_name, opts, nested_entries or []))
    return out


def _outputs(resolved: Any, runtime: Any, redactor: Redactor) -> tuple[dict, dict]:
    try:
        outputs = resolved.resolve_outputs(runtime)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return {}, {"*": redactor.text(" ".join(str(exc).split()))}
    return redactor.redact(outputs), {}


def converge(conn: Any, stack_name: str, resolved: Any, opts: Options, redactor: Redactor) -> _Result:
    """Converge ``stack_name`` to ``resolved``; in check mode return the plan only."""
    _check_name(stack_name)
    for value in getattr(resolved, "hidden_values", ()) or ():
        redactor.add(value)
    _preflight(resolved, opts)
    backend = LocalBackend(opts.state_dir)
    if opts.check_mode:
        return _run(conn, stack_name, resolved, opts, redactor, backend)
    with backend.lock(stack_name, timeout=opts.lock_timeout):
        return _run(conn, stack_name, resolved, opts, redactor, backend)


def _preflight(resolved: Any, opts: Options) -> None:
    """Checks of handlers over the whole stack, before any write (``preflight`` classmethods)."""
    for cls in {get_handler(r.type) for r in resolved.resources.values()}:
        check = getattr(cls, "preflight", None)
        if check is not None:
            check(resolved, opts)


def _prepare(conn: Any, stack_name: str, resolved: Any, opts: Options, redactor: Redactor,
             backend: LocalBackend) -> _Prepared:
    record_data = backend.load(stack_name) or {}
    store = backend.load_secrets(stack_name)
    if not store.get(SALT_KEY):
        # without the salt the record's hashes cannot be compared: judge by observed values only
        for entry in (record_data.get("resources") or {}).values():
            entry.pop("digests", None)
    salt = store.get(SALT_KEY) or pysecrets.token_hex(16)
    store[SALT_KEY] = salt
    _register_store_secrets(store, redactor)
    ctx = _context(conn, stack_name, opts, redactor, store)
    # a copy: the run's record updates its entries in place
    ctx.recorded = copy.deepcopy(record_data.get("resources") or {})
    ctx.nested = driver = NestedDriver(conn, stack_name, opts, redactor, resolved, record_data)
    desired_types = {n: r.type for n, r in resolved.resources.items()} if resolved is not None else {}
    types = set(desired_types.values()) | {e.get("type") for e in (record_data.get("resources") or {}).values()}
    types |= {i.get("type") for i in record_data.get("pending_deletes") or []}
    provider = driver.provider_types(desired_types, record_data)
    handlers = make_handlers(ctx, {t for t in types if t and t not in provider}, desired_types)
    for rtype in provider:
        handlers[rtype] = NestedStackHandler(ctx, driver.loaders.get, rtype)
    observed, orphans = observe(handlers, desired_types, record_data)
    pending_ids = {i.get("physical_id") for i in record_data.get("pending_deletes") or []}
    if pending_ids:
        # an old copy waiting for deletion is never "the" resource
        for name in [n for n, o in observed.items() if o.physical_id in pending_ids]:
            del observed[name]
    plan = make_plan(resolved if resolved is not None else _Empty(), record_data, handlers, salt,
                     observed, orphans, redactor)
    _check_restricted(plan, resolved)
    return _Prepared(stack_name, resolved, record_data, store, salt, ctx, handlers, plan, backend)


def _check_restricted(plan: Plan, resolved: Any) -> None:
    """Fail before any write when the plan updates or replaces a resource the environment protects.

    Heat checks ``restricted_actions`` resource by resource while the update runs, so resources
    before the protected one are already changed; here the whole plan is refused up front.
    """
    restricted = getattr(resolved, "restricted", None) or {}
    refused = [f"resources.{act.name}: {act.action} is restricted for resource ({act.reason})"
               for act in plan.forward if act.action in restricted.get(act.name, ())]
    if refused:
        raise RestrictedActionError("; ".join(refused) + " - restricted_actions in the environment; "
                                    "nothing was changed", file=getattr(resolved, "template_file", None))


def _nested_report(plan: Plan, handlers: Mapping, redactor: Redactor, prefix: str, diff: bool,
                   record: Mapping[str, Any]) -> tuple:
    """Plan entries and diff of the nested stacks touched by ``plan``, named ``<parent>/<child>``."""
    entries: list = []
    before: dict = {}
    after: dict = {}
    for act in plan.forward + plan.deletes:
        nested_plans = getattr(handlers.get(act.type), "nested_plans", None)
        if nested_plans is None or act.action == "unchanged":
            continue
        deleting = act.action == "delete"
        obs = plan.observed.get(act.name)
        obj = obs.obj if obs is not None else None
        from_record = getattr(handlers.get(act.type), "obj_from_record", None)
        if obj is None and from_record is not None:
            obj = from_record((record.get("resources") or {}).get(act.name) or {})
        desired = None if deleting else plan.desired_props.get(act.name)
        for rel, prep in nested_plans(act.name, obj, desired, deleting):
            sub = f"{prefix}{act.name}/{rel}"
            for item in prep.plan.changes:
                entry = item.summary(redactor)
                entry["resource"] = sub + entry["resource"]
                entries.append(entry)
            if diff:
                sub_diff = _diff(prep.plan, prep.record, redactor, prep.handlers)
                before.update({sub + k: v for k, v in (sub_diff.get("before") or {}).items()})
                after.update({sub + k: v for k, v in (sub_diff.get("after") or {}).items()})
            more = _nested_report(prep.plan, prep.handlers, redactor, sub, diff, prep.record)
            entries += more[0]
            before.update(more[1])
            after.update(more[2])
    return entries, before, after


def _nested_resources(stack_name: str, opts: Options, entries: list) -> dict:
    """Resources of the nested stacks below ``stack_name`` as ``<child>/<name>`` (from their records)."""
    backend = nested_backend(opts)
    actions = {e["resource"]: e["action"] for e in entries}
    out = {}
    for name in backend.list_stacks():
        if not name.startswith(stack_name + "/"):
            continue
        rel = name[len(stack_name) + 1:]
        for res, entry in ((backend.load(name) or {}).get("resources") or {}).items():
            key = f"{rel}/{res}"
            out[key] = {"type": entry.get("type"), "physical_id": entry.get("physical_id"),
                        "status": entry.get("status"), "action": actions.get(key, "none")}
    for entry in entries:
        if entry["action"] != "delete":
            out.setdefault(entry["resource"], {"type": entry.get("type"), "physical_id": entry.get("physical_id"),
                                               "status": "NOT_CREATED", "action": entry["action"]})
    return out


class _Empty:
    """A stack with no resources (state absent)."""

    resources: dict = {}
    creation_order: list = []
    outputs: dict = {}

    def resolve_outputs(self, runtime: Any) -> dict:
        return {}


def _run(conn: Any, stack_name: str, resolved: Any, opts: Options, redactor: Redactor,
         backend: LocalBackend, prepared: _Prepared | None = None, report: bool = True) -> _Result:
    started = time.monotonic()
    prep = prepared or _prepare(conn, stack_name, resolved, opts, redactor, backend)
    record_data, store, salt, ctx, handlers, plan = (prep.record, prep.store, prep.salt, prep.ctx, prep.handlers,
                                                     prep.plan)
    changes = plan.changes
    result = _Result(changed=bool(changes), plan=[a.summary(redactor) for a in changes])
    nested_entries: list = []
    nested_before: dict = {}
    nested_after: dict = {}
    if report:
        nested_entries, nested_before, nested_after = _nested_report(plan, handlers, redactor, "", opts.diff, record_data)
        result["plan"] += nested_entries
    if opts.diff:
        result["diff"] = _diff(plan, record_data, redactor, handlers)
        if nested_before or nested_after:
            result["diff"].setdefault("before", {}).update(nested_before)
            result["diff"].setdefault("after", {}).update(nested_after)
    if opts.check_mode:
        known = {n: (o.type, o.physical_id, o.obj) for n, o in plan.observed.items()}
        pending = {a.name for a in plan.forward if a.action in ("create", "replace")}
        outputs, _errors = _outputs(resolved, PlanRuntime(handlers, known, pending, set()), redactor)
        result.update(outputs=outputs, resources=_resources(plan, record_data, stack_name, opts, nested_entries),
                      events=[],
                      stack={"name": stack_name, "status": (record_data.get("stack") or {}).get("status", "NONE"),
                             "check_mode": True})
        return result
    # the salt (and generated secrets) must be on disk before any digest is
    backend.save_secrets(stack_name, store)
    ctx.persist_store = lambda: backend.save_secrets(stack_name, store)
    record = StackRecord(backend, stack_name, redactor, record_data, max_events=opts.max_events)
    creating = not record_data
    info = record.stack_info
    info.update(name=stack_name, template_hash=template_hash(resolved),
                status=("CREATE" if creating else "UPDATE") + "_IN_PROGRESS", updated_at=now())
    info.setdefault("created_at", now())
    if changes or creating:
        record.flush()
    executor = Executor(resolved, plan, handlers, record, redactor, salt, opts.max_concurrency,
                        opts.stack_timeout, opts.rollback)
    outcome = executor.run()
    backend.save_secrets(stack_name, store)
    outputs, output_errors = ({}, {}) if outcome.failures else _outputs(resolved, executor.runtime, redactor)
    verb = "CREATE" if creating else "UPDATE"
    if outcome.failures:
        info["status"] = "ROLLBACK_COMPLETE" if outcome.rolled_back else f"{verb}_FAILED"
    else:
        info["status"] = f"{verb}_COMPLETE"
        record.outputs = outputs
    info["updated_at"] = now()
    info["duration_s"] = round(time.monotonic() - started, 3)
    record.stack_info = info
    if outcome.rolled_back and creating and not record.resources:
        backend.delete(stack_name)
    elif changes or creating or outcome.failures:
        record.flush()
    result.runtime = executor.runtime
    result.update(outputs=outputs, resources=_resources(plan, record.to_dict(), stack_name if report else None,
                                                        opts, nested_entries),
                  events=redactor.redact((outcome.events + ctx.nested.events)[-opts.max_events:]),
                  stack=redactor.redact(dict(info)))
    if output_errors:
        result["output_errors"] = output_errors
    if outcome.failures:
        err = first_error(outcome.failures, redactor)
        result.error = str(err) + (" (rolled back)" if outcome.rolled_back else "")
    return result


def destroy(conn: Any, stack_name: str, opts: Options, redactor: Redactor) -> _Result:
    """Delete every resource of the stack in reverse dependency order (Retain honoured)."""
    _check_name(stack_name)
    backend = LocalBackend(opts.state_dir)
    if opts.check_mode:
        return _destroy(conn, stack_name, opts, redactor, backend)
    with backend.lock(stack_name, timeout=opts.lock_timeout):
        result = _destroy(conn, stack_name, opts, redactor, backend)
        if result.error is None:
            # nested stacks whose parent entry was lost with the record: deepest first
            nested = nested_backend(opts)
            for name in sorted(nested.list_stacks(), key=lambda n: -n.count("/")):
                if name.startswith(stack_name + "/") and nested.load(name) is not None:
                    left = _destroy(conn, name, dataclasses.replace(opts, diff=False), redactor, nested)
                    result["changed"] = True
                    if left.error:
                        result.error = left.error
                        break
        return result


def _destroy(conn: Any, stack_name: str, opts: Options, redactor: Redactor, backend: LocalBackend) -> _Result:
    prep = _prepare(conn, stack_name, None, opts, redactor, backend)
    record_data, salt, handlers, plan = prep.record, prep.salt, prep.handlers, prep.plan
    changes = plan.changes
    result = _Result(changed=bool(changes) or bool(record_data), plan=[a.summary(redactor) for a in changes])
    nested_entries, nested_before, _after = _nested_report(plan, handlers, redactor, "", opts.diff, record_data)
    result["plan"] += nested_entries
    if opts.diff:
        result["diff"] = _diff(plan, record_data, redactor, handlers)
        if nested_before:
            result["diff"].setdefault("before", {}).update(nested_before)
    if opts.check_mode:
        result.update(resources=_resources(plan, record_data, stack_name, opts, nested_entries), outputs={},
                      events=[], stack={"name": stack_name,
                                        "status": "DELETE_PLANNED" if result["changed"] else "NONE"})
        return result
    record = StackRecord(backend, stack_name, redactor, record_data, max_events=opts.max_events)
    record.stack_info.update(name=stack_name, status="DELETE_IN_PROGRESS", updated_at=now())
    if record_data:
        record.flush()
    executor = Executor(None, plan, handlers, record, redactor, salt, opts.max_concurrency, opts.stack_timeout)
    outcome = executor.run()
    result.update(outputs={}, events=redactor.redact((outcome.events + prep.ctx.nested.events)[-opts.max_events:]))
    if outcome.failures:
        record.stack_info["status"] = "DELETE_FAILED"
        record.flush()
        result.error = str(first_error(outcome.failures, redactor))
    else:
        backend.delete(stack_name)
        record.stack_info["status"] = "DELETE_COMPLETE"
    result["resources"] = _resources(None, record.to_dict())
    result["stack"] = redactor.redact(dict(record.stack_info))
    return result


def describe(conn: Any, stack_name: str | None, opts: Options, redactor: Redactor, resolved: Any = None,
             detect_drift: bool = False) -> dict:
    """Stacks in the state directory, or one stack's record (and drift when a template is given)."""
    backend = LocalBackend(opts.state_dir)
    if not stack_name:
        stacks = []
        for name in backend.list_stacks():
            rec = backend.load(name) or {}
            info = dict(rec.get("stack") or {"name": name})
            info["resource_count"] = len(rec.get("resources") or {})
            stacks.append(info)
        return {"stacks": redactor.redact(stacks)}
    _check_name(stack_name)
    rec = backend.load(stack_name)
    if rec is None:
        return {"stack": None, "exists": False, "resources": {}, "outputs": {}, "events": []}
    out = {"exists": True, "stack": rec.get("stack"), "resources": _resources(None, rec),
           "outputs": rec.get("outputs") or {}, "events": rec.get("events") or [],
           "lock": backend.holder(stack_name)}
    if detect_drift and resolved is not None and conn is not None:
        plan = _prepare(conn, stack_name, resolved, opts, redactor, backend).plan
        out["drift"] = [a.summary(redactor) for a in plan.changes]
    return redactor.redact(out)


__all__ = ["Options", "converge", "destroy", "describe", "CloudError"]
