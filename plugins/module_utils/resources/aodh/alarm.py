"""OS::Aodh::* alarms (Gnocchi threshold, event, composite, LB member health, Prometheus).

Heat's property names are mapped onto Aodh's alarm body and everything else (validation,
defaults, comparison, HTTP) is done by :mod:`...services.aodh`, the engine of the ``os_heatlike_alarm``
module. An alarm is owned by its deterministic name ``<stack>-<logical>`` (Aodh alarms have
neither tags nor metadata); the physical id is Aodh's ``alarm_id``. Every update-allowed
property is changed in place with a PUT that keeps the id.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.services import aodh
from ansible_collections.heatlike.cloud.plugins.module_utils.services import aodh_rules

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    Found, Handler, HandlerError)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override

#: what Heat turns each ``*_queues`` entry into (a Zaqar notification through a trust)
QUEUE_URL_PREFIX = "trust+zaqar://?queue_name="

_QUEUES = {"alarm_queues": "alarm_actions", "ok_queues": "ok_actions",
           "insufficient_data_queues": "insufficient_data_actions"}

#: the defaults every alarm type gets from its schema when the template leaves them out
_COMMON_DEFAULTS = ("enabled", "alarm_queues", "ok_queues", "insufficient_data_queues", "repeat_actions",
                    "severity", "time_constraints")
_BOOLEAN_DEFAULT = ("Heat declares the string 'true'; the plan, the record and Aodh get a boolean, "
                    "as they always did")
_COMMON_OVERRIDES = {"enabled": Override(default=True, reason=_BOOLEAN_DEFAULT),
                     "repeat_actions": Override(default=True, reason=_BOOLEAN_DEFAULT)}

#: the threshold rule properties the Gnocchi alarm types share
_THRESHOLD = ("comparison_operator", "evaluation_periods", "aggregation_method", "granularity", "threshold")


def _client(ctx: Any) -> aodh.AodhClient:
    """One Aodh client per run, on the run's openstacksdk session."""
    return ctx.cached("aodh:client", lambda: aodh.AodhClient.from_connection(ctx.conn))


def _queue_urls(queues: Any) -> list[str]:
    return [QUEUE_URL_PREFIX + str(q) for q in (queues or [])]


