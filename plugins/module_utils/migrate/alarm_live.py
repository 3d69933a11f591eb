# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live migration of legacy alarms in an Aodh project.

Pure Python (no Ansible import); talks to Aodh through :class:`~.aodh.AodhClient`.
An alarm is *legacy* when it still uses:

* an obsolete type: ``threshold`` (Ceilometer API rule, ``threshold_rule``) becomes a
  Gnocchi-based alarm with the same mapping as ``OS::Ceilometer::Alarm`` in templates;
  ``combination`` is reported (a composite alarm needs the rules, not alarm ids);
* an action URL that points at Heat's signal APIs (``heat-api-cfn`` pre-signed
  ``/v1/signal/`` URLs, ``heat-api`` ``.../resources/<name>/signal`` URLs, wait conditions):
  rewritten with the caller's ``action_map`` (Heat is gone; the receiver now is e.g. an
  Event-Driven Ansible webhook);
* a metric Ceilometer no longer produces (``cpu_util``): ``cpu`` with ``rate:mean`` and the
  threshold converted to nanoseconds of CPU time per granularity, or the caller's
  ``metric_map``.

:func:`plan` computes what to do without changing anything; :func:`apply` carries it out.
An alarm whose type changes is *replaced*: the new alarm is created (under a temporary
name) and read back before the old one is deleted, then renamed; a rerun resumes a
replacement interrupted half-way. Everything else is updated in place (PUT, same id).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_map as am
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh_rules import ACTION_FIELDS, redact_url
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK

#: URL paths of Heat's signal receivers (heat-api-cfn and heat-api).
HEAT_SIGNAL_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/v1/signal/"),
    re.compile(r"/v1/waitcondition/"),
    re.compile(r"/stacks/[^/]+/[^/]+/resources/[^/]+/signal/?$"),
)
MIGRATING_SUFFIX = " [migrating]"
_PUT_KEYS = ("name", "description", "enabled", "severity", "repeat_actions", "alarm_actions", "ok_actions",
             "insufficient_data_actions", "time_constraints")
_THRESHOLD_RULE_KEYS = ("metric", "aggregation_method", "granularity", "evaluation_periods", "threshold",
                        "comparison_operator", "resource_type", "resource_id", "query")


def is_heat_signal_url(url: str) -> bool:
    """True when an action URL points at one of Heat's signal receivers."""
    target = url.split("+", 1)[1] if url.startswith("trust+") else url
    try:
        path = urlsplit(target).path
    except ValueError:
        return False
    return any(p.search(path) for p in HEAT_SIGNAL_PATTERNS)


