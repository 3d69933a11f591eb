# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mapping of legacy alarm resources to Gnocchi-based Aodh alarms.

Pure Python (no Ansible import). Shared by the template mode (:mod:`.alarm_template`) and
the live mode (:mod:`.alarm_live`) of ``os_heatlike_alarm_migrate``.

Legacy alarm resources and what they become:

* ``AWS::CloudWatch::Alarm`` and ``OS::Heat::CWLiteAlarm`` (Heat's own metric store, fed by
  ``cfn-push-stats`` from inside instances) ->
  ``OS::Aodh::GnocchiResourcesAlarm`` when a ``Dimensions`` entry names one ``InstanceId``,
  otherwise ``OS::Aodh::GnocchiAggregationByResourcesAlarm`` over Gnocchi ``instance``
  resources selected by their ``server_group`` attribute (the ``AutoScalingGroupName``
  dimension, or the stack name for alarms fed with ``cfn-push-stats --watch``). The metric
  keeps the CloudWatch ``MetricName``: the collection's ``cfn-push-stats`` shim pushes the
  measures under that name.
* ``OS::Ceilometer::Alarm``, ``OS::Metering::Alarm``, ``OS::Aodh::Alarm`` (Aodh's removed
  ``threshold`` type over the Ceilometer API) -> the same two Gnocchi types, from
  ``matching_metadata`` / ``query``.

:func:`map_alarm` maps one resource definition and says what changed (``MAPPED``,
``MAPPED_WITH_WARNING`` or ``NOT_MAPPABLE``, with warnings and notes).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Mapping

CW_TYPES: tuple[str, ...] = ("AWS::CloudWatch::Alarm", "OS::Heat::CWLiteAlarm")
CEILOMETER_TYPES: tuple[str, ...] = ("OS::Ceilometer::Alarm", "OS::Metering::Alarm", "OS::Aodh::Alarm")
LEGACY_TYPES: tuple[str, ...] = CW_TYPES + CEILOMETER_TYPES

RESOURCES_ALARM = "OS::Aodh::GnocchiResourcesAlarm"
AGGREGATION_ALARM = "OS::Aodh::GnocchiAggregationByResourcesAlarm"

MAPPED = "mapped"
MAPPED_WITH_WARNING = "mapped-with-warning"
NOT_MAPPABLE = "not-mappable"

#: CloudWatch Statistic -> Gnocchi aggregation method
CW_STATISTICS: dict[str, str] = {
    "Average": "mean", "Sum": "sum", "Minimum": "min", "Maximum": "max", "SampleCount": "count",
}
#: Ceilometer statistic -> Gnocchi aggregation method (Ceilometer's default was avg)
CEILOMETER_STATISTICS: dict[str, str] = {
    "avg": "mean", "sum": "sum", "min": "min", "max": "max", "count": "count",
}
CW_COMPARISONS: dict[str, str] = {
    "GreaterThanThreshold": "gt", "GreaterThanOrEqualToThreshold": "ge",
    "LessThanThreshold": "lt", "LessThanOrEqualToThreshold": "le",
}
COMPARISON_OPERATORS: tuple[str, ...] = ("lt", "le", "eq", "ne", "ge", "gt")
#: Ceilometer query operators -> Gnocchi search filter operators
QUERY_OPERATORS: dict[str, str] = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}

