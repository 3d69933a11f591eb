# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Template migration of legacy alarms to Gnocchi-based Aodh alarms.

Pure Python (no Ansible import). Used by ``os_heatlike_alarm_migrate`` (``mode: template``).

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

:func:`map_alarm` maps one resource definition and says what changed;
:func:`rewrite_text` rewrites a whole template text, replacing only the text of the legacy
alarm resources' blocks (everything else stays byte for byte); :func:`validate_text` runs the
engine over a rewritten text as if it were the original file.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
from typing import Any, Iterator, Mapping, Sequence

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible-test's import sanity environment
    HAS_YAML = False

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError, TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text

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


def _map_ceilometer(name: str, props: Mapping[str, Any], resource_types: Mapping[str, str],
                    cfn: bool) -> tuple[str, dict[str, Any], list[str], list[str]]:
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
            new_type, new_props, warnings, notes = _map_ceilometer(name, props, resource_types or {}, cfn)
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


def _unresolve(value: Any) -> Any:
    """Replace intrinsic functions by :class:`Unresolved` so schema checks skip them."""
    from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved

    if is_function(value):
        return Unresolved(value)
    if isinstance(value, Mapping):
        return {k: _unresolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unresolve(v) for v in value]
    return value


def check_definition(name: str, definition: Mapping[str, Any], *, cfn: bool = False,
                     file: str | None = None) -> None:
    """Validate a rewritten alarm's properties against Heat's schema of its new type.

    Raises the engine's :class:`PropertyError` / :class:`TemplateError`.
    """
    from ansible_collections.heatlike.cloud.plugins.module_utils import resources
    type_key, props_key = ("Type", "Properties") if cfn else ("type", "properties")
    section = "Resources" if cfn else "resources"
    resources.validate(definition[type_key], _unresolve(definition.get(props_key) or {}),
                       f"{section}.{name}.{props_key}", file=file)


# ---------------------------------------------------------------- text rewriting


def _is_cfn(data: Mapping[str, Any]) -> bool:
    return "heat_template_version" not in data


def _content_end(node: Any) -> int:
    """End offset of a node's own content (a block collection ends with its last child)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return node.end_mark.index


def _resource_nodes(text: str, section: str) -> dict[str, Any]:
    """Value nodes of the resources section (by resource name), from PyYAML's composer."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == section and isinstance(value, yaml.MappingNode):
            return {k.value: v for k, v in value.value if isinstance(k, yaml.ScalarNode)}
    return {}


def _is_flat(value: Any) -> bool:
    if isinstance(value, Mapping):
        return False
    if isinstance(value, list):
        return all(not isinstance(v, (Mapping, list)) for v in value)
    return True


def _represent_dict(dumper: Any, data: Mapping[str, Any]) -> Any:
    flow = is_function(data) and _is_flat(next(iter(data.values())))
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow or None)


if HAS_YAML:
    class _Dumper(yaml.SafeDumper):
        """Block-style YAML with sequences indented under their key, as HOT authors write them;
        intrinsic functions over literals stay on one line (``{get_attr: [policy, alarm_url]}``)."""

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:  # noqa: D102
            return super().increase_indent(flow, False)

    _Dumper.add_representer(dict, _represent_dict)


def _render(definition: Mapping[str, Any], column: int, *, flow: bool, json_doc: bool) -> str:
    """Text of a resource definition to put at ``column`` (first line without indentation)."""
    if json_doc:
        text = json.dumps(definition, indent=2, ensure_ascii=False)
    elif flow:
        text = json.dumps(definition, ensure_ascii=False)
    else:
        text = yaml.dump(dict(definition), Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                         width=4096, allow_unicode=True).rstrip("\n")
    pad = " " * column
    return "\n".join(line if i == 0 or not line else pad + line for i, line in enumerate(text.split("\n")))