class AodhAlarmHandler(Handler):
    """Shared base: one Aodh alarm named ``<stack>-<logical>``.

    Subclasses set ``alarm_type`` (Aodh's type) and ``rule_map`` (Heat property -> rule field).
    """

    marking = "name"
    create_before_delete = False  # the name is the ownership mark: never two at once
    attributes = ("show",)
    schema_overrides = _COMMON_OVERRIDES
    applied_defaults = _COMMON_DEFAULTS
    alarm_type: str = ""
    rule_map: Mapping[str, str] = {}

    # ---- mapping -------------------------------------------------------------------
    def alarm_name(self, logical: str) -> str:
        """The deterministic alarm name (ownership mark)."""
        return ownership.default_name(self.ctx.stack_name, logical)

    def rule(self, props: Mapping[str, Any]) -> Any:
        """Aodh's rule (unnormalised) from Heat properties."""
        return {field: props[prop] for prop, field in self.rule_map.items() if props.get(prop) is not None}

    def heat_rule(self, rule: Any) -> dict:
        """Heat properties from a normalised Aodh rule (the inverse of :meth:`rule`)."""
        rule = rule if isinstance(rule, Mapping) else {}
        return {prop: rule.get(field) for prop, field in self.rule_map.items()}

    def params(self, logical: str, props: Mapping[str, Any]) -> dict:
        """Options for :func:`aodh.build_desired` (Heat's queues folded into the actions)."""
        out: dict[str, Any] = {"name": self.alarm_name(logical), "type": self.alarm_type, "rule": self.rule(props)}
        for key in ("description", "enabled", "repeat_actions", "severity", "time_constraints"):
            if props.get(key) is not None:
                out[key] = props[key]
        for queues, actions in _QUEUES.items():
            urls = list(props.get(actions) or []) + _queue_urls(props.get(queues))
            if props.get(actions) is not None or urls:
                out[actions] = urls
        return out

    def build(self, logical: str, props: Mapping[str, Any]) -> dict:
        """The normalised desired alarm; bad values are one-line HandlerErrors."""
        try:
            self.normalized_rule(props)
            return aodh.build_desired(self.params(logical, props))
        except HeatlikeError as exc:
            raise HandlerError(getattr(exc, "message", None) or str(exc)) from None

    def normalized_rule(self, props: Mapping[str, Any]) -> Any:
        """The rule checked and defaulted by Aodh's rules, errors naming Heat's property path."""
        return aodh_rules.normalize_rule(self.alarm_type, self.rule(props), "properties")

    # ---- handler protocol ------------------------------------------------------------
    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        self.build(logical, out)  # validate now: errors before any write
        for key in _QUEUES.values():
            for secret in aodh_rules.action_secrets(out.get(key)):
                self.ctx.add_secret(secret)
        return out

    def _listed(self) -> list[dict]:
        return self.ctx.cached("aodh:alarms", lambda: self.call(_client(self.ctx).list_alarms))

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        names = {self.alarm_name(w): w for w in wanted}
        return [Found(names[a["name"]], a["alarm_id"], a) for a in self._listed()
                if a.get("type") == self.alarm_type and a.get("name") in names]

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        found = self.list_owned([logical])
        return found[-1] if found else None

    def fetch(self, physical_id: str) -> Any:
        return self.call(_client(self.ctx).get_alarm, physical_id)

    def created_at(self, obj: Any) -> str | None:
        """Aodh names are not unique (two controllers can both create ``<stack>-<logical>``):
        the creation time of a copy comes from its history (asked only when copies compete)."""
        return self.call(_client(self.ctx).created_at, obj["alarm_id"])

    def wait_ready(self, physical_id: str) -> Any:
        return self.fetch(physical_id)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        desired = self.build(logical, props)
        self.ctx.forget("aodh:alarms")
        alarm = _client(self.ctx).create_alarm(aodh._api_body(desired))
        on_id(alarm["alarm_id"])
        return alarm

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        # a description removed from the template is cleared, not left as it was
        desired = self.build(logical, {**props, "description": props.get("description") or ""})
        client = _client(self.ctx)
        current = self.fetch(obj["alarm_id"]) or obj
        self.ctx.forget("aodh:alarms")
        return client.update_alarm(obj["alarm_id"], aodh._api_body(desired, current))

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.ctx.forget("aodh:alarms")
        _client(self.ctx).delete_alarm(physical_id)  # 404: already gone

    # ---- reading -------------------------------------------------------------------
    def physical_id(self, obj: Any) -> str:
        return obj["alarm_id"]

    def observe(self, obj: Any) -> dict:
        view = aodh.current_view(obj)
        out = self.heat_rule(view.get("rule"))
        for key in ("description", "enabled", "repeat_actions", "severity", "time_constraints"):
            out[key] = view.get(key)
        for actions in _QUEUES.values():
            out[actions] = [u for u in view.get(actions) or [] if not u.startswith(QUEUE_URL_PREFIX)]
        return out

    @property
    def observed(self) -> frozenset:  # type: ignore[override]
        common = {"description", "enabled", "repeat_actions", "severity", "time_constraints", *_QUEUES.values()}
        return frozenset(self.rule_map) | common

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        try:
            return self.compare_prop(prop, desired, observed)
        except (HeatlikeError, TypeError, ValueError):
            return False

    def compare_prop(self, prop: str, desired: Any, observed: Any) -> bool | None:
        """Type-aware comparison (numbers, action sets, normalised time constraints)."""
        if prop == "threshold":
            return observed is not None and float(desired) == float(observed)
        if prop in ("evaluation_periods", "granularity"):
            return observed is not None and int(desired) == int(observed)
        if prop in _QUEUES.values():
            return sorted(set(map(str, desired or []))) == sorted(set(observed or []))
        if prop == "time_constraints":
            return aodh_rules.normalize_time_constraints(desired) == (observed or [])
        if prop == "description":
            return (desired or "") == (observed or "")
        return None

    def observed_value(self, prop: str, value: Any) -> Any:
        if prop in _QUEUES.values():
            return [aodh_rules.redact_url(str(u)) for u in value or []]
        return value

    def attribute(self, obj: Any, name: str) -> Any:
        if name == "show":
            return aodh.redact_alarm(obj)
        if isinstance(obj, Mapping) and name in obj:
            return aodh.redact_alarm(obj)[name]
        raise HandlerError(f"{self.type_name} has no attribute '{name}'")


class _ThresholdAlarm(AodhAlarmHandler):
    """Gnocchi threshold alarms: numbers compare as numbers."""


class GnocchiResourcesAlarmHandler(_ThresholdAlarm):
    """OS::Aodh::GnocchiResourcesAlarm: a threshold on one resource's metric."""

    type_name = "OS::Aodh::GnocchiResourcesAlarm"
    alarm_type = "gnocchi_resources_threshold"
    rule_map = {k: k for k in ("metric", "resource_id", "resource_type", *_THRESHOLD)}


class GnocchiAggregationByMetricsAlarmHandler(_ThresholdAlarm):
    """OS::Aodh::GnocchiAggregationByMetricsAlarm: a threshold on aggregated metric ids."""

    type_name = "OS::Aodh::GnocchiAggregationByMetricsAlarm"
    alarm_type = "gnocchi_aggregation_by_metrics_threshold"
    rule_map = {k: k for k in ("metrics", *_THRESHOLD)}