#: The namespace cfn-push-stats used; the shim keeps its metric names.
CW_NAMESPACE = "system/linux"
#: Metric names cfn-push-stats (and the collection's shim) push, by option.
CW_METRICS: tuple[str, ...] = (
    "MemoryUtilization", "MemoryUsed", "MemoryAvailable", "SwapUtilization", "SwapUsed",
    "DiskSpaceUtilization", "DiskSpaceUsed", "DiskSpaceAvailable", "CPUUtilization",
    "Heartbeat", "ServiceFailure", "RequestCount", "Latency",
)
#: Ceilometer meters whose Gnocchi resource is the server (resource type ``instance``).
INSTANCE_METERS: frozenset[str] = frozenset({
    "cpu", "cpu_util", "cpu.delta", "cpu_l3_cache", "vcpus", "memory", "memory.usage",
    "memory.resident", "memory.swap.in", "memory.swap.out", "memory.bandwidth.total",
    "memory.bandwidth.local", "disk.read.bytes", "disk.write.bytes", "disk.read.requests",
    "disk.write.requests", "disk.read.bytes.rate", "disk.write.bytes.rate",
    "disk.read.requests.rate", "disk.write.requests.rate", "disk.root.size",
    "disk.ephemeral.size", "disk.latency", "disk.iops", "disk.capacity", "disk.allocation",
    "disk.usage", "instance", "compute.instance.booting.time", "perf.cpu.cycles",
    "perf.instructions", "perf.cache.references", "perf.cache.misses",
    *CW_METRICS,
})
#: Meters Ceilometer no longer produces, and what to do about it.
RETIRED_METERS: dict[str, str] = {
    "cpu_util": "Ceilometer stopped producing cpu_util (Stein); push it with "
                "'cfn-push-stats --cpu-util' or alarm on metric 'cpu' with aggregation "
                "'rate:mean' and a threshold in nanoseconds of CPU time per granularity",
    "disk.read.bytes.rate": "Ceilometer stopped producing *.rate meters (Stein); alarm on "
                            "'disk.read.bytes' with aggregation 'rate:mean'",
    "disk.write.bytes.rate": "Ceilometer stopped producing *.rate meters (Stein); alarm on "
                             "'disk.write.bytes' with aggregation 'rate:mean'",
}
#: Keys a resource definition keeps unchanged besides type and properties.
_KEEP_KEYS_HOT = ("depends_on", "metadata", "update_policy", "deletion_policy", "condition", "external_id")
_KEEP_KEYS_CFN = ("DependsOn", "Metadata", "UpdatePolicy", "DeletionPolicy", "Condition")
#: Properties every Aodh alarm type takes unchanged from OS::Ceilometer::Alarm.
_COMMON_ALARM_PROPS = ("description", "enabled", "alarm_actions", "ok_actions",
                       "insufficient_data_actions", "alarm_queues", "ok_queues",
                       "insufficient_data_queues", "repeat_actions", "severity", "time_constraints")
#: Resource types whose ``Ref``/``get_resource`` Heat's CloudWatch engine accepted as an
#: action, and the attribute holding the URL Aodh must call instead.
_ACTION_URL_ATTRS: dict[str, str] = {
    "AWS::AutoScaling::ScalingPolicy": "AlarmUrl",
    "OS::Heat::HARestarter": "AlarmUrl",
    "OS::Heat::ScalingPolicy": "alarm_url",
}
_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_NUM_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


class Unmappable(Exception):
    """A legacy alarm that cannot be expressed as an Aodh alarm (the message says why)."""


# ---------------------------------------------------------------- helpers