def rewrite_text(text: str, *, file: str | None = None) -> dict[str, Any]:
    """Rewrite every legacy alarm of a template text into Gnocchi-based Aodh alarms.

    Only the text of the legacy alarm resources' blocks is replaced; the rest of the file
    stays byte for byte. Returns ``text`` (the new template), ``changed``, ``report`` (one entry
    per legacy alarm, see :func:`map_alarm`) and ``reformatted`` (True only when the file
    could not be edited in place and was re-serialised as a whole).
    """
    if not HAS_YAML:
        raise TemplateError("PyYAML is required to rewrite templates", file=file)
    data = load_text(text, file)
    if not isinstance(data, dict):
        raise TemplateError("The template is not a JSON object or YAML mapping.", file=file)
    cfn = _is_cfn(data)
    section = "Resources" if "Resources" in data else "resources"
    resources = data.get(section) or {}
    if not isinstance(resources, dict):
        raise TemplateError(f'"{section}" must contain a map', file=file, path=section)
    type_key = "Type" if cfn else "type"
    types = {n: r.get(type_key) for n, r in resources.items() if isinstance(r, dict)}
    reports: list[dict[str, Any]] = []
    replacements: dict[str, dict[str, Any]] = {}
    for name, definition in resources.items():
        if not isinstance(definition, dict) or definition.get(type_key) not in LEGACY_TYPES:
            continue
        new_def, report = map_alarm(str(name), definition, resource_types=types, cfn=cfn)
        if new_def is not None:
            try:
                check_definition(str(name), new_def, cfn=cfn, file=file)
            except HeatlikeError as exc:
                new_def = None
                report.update(status=NOT_MAPPABLE, new_type=None,
                              reason=f"the {report['new_type']} it maps to is not valid: {exc}")
        reports.append(report)
        if new_def is not None:
            replacements[str(name)] = new_def
    result = {"text": text, "changed": bool(replacements), "report": reports, "reformatted": False}
    if not replacements:
        return result
    json_doc = text.lstrip().startswith("{")
    try:
        nodes = _resource_nodes(text, section)
        edits = []
        for name, new_def in replacements.items():
            node = nodes[name]
            start = node.start_mark.index
            end = _content_end(node)
            while end > start and text[end - 1] in " \t\r\n":
                end -= 1
            flow = bool(getattr(node, "flow_style", False))
            line_start = text.rfind("\n", 0, start) + 1
            line = text[line_start:start]
            column = len(line) - len(line.lstrip(" ")) if (json_doc or flow) else node.start_mark.column
            edits.append((start, end, _render(new_def, column, flow=flow, json_doc=json_doc)))
        edits.sort()
        for (_s1, e1, _t1), (s2, _e2, _t2) in zip(edits, edits[1:], strict=False):
            if s2 < e1:
                raise ValueError("overlapping resource blocks")
        out = text
        for start, end, new_text in reversed(edits):
            out = out[:start] + new_text + out[end:]
        check = load_text(out, file)
        for name, new_def in replacements.items():
            if check.get(section, {}).get(name) != new_def:
                raise ValueError(f"resource {name} did not round-trip")
    except (yaml.YAMLError, KeyError, ValueError, HeatlikeError, AttributeError):
        new_data = copy.deepcopy(data)
        new_data[section].update(replacements)
        if json_doc:
            out = json.dumps(new_data, indent=2, ensure_ascii=False) + "\n"
        else:
            out = yaml.dump(new_data, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                            width=4096, allow_unicode=True)
        result["reformatted"] = True
    result["text"] = out
    return result


@contextlib.contextmanager
def _cwd(path: str) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def validate_text(text: str, template_path: str, *, environment_files: Sequence[str] = (),
                  parameters: Mapping[str, Any] | None = None, allowed_roots: Sequence[str] | None = None,
                  stack_name: str = "stack") -> dict[str, Any]:
    """Validate ``text`` with the engine as if it were the file ``template_path``.

    Relative ``get_file`` and nested templates resolve against that file's directory.
    Returns ``valid`` and ``error`` (one line, None when valid).
    """
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    base = os.path.dirname(os.path.abspath(template_path))
    try:
        data = load_text(text, template_path)
        with _cwd(base):
            load_stack(data, environment_files=list(environment_files), parameters=dict(parameters or {}),
                       allowed_roots=list(allowed_roots) if allowed_roots else [base], stack_name=stack_name)
    except HeatlikeError as exc:
        if exc.file is None:
            exc.file = template_path
        return {"valid": False, "error": str(exc)}
    return {"valid": True, "error": None}


def validate_file(template_path: str, **kwargs: Any) -> dict[str, Any]:
    """Validate a template file with the engine (same keyword arguments as :func:`validate_text`)."""
    with open(template_path, encoding="utf-8", errors="replace") as fh:
        return validate_text(fh.read(), template_path, **kwargs)


def hidden_values(text: str, parameters: Mapping[str, Any] | None = None, *, file: str | None = None) -> set[str]:
    """Values of hidden parameters (HOT ``hidden: true``, CFN ``NoEcho``): their defaults in the
    template and the values given for them, to be masked in every output."""
    data = load_text(text, file)
    if not isinstance(data, dict):
        return set()
    section = data.get("parameters", data.get("Parameters")) or {}
    found: set[str] = set()
    if not isinstance(section, Mapping):
        return found
    for name, spec in section.items():
        if not isinstance(spec, Mapping):
            continue
        hidden = spec.get("hidden", spec.get("NoEcho"))
        if str(hidden).lower() not in ("true", "yes", "1"):
            continue
        for value in (spec.get("default", spec.get("Default")), (parameters or {}).get(name)):
            if value is not None and not isinstance(value, bool) and str(value):
                found.add(str(value))
    return found


def summary(report: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Counts of report entries per status."""
    out = {MAPPED: 0, MAPPED_WITH_WARNING: 0, NOT_MAPPABLE: 0}
    for entry in report:
        out[entry["status"]] = out.get(entry["status"], 0) + 1
    return out