class GnocchiAggregationByResourcesAlarmHandler(_ThresholdAlarm):
    """OS::Aodh::GnocchiAggregationByResourcesAlarm: a threshold over resources matching a query."""

    type_name = "OS::Aodh::GnocchiAggregationByResourcesAlarm"
    alarm_type = "gnocchi_aggregation_by_resources_threshold"
    rule_map = {k: k for k in ("metric", "query", "resource_type", *_THRESHOLD)}

    def compare_prop(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "query":
            want = json.loads(desired) if isinstance(desired, str) else desired
            have = json.loads(observed) if isinstance(observed, str) else observed
            return want == have
        return super().compare_prop(prop, desired, observed)


class EventAlarmHandler(AodhAlarmHandler):
    """OS::Aodh::EventAlarm: fires on a matching notification."""

    type_name = "OS::Aodh::EventAlarm"
    alarm_type = "event"
    applied_defaults = ("event_type", *_COMMON_DEFAULTS)
    rule_map = {"event_type": "event_type", "query": "query"}

    def rule(self, props: Mapping[str, Any]) -> Any:
        rule = super().rule(props)
        if isinstance(rule.get("query"), list):
            # Heat's default query value type is 'string'
            rule["query"] = [{**item, "type": item.get("type") or "string"} if isinstance(item, Mapping) else item
                             for item in rule["query"]]
        return rule

    def compare_prop(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "query":
            want = aodh_rules.normalize_rule("event", self.rule({"query": desired or []}))["query"]
            return sorted(map(_key, want)) == sorted(map(_key, observed or []))
        return super().compare_prop(prop, desired, observed)


class CompositeAlarmHandler(AodhAlarmHandler):
    """OS::Aodh::CompositeAlarm: ``composite_rule: {operator, rules}`` is Aodh's ``{operator: rules}``."""

    type_name = "OS::Aodh::CompositeAlarm"
    alarm_type = "composite"
    rule_map = {"composite_rule": "composite_rule"}

    def rule(self, props: Mapping[str, Any]) -> Any:
        spec = props.get("composite_rule")
        if not isinstance(spec, Mapping):
            return spec
        return {spec.get("operator"): spec.get("rules")}

    def normalized_rule(self, props: Mapping[str, Any]) -> Any:
        spec = props.get("composite_rule")
        if not isinstance(spec, Mapping) or spec.get("operator") not in ("and", "or"):
            raise HandlerError("properties.composite_rule.operator: must be 'and' or 'or'")
        rules = spec.get("rules")
        if not isinstance(rules, list) or len(rules) < 2:
            raise HandlerError("properties.composite_rule.rules: must be a list of at least 2 sub-rules")
        return aodh_rules.normalize_rule("composite", self.rule(props), "properties.composite_rule")

    def heat_rule(self, rule: Any) -> dict:
        if isinstance(rule, Mapping) and len(rule) == 1 and next(iter(rule)) in ("and", "or"):
            operator = next(iter(rule))
            return {"composite_rule": {"operator": operator, "rules": rule[operator]}}
        return {"composite_rule": rule}

    def compare_prop(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "composite_rule":
            want = aodh_rules.normalize_rule("composite", self.rule({"composite_rule": desired}))
            have = aodh_rules.normalize_rule("composite", self.rule({"composite_rule": observed}), strict=False)
            return _key(want) == _key(have)
        return super().compare_prop(prop, desired, observed)


class LBMemberHealthAlarmHandler(AodhAlarmHandler):
    """OS::Aodh::LBMemberHealthAlarm: unhealthy Octavia pool members of an autoscaling group."""

    type_name = "OS::Aodh::LBMemberHealthAlarm"
    alarm_type = "loadbalancer_member_health"
    rule_map = {"pool": "pool_id", "stack": "stack_id", "autoscaling_group_id": "autoscaling_group_id"}


class PrometheusAlarmHandler(AodhAlarmHandler):
    """OS::Aodh::PrometheusAlarm: a threshold on a PromQL query."""

    type_name = "OS::Aodh::PrometheusAlarm"
    alarm_type = "prometheus"
    rule_map = {"comparison_operator": "comparison_operator", "query": "query", "threshold": "threshold"}


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


AODH_HANDLERS: tuple[type[AodhAlarmHandler], ...] = (
    GnocchiResourcesAlarmHandler, GnocchiAggregationByMetricsAlarmHandler, GnocchiAggregationByResourcesAlarmHandler,
    EventAlarmHandler, CompositeAlarmHandler, LBMemberHealthAlarmHandler, PrometheusAlarmHandler,
)