def is_function(value: Any) -> bool:
    """True for an intrinsic-function mapping (one key: get_*, str_*, Ref, Fn::*, ...)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::") or key.startswith("get_")
                                     or key in ("str_replace", "list_join", "if", "digest", "yaql",
                                                "str_split", "repeat", "map_merge", "map_replace",
                                                "list_concat", "list_concat_unique", "filter",
                                                "make_url", "resource_facade", "contains", "equals"))


def _integer(value: Any, where: str) -> Any:
    """A literal integer (from '60' or 60), or the function unchanged."""
    if isinstance(value, bool):
        raise Unmappable(f"{where}: {value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.match(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if is_function(value):
        return value
    raise Unmappable(f"{where}: {value!r} is not an integer")


def _number(value: Any, where: str) -> Any:
    """A literal number (from '2.5' or 2.5), or the function unchanged."""
    if isinstance(value, bool):
        raise Unmappable(f"{where}: {value!r} is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUM_RE.match(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if is_function(value):
        return value
    raise Unmappable(f"{where}: {value!r} is not a number")


def _literal_choice(value: Any, table: Mapping[str, str], where: str, default: str | None = None) -> str:
    """Translate a literal enum value; functions cannot be translated statically."""
    if value is None:
        if default is None:
            raise Unmappable(f"{where} is required")
        return table[default]
    if is_function(value):
        raise Unmappable(f"{where} is computed by a function ({next(iter(value))}); the translation "
                         "to Aodh needs a literal value")
    if str(value) not in table:
        raise Unmappable(f"{where}: {value!r} has no Aodh equivalent (known: {', '.join(table)})")
    return table[str(value)]


class _Query:
    """A Gnocchi search filter under construction; values may be template functions."""

    def __init__(self) -> None:
        self.terms: list[tuple[str, str, Any]] = []

    def add(self, attribute: str, op: str, value: Any) -> None:
        self.terms.append((attribute, op, value))

    def render(self, cfn: bool) -> Any:
        """JSON text of the filter, or a template function building it when a value is computed."""
        holders: dict[str, Any] = {}
        terms = []
        for index, (attribute, op, value) in enumerate(self.terms):
            if is_function(value):
                holder = f"${attribute}" if index == 0 else f"${attribute}_{index}"
                holders[holder] = value
                value = holder
            terms.append({op: {attribute: value}})
        query: Any = terms[0] if len(terms) == 1 else {"and": terms}
        text = json.dumps(query, sort_keys=False)
        if not holders:
            return text
        if cfn:
            parts: list[Any] = []
            rest = text
            for holder, value in holders.items():
                before, rest = rest.split(holder, 1)
                parts += [before, value]
            parts.append(rest)
            return {"Fn::Join": ["", [p for p in parts if p != ""]]}
        return {"str_replace": {"template": text, "params": dict(holders)}}


def _stack_name_expr(cfn: bool) -> dict[str, Any]:
    return {"Ref": "AWS::StackName"} if cfn else {"get_param": "OS::stack_name"}


def _convert_action(action: Any, resource_types: Mapping[str, str], cfn: bool,
                    notes: list[str], where: str) -> Any:
    """A CloudWatch action: ``Ref`` of a policy becomes the policy's alarm URL attribute."""
    target = None
    if isinstance(action, Mapping) and len(action) == 1:
        key, value = next(iter(action.items()))
        if key in ("Ref", "get_resource") and isinstance(value, str):
            target = value
    if target is None:
        return copy.deepcopy(action)
    attr = _ACTION_URL_ATTRS.get(resource_types.get(target, ""))
    if attr is None:
        return copy.deepcopy(action)
    notes.append(f"{where}: reference to {target} replaced by its {attr} attribute "
                 "(Aodh calls URLs, Heat's CloudWatch engine called the resource)")
    return {"Fn::GetAtt": [target, attr]} if cfn else {"get_attr": [target, attr]}


# ---------------------------------------------------------------- mapping


