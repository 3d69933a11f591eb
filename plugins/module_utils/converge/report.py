"""What a run reports: the plan's diff, the resource table, outputs and the nested stacks' share of them."""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK, Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.plan import UNKNOWN, Plan
from ansible_collections.heatlike.cloud.plugins.module_utils.state.nested import nested_backend


def plan_diff(plan: Plan, record: Mapping[str, Any], redactor: Redactor, handlers: Mapping) -> dict:
    """``before``/``after`` of every change of ``plan`` (secret properties masked), or {} when nothing changes."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    rec_res = record.get("resources") or {}
    for act in plan.changes:
        if act.action == "create":
            after[act.name] = {"type": act.type, "properties": plan.desired_props.get(act.name, {})}
        elif act.duplicate_of:
            before[f"{act.name} (duplicate {act.physical_id})"] = {
                "type": act.type, "physical_id": act.physical_id, "duplicate_of": act.duplicate_of}
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
    types.update({f"{a.name} (duplicate {a.physical_id})": a.type for a in plan.changes if a.duplicate_of})
    for side in (before, after):
        for name, value in side.items():
            handler = handlers.get(types.get(name))
            secret = handler.secret_props() if handler else frozenset()
            props = value.get("properties", value) if isinstance(value, dict) else value
            if isinstance(props, dict):
                for key in list(props):
                    if key in secret and props[key] is not None:
                        props[key] = MASK
    if not before and not after:
        return {}
    return redactor.redact({"before": before, "after": after})


def _row(entry: Mapping[str, Any], action: str, status: str | None = None) -> dict:
    """One resource of the ``resources`` result (``status`` None: the entry's own)."""
    return {"type": entry.get("type"), "physical_id": entry.get("physical_id"),
            "status": entry.get("status") if status is None else status, "action": action}


def resource_report(plan: Plan | None, record: Mapping[str, Any], stack_name: str | None = None,
                    state_dir: str | None = None, nested_entries: list | None = None) -> dict:
    """Every resource of the record (and of ``plan``) with its action; with ``stack_name`` and
    ``state_dir`` the nested stacks' resources too, named ``<child>/<name>``."""
    out = {}
    actions = {a.name: a for a in plan.forward} if plan else {}
    for name, entry in (record.get("resources") or {}).items():
        out[name] = _row(entry, actions[name].action if name in actions else "none")
    for name, act in actions.items():
        out.setdefault(name, _row({"type": act.type, "physical_id": act.physical_id}, act.action, "NOT_CREATED"))
    if stack_name and state_dir is not None:
        out.update(_nested_resources(stack_name, state_dir, nested_entries or []))
    return out


def _nested_resources(stack_name: str, state_dir: str, entries: list) -> dict:
    """Resources of the nested stacks below ``stack_name`` as ``<child>/<name>`` (from their records)."""
    backend = nested_backend(state_dir)
    actions = {e["resource"]: e["action"] for e in entries}
    out = {}
    for name in backend.list_stacks():
        if not name.startswith(stack_name + "/"):
            continue
        rel = name[len(stack_name) + 1:]
        for res, entry in ((backend.load(name) or {}).get("resources") or {}).items():
            key = f"{rel}/{res}"
            out[key] = _row(entry, actions.get(key, "none"))
    for entry in entries:
        if entry["action"] != "delete":
            out.setdefault(entry["resource"], _row(entry, entry["action"], "NOT_CREATED"))
    return out


def stack_outputs(resolved: Any, runtime: Any, redactor: Redactor) -> tuple[dict, dict]:
    """The stack's outputs over ``runtime`` and the error that stopped them (``{"*": message}``), redacted."""
    try:
        outputs = resolved.resolve_outputs(runtime)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return {}, {"*": redactor.text(" ".join(str(exc).split()))}
    return redactor.redact(outputs), {}


def nested_report(plan: Plan, handlers: Mapping, redactor: Redactor, prefix: str, diff: bool,
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
                sub_diff = plan_diff(prep.plan, prep.record, redactor, prep.handlers)
                before.update({sub + k: v for k, v in (sub_diff.get("before") or {}).items()})
                after.update({sub + k: v for k, v in (sub_diff.get("after") or {}).items()})
            more = nested_report(prep.plan, prep.handlers, redactor, sub, diff, prep.record)
            entries += more[0]
            before.update(more[1])
            after.update(more[2])
    return entries, before, after
