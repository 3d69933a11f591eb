"""The stack module's job, engine side: observe -> plan -> execute -> report.

``converge`` (state present), ``destroy`` (state absent) and ``describe`` (info) take an
openstacksdk connection and a resolved stack (from ``resolve.stack.load_stack``) and return the
module result. Nothing here imports Ansible.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import secrets as pysecrets
import time
from dataclasses import dataclass
from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    CloudError, RestrictedActionError, TemplateError)
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.execute import Executor, first_error
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.nested import NestedDriver
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.plan import (
    Plan, PlanRuntime, known_resources, make_handlers, observe, plan as make_plan)
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.report import (
    nested_report, plan_diff, resource_report, stack_outputs)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.nested_stack import NestedStackHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import RetryPolicy
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend, StackRecord, now
from ansible_collections.heatlike.cloud.plugins.module_utils.state.nested import nested_backend

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
    #: False: return once every create/delete call nothing else in the run needs was accepted
    wait: bool = True
    #: seconds one wait may take; None: ``resource_timeout``
    timeout: float | None = None
    check_mode: bool = False
    diff: bool = False


class _Result(dict):
    """Module result plus the failure (if any) the module turns into fail_json."""

    error: str | None = None
    runtime: Any = None


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
        pending = {a.name for a in self.plan.forward if a.action in ("create", "replace")}
        return PlanRuntime(self.handlers, known_resources(self.plan.observed), pending, set())


class _EngineDriver(NestedDriver):
    """The nested driver running this engine (the run's connection and options) on nested stacks."""

    def __init__(self, conn: Any, stack_name: str, opts: Options, redactor: Redactor, resolved: Any,
                 record: Mapping[str, Any]) -> None:
        super().__init__(stack_name, redactor, nested_backend(opts.state_dir), resolved, record)
        self.conn = conn
        self.opts = dataclasses.replace(opts, check_mode=False, diff=False)

    def prepare(self, name: str, resolved: Any) -> _Prepared:
        """Observe and plan the nested stack ``name`` (``resolved`` None: delete everything)."""
        return _prepare(self.conn, name, resolved, self.opts, self.redactor, self.backend)

    def run_prepared(self, prep: _Prepared) -> _Result:
        """Execute a prepared nested plan (no report of its own nested stacks)."""
        return _run(self.conn, prep.name, prep.resolved, self.opts, self.redactor, self.backend,
                    prepared=prep, report=False)

    def destroy_stack(self, name: str) -> _Result:
        """Delete the nested stack ``name`` (its own nested stacks included)."""
        return _destroy(self.conn, name, self.opts, self.redactor, self.backend)


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
    timeout = opts.resource_timeout if opts.timeout is None else opts.timeout
    return Context(conn=conn, stack_name=stack_name, resource_timeout=timeout,
                   timeout_name="resource_timeout" if opts.timeout is None else "timeout",
                   retry=RetryPolicy(attempts=opts.retries + 1, base=opts.retry_base),
                   local_store=store, secret_sink=redactor.add, signal_receiver_url=opts.signal_receiver_url)


def _register_store_secrets(store: Mapping[str, Any], redactor: Redactor) -> None:
    for key, values in store.items():
        if key != SALT_KEY and isinstance(values, Mapping):
            for sub, value in values.items():
                redactor.add(value)
                if key.startswith("group:") and str(sub).startswith("OS::") and isinstance(value, Mapping):
                    _register_store_secrets({sub: value}, redactor)  # a ResourceGroup member's secrets


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
    ctx.nested = driver = _EngineDriver(conn, stack_name, opts, redactor, resolved, record_data)
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


class _Empty:
    """A stack with no resources (state absent)."""

    resources: dict = {}
    creation_order: list = []
    outputs: dict = {}

    def resolve_outputs(self, runtime: Any) -> dict:
        return {}


def _planned(prep: _Prepared, opts: Options, redactor: Redactor, changed: bool,
             report: bool = True) -> tuple[_Result, list]:
    """A result holding the plan and, with ``opts.diff``, its diff (nested stacks' too when ``report``).

    Returns the result and the plan entries of the nested stacks.
    """
    plan, record_data, handlers = prep.plan, prep.record, prep.handlers
    result = _Result(changed=changed, plan=[a.summary(redactor) for a in plan.changes])
    nested_entries: list = []
    nested_before: dict = {}
    nested_after: dict = {}
    if report:
        nested_entries, nested_before, nested_after = nested_report(plan, handlers, redactor, "", opts.diff,
                                                                    record_data)
        result["plan"] += nested_entries
    if opts.diff:
        result["diff"] = plan_diff(plan, record_data, redactor, handlers)
        if nested_before or nested_after:
            result["diff"].setdefault("before", {}).update(nested_before)
            result["diff"].setdefault("after", {}).update(nested_after)
    return result, nested_entries


def _run(conn: Any, stack_name: str, resolved: Any, opts: Options, redactor: Redactor,
         backend: LocalBackend, prepared: _Prepared | None = None, report: bool = True) -> _Result:
    started = time.monotonic()
    prep = prepared or _prepare(conn, stack_name, resolved, opts, redactor, backend)
    record_data, store, salt, ctx, handlers, plan = (prep.record, prep.store, prep.salt, prep.ctx, prep.handlers,
                                                     prep.plan)
    changes = plan.changes
    result, nested_entries = _planned(prep, opts, redactor, bool(changes), report)
    if opts.check_mode:
        outputs, _errors = stack_outputs(resolved, prep.plan_runtime(), redactor)
        result.update(outputs=outputs, resources=resource_report(plan, record_data, stack_name, opts.state_dir,
                                                                 nested_entries),
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
                        opts.stack_timeout, opts.rollback, ctx=ctx, wait=opts.wait)
    outcome = executor.run()
    backend.save_secrets(stack_name, store)
    outputs, output_errors = ({}, {}) if outcome.failures else stack_outputs(resolved, executor.runtime, redactor)
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
    result.update(outputs=outputs, resources=resource_report(plan, record.to_dict(), stack_name if report else None,
                                                             opts.state_dir, nested_entries),
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
            nested = nested_backend(opts.state_dir)
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
    result, nested_entries = _planned(prep, opts, redactor, bool(plan.changes) or bool(record_data))
    if opts.check_mode:
        result.update(resources=resource_report(plan, record_data, stack_name, opts.state_dir, nested_entries),
                      outputs={},
                      events=[], stack={"name": stack_name,
                                        "status": "DELETE_PLANNED" if result["changed"] else "NONE"})
        return result
    record = StackRecord(backend, stack_name, redactor, record_data, max_events=opts.max_events)
    record.stack_info.update(name=stack_name, status="DELETE_IN_PROGRESS", updated_at=now())
    if record_data:
        record.flush()
    executor = Executor(None, plan, handlers, record, redactor, salt, opts.max_concurrency, opts.stack_timeout,
                        ctx=prep.ctx, wait=opts.wait)
    outcome = executor.run()
    result.update(outputs={}, events=redactor.redact((outcome.events + prep.ctx.nested.events)[-opts.max_events:]))
    if outcome.failures:
        record.stack_info["status"] = "DELETE_FAILED"
        record.flush()
        result.error = str(first_error(outcome.failures, redactor))
    else:
        backend.delete(stack_name)
        record.stack_info["status"] = "DELETE_COMPLETE"
    result["resources"] = resource_report(None, record.to_dict())
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
    out = {"exists": True, "stack": rec.get("stack"), "resources": resource_report(None, rec),
           "outputs": rec.get("outputs") or {}, "events": rec.get("events") or [],
           "lock": backend.holder(stack_name)}
    if detect_drift and resolved is not None and conn is not None:
        prep = _prepare(conn, stack_name, resolved, opts, redactor, backend)
        out["drift"] = drift_report(prep.plan, prep.record, redactor, prep.handlers)
    return redactor.redact(out)


def drift_report(plan: Plan, record: Mapping[str, Any], redactor: Redactor, handlers: Mapping) -> list[dict]:
    """The plan's changes, each with the ``before`` and ``after`` of its changed properties
    (as the run's diff has them, secret properties masked)."""
    diff = plan_diff(plan, record, redactor, handlers)
    entries = []
    for act in plan.changes:
        entry = act.summary(redactor)
        for side in ("before", "after"):
            if act.name in diff.get(side, {}):
                entry[side] = diff[side][act.name]
        entries.append(entry)
    return entries


__all__ = ["Options", "converge", "destroy", "describe", "drift_report", "CloudError"]