def _map_cloudwatch(name: str, props: Mapping[str, Any], resource_types: Mapping[str, str],
                    cfn: bool) -> tuple[str, dict[str, Any], list[str], list[str]]:
    warnings: list[str] = []
    notes: list[str] = []
    unknown = sorted(set(props) - {"AlarmDescription", "EvaluationPeriods", "MetricName", "Namespace",
                                   "Period", "ComparisonOperator", "Statistic", "Threshold", "Units",
                                   "Dimensions", "AlarmActions", "OKActions", "InsufficientDataActions",
                                   "Enabled", "ActionsEnabled"})
    if unknown:
        raise Unmappable(f"properties {', '.join(unknown)} have no Aodh equivalent")
    metric = props.get("MetricName")
    if metric is None:
        raise Unmappable("MetricName is required")
    namespace = props.get("Namespace")
    if namespace is not None and namespace != CW_NAMESPACE:
        warnings.append(f"Namespace {namespace!r} dropped: Gnocchi metrics have no namespace, "
                        f"the measures must be pushed under the metric name {metric!r}")
    new: dict[str, Any] = {}
    if props.get("AlarmDescription") is not None:
        new["description"] = copy.deepcopy(props["AlarmDescription"])
    new["metric"] = copy.deepcopy(metric)
    new["aggregation_method"] = _literal_choice(props.get("Statistic"), CW_STATISTICS, "Statistic")
    new["granularity"] = _integer(props.get("Period"), "Period") if props.get("Period") is not None else 60
    if props.get("EvaluationPeriods") is not None:
        new["evaluation_periods"] = _integer(props["EvaluationPeriods"], "EvaluationPeriods")
    if props.get("Threshold") is None:
        raise Unmappable("Threshold is required")
    new["threshold"] = _number(props["Threshold"], "Threshold")
    new["comparison_operator"] = _literal_choice(props.get("ComparisonOperator"), CW_COMPARISONS,
                                                 "ComparisonOperator")
    if props.get("Units") is not None:
        warnings.append(f"Units {props['Units']!r} dropped: Gnocchi compares raw values; push the "
                        "measures in the unit the Threshold assumes")
    enabled = props.get("Enabled", props.get("ActionsEnabled"))
    if enabled is not None:
        new["enabled"] = copy.deepcopy(enabled)
    for cw_key, key in (("AlarmActions", "alarm_actions"), ("OKActions", "ok_actions"),
                        ("InsufficientDataActions", "insufficient_data_actions")):
        actions = props.get(cw_key)
        if actions is None:
            continue
        if not isinstance(actions, list):
            raise Unmappable(f"{cw_key} must be a list, got {type(actions).__name__}")
        new[key] = [_convert_action(a, resource_types, cfn, notes, f"{cw_key}[{i}]") for i, a in enumerate(actions)]
    # Heat's CloudWatch engine ran the actions on state transitions only
    new["repeat_actions"] = False

    dimensions = props.get("Dimensions") or []
    if is_function(dimensions) or not isinstance(dimensions, list):
        raise Unmappable("Dimensions is computed by a function; the Gnocchi query needs its names")
    instance_ids = []
    query = _Query()
    for index, dim in enumerate(dimensions):
        if not isinstance(dim, Mapping) or "Name" not in dim or "Value" not in dim:
            raise Unmappable(f"Dimensions[{index}] needs Name and Value")
        dim_name = dim["Name"]
        if dim_name == "InstanceId":
            instance_ids.append(dim["Value"])
        elif dim_name == "AutoScalingGroupName":
            query.add("server_group", "=", copy.deepcopy(dim["Value"]))
        else:
            raise Unmappable(f"Dimensions[{index}]: dimension {dim_name!r} has no Gnocchi attribute "
                             "(InstanceId and AutoScalingGroupName are mapped)")
    if instance_ids and (len(instance_ids) > 1 or query.terms):
        raise Unmappable("several InstanceId/AutoScalingGroupName dimensions cannot be combined in one "
                         "Gnocchi alarm")
    if instance_ids:
        new_type = RESOURCES_ALARM
        new["resource_type"] = "instance"
        new["resource_id"] = copy.deepcopy(instance_ids[0])
    else:
        new_type = AGGREGATION_ALARM
        new["resource_type"] = "instance"
        if query.terms:
            warnings.append("AutoScalingGroupName dimension mapped to the Gnocchi instance attribute "
                            "server_group: the group's servers must report it (cfn-push-stats shim "
                            "option server_group, or Nova metadata metering.server_group)")
        else:
            query.add("server_group", "=", _stack_name_expr(cfn))
            warnings.append("no Dimensions: the data was routed by 'cfn-push-stats --watch'; it now "
                            "comes from every instance whose Gnocchi server_group is the stack name "
                            "(the cfn-push-stats shim sets it when called with --watch)")
        new["query"] = query.render(cfn)
    if metric not in CW_METRICS and not is_function(metric):
        warnings.append(f"metric {metric!r} is not one cfn-push-stats pushes by itself; push it with "
                        "the shim's --metric/--value options")
    return new_type, new, warnings, notes