def redact_action(url: str) -> str:
    """An action URL fit for reports: credentials and pre-signed query strings masked."""
    url = redact_url(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.query and re.search(r"(?i)signature|token|secret|key", parts.query):
        return urlunsplit(parts._replace(query=MASK))
    return url


def _map_actions(actions: Sequence[str], action_map: Sequence[Mapping[str, str]]) -> tuple[list[str], list[str]]:
    """(new actions, legacy URLs that no map entry rewrites)."""
    out: list[str] = []
    unmapped: list[str] = []
    for url in actions:
        if not is_heat_signal_url(url):
            out.append(url)
            continue
        for entry in action_map:
            if re.search(entry["match"], url):
                out.append(re.sub(entry["match"], entry["replace"], url))
                break
        else:
            unmapped.append(url)
            out.append(url)
    return out, unmapped


def _threshold_rule(alarm: Mapping[str, Any]) -> tuple[str, dict[str, Any], list[str]]:
    """Map a Ceilometer-API ``threshold`` rule to a Gnocchi alarm type and rule."""
    rule = alarm.get("threshold_rule") or {}
    props = {k: rule.get(k) for k in ("meter_name", "statistic", "period", "evaluation_periods", "threshold",
                                      "comparison_operator") if rule.get(k) is not None}
    if rule.get("query"):
        props["query"] = [{"field": q.get("field"), "op": q.get("op") or "eq", "value": q.get("value")}
                          for q in rule["query"]]
    new_type, new_props, warnings, _notes = am.map_ceilometer(alarm.get("name") or "", props, {}, cfn=False)
    aodh_type = {am.RESOURCES_ALARM: "gnocchi_resources_threshold",
                 am.AGGREGATION_ALARM: "gnocchi_aggregation_by_resources_threshold"}[new_type]
    return aodh_type, {k: new_props[k] for k in _THRESHOLD_RULE_KEYS if k in new_props}, warnings


def _retired_metric(alarm_type: str, rule: dict[str, Any], metric_map: Mapping[str, str]) -> list[str]:
    """Rewrite a retired metric in a Gnocchi rule in place; returns warnings."""
    metric = rule.get("metric")
    if alarm_type not in ("gnocchi_resources_threshold", "gnocchi_aggregation_by_resources_threshold") \
            or not isinstance(metric, str):
        return []
    if metric in metric_map:
        rule["metric"] = metric_map[metric]
        return [f"metric {metric!r} renamed to {metric_map[metric]!r} (metric_map)"]
    if metric == "cpu_util":
        if rule.get("aggregation_method") not in ("mean", "avg"):
            raise am.Unmappable(f"metric 'cpu_util' with aggregation {rule.get('aggregation_method')!r} has no "
                                "'cpu' equivalent; give metric_map")
        granularity = int(rule.get("granularity") or 60)
        rule["metric"] = "cpu"
        rule["aggregation_method"] = "rate:mean"
        rule["threshold"] = float(rule["threshold"]) / 100.0 * granularity * 1e9
        return [f"cpu_util (%) became cpu with rate:mean; threshold {rule['threshold']:.0f} ns of CPU time per "
                f"{granularity} s assumes one vCPU (multiply by the flavor's vCPUs)"]
    return []


def plan_alarm(alarm: Mapping[str, Any], *, action_map: Sequence[Mapping[str, str]] = (),
               metric_map: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The migration of one alarm, or None when it uses no legacy form.

    Returns ``alarm_id``, ``name``, ``type``, ``status`` (``mapped``, ``mapped-with-warning``,
    ``not-mappable``), ``action`` (``update``, ``replace`` or ``none``), ``changes`` (field
    names), ``warnings``, ``reason``, ``new_type`` and ``after`` (the alarm as it will be).
    """
    alarm_type = alarm.get("type")
    entry: dict[str, Any] = {"alarm_id": alarm.get("alarm_id"), "name": alarm.get("name"), "type": alarm_type,
                             "status": am.MAPPED, "action": "none", "changes": [], "warnings": [],
                             "reason": None, "new_type": alarm_type, "after": None}
    after = {k: copy.deepcopy(alarm.get(k)) for k in _PUT_KEYS if alarm.get(k) is not None}
    after["type"] = alarm_type
    rule = copy.deepcopy(alarm.get(f"{alarm_type}_rule") or {})
    legacy = False
    try:
        if alarm_type == "combination":
            legacy = True
            raise am.Unmappable("combination alarms combine other alarms by id; rewrite them as a composite "
                                "alarm of the underlying rules (os_heatlike_alarm type composite)")
        if alarm_type == "threshold":
            legacy = True
            new_type, rule, warnings = _threshold_rule(alarm)
            entry["warnings"] += warnings
            entry["changes"] += ["type", "rule"]
            entry["new_type"] = new_type
            after["type"] = new_type
        metric = rule.get("metric")
        if isinstance(metric, str) and (metric == "cpu_util" or metric in (metric_map or {})):
            legacy = True
        warnings = _retired_metric(after["type"], rule, metric_map or {})
        if warnings:
            legacy = True
            entry["warnings"] += warnings
            if "rule" not in entry["changes"]:
                entry["changes"].append("rule")
        unmapped_all: list[str] = []
        for key in ACTION_FIELDS:
            actions = list(alarm.get(key) or [])
            if not any(is_heat_signal_url(u) for u in actions):
                continue
            legacy = True
            new_actions, unmapped = _map_actions(actions, action_map)
            unmapped_all += unmapped
            if new_actions != actions:
                after[key] = new_actions
                entry["changes"].append(key)
        if unmapped_all:
            raise am.Unmappable("actions point at Heat's signal API, which no longer exists: "
                                + ", ".join(redact_action(u) for u in unmapped_all)
                                + "; give action_map entries (match/replace) for them")
    except (am.Unmappable, PropertyError, ValueError, TypeError) as exc:
        if not legacy:
            raise
        entry.update(status=am.NOT_MAPPABLE, reason=str(exc), changes=[], action="none")
        return entry
    if not legacy:
        return None
    after[f"{after['type']}_rule"] = rule
    entry["after"] = after
    entry["status"] = am.MAPPED_WITH_WARNING if entry["warnings"] else am.MAPPED
    entry["action"] = "replace" if after["type"] != alarm_type else "update"
    return entry


def _view(alarm: Mapping[str, Any] | None) -> dict[str, Any]:
    """Diff view of an alarm: the managed fields and the rule, action URLs redacted."""
    if not alarm:
        return {}
    alarm_type = alarm.get("type")
    out = {k: copy.deepcopy(alarm.get(k)) for k in ("name", "type", *ACTION_FIELDS) if alarm.get(k) is not None}
    out["rule"] = copy.deepcopy(alarm.get(f"{alarm_type}_rule"))
    for key in ACTION_FIELDS:
        if key in out:
            out[key] = [redact_action(u) for u in out[key]]
    return out


def plan(alarms: Sequence[Mapping[str, Any]], *, action_map: Sequence[Mapping[str, str]] = (),
         metric_map: Mapping[str, str] | None = None, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Plan entries for every legacy alarm (optionally only those named or with these ids)."""
    _check_action_map(action_map)
    by_name = {a.get("name"): a for a in alarms}
    out = []
    for alarm in sorted(alarms, key=lambda a: (a.get("name") or "", a.get("alarm_id") or "")):
        name = alarm.get("name") or ""
        if names and name not in names and alarm.get("alarm_id") not in names:
            continue
        if name.endswith(MIGRATING_SUFFIX):
            original = name[: -len(MIGRATING_SUFFIX)]
            if original not in by_name:  # interrupted after the old one was deleted: finish the rename
                out.append({"alarm_id": alarm.get("alarm_id"), "name": original, "type": alarm.get("type"),
                            "status": am.MAPPED, "action": "rename", "changes": ["name"], "warnings": [],
                            "reason": None, "new_type": alarm.get("type"), "after": None})
            continue
        entry = plan_alarm(alarm, action_map=action_map, metric_map=metric_map)
        if entry is not None:
            entry["before"] = _view(alarm)
            out.append(entry)
    return out


def _check_action_map(action_map: Sequence[Mapping[str, str]]) -> None:
    for index, entry in enumerate(action_map):
        if not isinstance(entry, Mapping) or "match" not in entry or "replace" not in entry:
            raise PropertyError("needs match and replace", path=f"action_map[{index}]")
        try:
            re.compile(entry["match"])
        except re.error as exc:
            raise PropertyError(f"match is no valid regular expression: {exc}", path=f"action_map[{index}]") from None


def _put_body(after: Mapping[str, Any]) -> dict[str, Any]:
    body = {k: copy.deepcopy(after[k]) for k in _PUT_KEYS if k in after}
    body["type"] = after["type"]
    body[f"{after['type']}_rule"] = copy.deepcopy(after[f"{after['type']}_rule"])
    return body


def apply(client: Any, entries: Sequence[dict[str, Any]], *, check_mode: bool = False) -> list[dict[str, Any]]:
    """Carry out plan entries; returns them with ``done`` and ``new_alarm_id``.

    A replacement creates the new alarm (temporary name), reads it back, and only then
    deletes the old one and renames the new one to the old name.
    """
    results = []
    existing = {a.get("name"): a for a in client.list_alarms()} if not check_mode else {}
    for entry in entries:
        entry = dict(entry)
        entry["done"] = False
        entry["new_alarm_id"] = None
        if check_mode or entry["action"] == "none":
            results.append(entry)
            continue
        if entry["action"] == "rename":
            alarm = client.get_alarm(entry["alarm_id"])
            body = _put_body({**alarm, "name": entry["name"]})
            client.update_alarm(entry["alarm_id"], body)
            entry.update(done=True, new_alarm_id=entry["alarm_id"])
        elif entry["action"] == "update":
            client.update_alarm(entry["alarm_id"], _put_body(entry["after"]))
            entry.update(done=True, new_alarm_id=entry["alarm_id"])
        else:  # replace
            temp_name = entry["name"] + MIGRATING_SUFFIX
            new = existing.get(temp_name)
            if new is None:
                new = client.create_alarm(_put_body({**entry["after"], "name": temp_name}))
            new_id = new.get("alarm_id")
            if not new_id or client.get_alarm(new_id) is None:
                raise CloudError(f"alarm '{entry['name']}': the replacement alarm could not be read back; "
                                 "the legacy alarm was kept")
            client.delete_alarm(entry["alarm_id"], entry["name"])
            client.update_alarm(new_id, _put_body({**entry["after"], "name": entry["name"]}))
            entry.update(done=True, new_alarm_id=new_id)
        results.append(entry)
    return results


def report_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A plan/apply entry as returned to the user (URLs redacted, internal keys dropped)."""
    out = {k: copy.deepcopy(v) for k, v in entry.items() if k not in ("after", "before")}
    return out


def diff(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Ansible ``--diff`` for the plan: before/after views keyed by alarm name."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for entry in entries:
        if entry.get("action") in ("update", "replace"):
            before[entry["name"]] = entry.get("before") or {}
            after[entry["name"]] = _view({**entry["after"], "name": entry["name"]})
    return {"before": json.loads(json.dumps(before)), "after": json.loads(json.dumps(after))}