def _metadata_term(key: str, value: Any, query: _Query, warnings: list[str]) -> Any:
    """Map one matching_metadata / query field; returns a resource id when it names one."""
    if key in ("resource_id", "resource"):
        return value
    for prefix in ("metadata.user_metadata.", "resource_metadata.user_metadata.", "metadata.metering.",
                   "user_metadata."):
        if key.startswith(prefix):
            attr = key[len(prefix):]
            if attr != "server_group":
                warnings.append(f"{key!r} mapped to the Gnocchi instance attribute server_group: "
                                f"servers must carry Nova metadata metering.server_group (was "
                                f"metering.{attr})")
            query.add("server_group", "=", value)
            return None
    if key in ("project_id", "user_id", "project", "user"):
        query.add(key if key.endswith("_id") else key + "_id", "=", value)
        return None
    raise Unmappable(f"matching field {key!r} has no Gnocchi resource attribute")


def map_ceilometer(name: str, props: Mapping[str, Any], resource_types: Mapping[str, str],
                   cfn: bool) -> tuple[str, dict[str, Any], list[str], list[str]]:
    """Map ``OS::Ceilometer::Alarm``-style properties: (new type, new properties, warnings, notes)."""
    warnings: list[str] = []
    notes: list[str] = []
    unknown = sorted(set(props) - {"meter_name", "statistic", "period", "evaluation_periods", "threshold",
                                   "comparison_operator", "matching_metadata", "query", *_COMMON_ALARM_PROPS})
    if unknown:
        raise Unmappable(f"properties {', '.join(unknown)} have no Aodh equivalent")
    meter = props.get("meter_name")
    if meter is None:
        raise Unmappable("meter_name is required")
    new: dict[str, Any] = {}
    if props.get("description") is not None:
        new["description"] = copy.deepcopy(props["description"])
    new["metric"] = copy.deepcopy(meter)
    new["aggregation_method"] = _literal_choice(props.get("statistic"), CEILOMETER_STATISTICS, "statistic",
                                                default="avg")
    new["granularity"] = _integer(props["period"], "period") if props.get("period") is not None else 60
    if props.get("evaluation_periods") is not None:
        new["evaluation_periods"] = _integer(props["evaluation_periods"], "evaluation_periods")
    if props.get("threshold") is None:
        raise Unmappable("threshold is required")
    new["threshold"] = _number(props["threshold"], "threshold")
    if props.get("comparison_operator") is not None:
        op = props["comparison_operator"]
        if not is_function(op) and op not in COMPARISON_OPERATORS:
            raise Unmappable(f"comparison_operator {op!r} is not one of {', '.join(COMPARISON_OPERATORS)}")
        new["comparison_operator"] = copy.deepcopy(op)
    for key in _COMMON_ALARM_PROPS:
        if key != "description" and props.get(key) is not None:
            new[key] = copy.deepcopy(props[key])

    query = _Query()
    resource_ids: list[Any] = []
    matching = props.get("matching_metadata") or {}
    if is_function(matching) or not isinstance(matching, Mapping):
        raise Unmappable("matching_metadata is computed by a function; the Gnocchi query needs its keys")
    for key, value in matching.items():
        rid = _metadata_term(str(key), copy.deepcopy(value), query, warnings)
        if rid is not None:
            resource_ids.append(rid)
    legacy_query = props.get("query") or []
    if is_function(legacy_query) or not isinstance(legacy_query, list):
        raise Unmappable("query is computed by a function; the Gnocchi query needs its fields")
    for index, term in enumerate(legacy_query):
        if not isinstance(term, Mapping) or "field" not in term or "value" not in term:
            raise Unmappable(f"query[{index}] needs field and value")
        op = term.get("op") or "eq"
        if op not in QUERY_OPERATORS:
            raise Unmappable(f"query[{index}]: operator {op!r} is not one of {', '.join(QUERY_OPERATORS)}")
        if op != "eq":
            inner = _Query()
            rid = _metadata_term(str(term["field"]), copy.deepcopy(term["value"]), inner, warnings)
            if rid is not None:
                raise Unmappable(f"query[{index}]: resource_id with operator {op!r} cannot select one resource")
            for attribute, _eq, value in inner.terms:
                query.add(attribute, QUERY_OPERATORS[op], value)
            continue
        rid = _metadata_term(str(term["field"]), copy.deepcopy(term["value"]), query, warnings)
        if rid is not None:
            resource_ids.append(rid)

    resource_type = "instance" if (is_function(meter) or meter in INSTANCE_METERS) else "generic"
    if resource_type == "generic":
        warnings.append(f"meter {meter!r} is not a known instance meter: Gnocchi resource type "
                        "'generic' assumed")
    if not is_function(meter) and meter in RETIRED_METERS:
        warnings.append(RETIRED_METERS[meter])
    if resource_ids:
        if len(resource_ids) > 1 or query.terms:
            raise Unmappable("a resource_id match combined with other matches cannot be one Gnocchi alarm")
        new_type = RESOURCES_ALARM
        new["resource_type"] = resource_type
        new["resource_id"] = resource_ids[0]
    else:
        new_type = AGGREGATION_ALARM
        new["resource_type"] = resource_type
        if not query.terms:
            query.add("ended_at", "=", None)
            warnings.append("no matching_metadata: the alarm aggregates the metric over every live "
                            f"{resource_type} resource of the project")
        new["query"] = query.render(cfn)
    return new_type, new, warnings, notes


def map_alarm(name: str, definition: Mapping[str, Any], *, resource_types: Mapping[str, str] | None = None,
              cfn: bool = False) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Map one legacy alarm resource definition.

    ``definition`` is the resource as written (``type``/``properties`` or CFN
    ``Type``/``Properties``); ``resource_types`` maps the template's resource names to their
    types (for actions given as ``Ref`` of a policy). Returns ``(new_definition, report)``;
    ``new_definition`` is None when the alarm is not mappable. The report has ``resource``,
    ``type``, ``status`` (``mapped``, ``mapped-with-warning``, ``not-mappable``), ``new_type``,
    ``warnings`` (changes of meaning), ``notes`` (changes of form) and ``reason``.
    """
    type_key, props_key = ("Type", "Properties") if cfn else ("type", "properties")
    old_type = definition.get(type_key)
    report: dict[str, Any] = {"resource": name, "type": old_type, "status": NOT_MAPPABLE, "new_type": None,
                              "warnings": [], "notes": [], "reason": None}
    props = definition.get(props_key) or {}
    try:
        if not isinstance(props, Mapping) or is_function(props):
            raise Unmappable(f"{props_key} must be a literal mapping to be translated")
        if old_type in CW_TYPES:
            new_type, new_props, warnings, notes = _map_cloudwatch(name, props, resource_types or {}, cfn)
        elif old_type in CEILOMETER_TYPES:
            new_type, new_props, warnings, notes = map_ceilometer(name, props, resource_types or {}, cfn)
        else:
            raise Unmappable(f"{old_type!r} is not a legacy alarm type")
    except Unmappable as exc:
        report["reason"] = str(exc)
        return None, report
    new_def: dict[str, Any] = {type_key: new_type, props_key: new_props}
    for key in _KEEP_KEYS_CFN if cfn else _KEEP_KEYS_HOT:
        if key in definition:
            new_def[key] = copy.deepcopy(definition[key])
    extra = sorted(set(definition) - set(new_def) - {type_key, props_key})
    for key in extra:  # anything else Heat accepts on a resource stays as written
        new_def[key] = copy.deepcopy(definition[key])
    report.update(status=MAPPED_WITH_WARNING if warnings else MAPPED, new_type=new_type,
                  warnings=warnings, notes=notes)
    return new_def, report
