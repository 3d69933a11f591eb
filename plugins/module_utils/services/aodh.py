"""Aodh alarms: normalise, compare and converge alarms over the alarming API.

Pure Python (no Ansible import). Used by the ``os_heatlike_alarm`` modules and
meant to be reused by the ``OS::Aodh::*`` stack resource handlers:

- :func:`normalize_rule` validates a rule of any alarm type and fills Aodh's
  defaults, so a desired rule and the rule Aodh returns compare equal;
- :func:`build_desired` turns user options into a normalised alarm spec;
- :func:`current_view` turns an alarm as Aodh returns it into the same shape;
- :func:`compare` lists the fields that differ;
- :class:`AodhClient` talks to Aodh through a keystoneauth adapter built on the
  openstacksdk connection's session (openstacksdk has no Aodh proxy);
- :func:`ensure_alarm` converges one alarm by name (create / PUT / DELETE),
  honouring check mode and producing a redacted diff.

Facts encoded here come from Aodh 23 (API v2): rule fields and defaults,
allowed action schemes, the way Aodh rewrites
``gnocchi_aggregation_by_resources_threshold`` queries for non-admin callers,
and the scrubbing of trust ids from ``trust+`` action URLs.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK

ALARM_TYPES: tuple[str, ...] = (
    "gnocchi_resources_threshold",
    "gnocchi_aggregation_by_metrics_threshold",
    "gnocchi_aggregation_by_resources_threshold",
    "event",
    "composite",
    "loadbalancer_member_health",
    "prometheus",
)
COMPOSITE_LEAF_TYPES: tuple[str, ...] = (
    "prometheus",
    "gnocchi_resources_threshold",
    "gnocchi_aggregation_by_metrics_threshold",
    "gnocchi_aggregation_by_resources_threshold",
)
COMPARISON_OPERATORS: tuple[str, ...] = ("lt", "le", "eq", "ne", "ge", "gt")
SEVERITIES: tuple[str, ...] = ("low", "moderate", "critical")
STATES: tuple[str, ...] = ("ok", "alarm", "insufficient data")
ACTION_SCHEMES: tuple[str, ...] = (
    "http", "https", "log", "test", "zaqar",
    "trust+http", "trust+https", "trust+zaqar", "trust+heat",
)
ACTION_FIELDS: tuple[str, ...] = ("alarm_actions", "ok_actions", "insufficient_data_actions")
QUERY_VALUE_TYPES: tuple[str, ...] = ("", "integer", "float", "string", "boolean", "datetime")

# Fields a user manages besides name/type/rule; None in the options = not managed.
MANAGED_FIELDS: tuple[str, ...] = (
    "description", "enabled", "severity", "repeat_actions",
    "alarm_actions", "ok_actions", "insufficient_data_actions", "time_constraints",
)


class _Field:
    """One rule field: kind (str/float/int/list/json/query), required, default, checks."""

    def __init__(self, kind: str, required: bool = False, default: Any = None,
                 choices: Sequence[str] | None = None, minimum: int | None = None,
                 maximum: int | None = None) -> None:
        self.kind = kind
        self.required = required
        self.default = default
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum


_THRESHOLD: dict[str, _Field] = {
    "comparison_operator": _Field("str", default="eq", choices=COMPARISON_OPERATORS),
    "threshold": _Field("float", required=True),
    "aggregation_method": _Field("str", required=True),
    "evaluation_periods": _Field("int", default=1, minimum=1, maximum=100),
    "granularity": _Field("int", default=60, minimum=1, maximum=3600 * 24 * 365),
}

RULE_FIELDS: dict[str, dict[str, _Field]] = {
    "gnocchi_resources_threshold": {
        **_THRESHOLD,
        "metric": _Field("str", required=True),
        "resource_id": _Field("str", required=True),
        "resource_type": _Field("str", required=True),
    },
    "gnocchi_aggregation_by_metrics_threshold": {
        **_THRESHOLD,
        "metrics": _Field("list", required=True),
    },
    "gnocchi_aggregation_by_resources_threshold": {
        **_THRESHOLD,
        "metric": _Field("str", required=True),
        "resource_type": _Field("str", required=True),
        "query": _Field("json", required=True),
    },
    "event": {
        "event_type": _Field("str", default="*"),
        "query": _Field("query", default=()),
    },
    "loadbalancer_member_health": {
        "pool_id": _Field("str", required=True),
        "stack_id": _Field("str", required=True),
        "autoscaling_group_id": _Field("str", required=True),
    },
    "prometheus": {
        "comparison_operator": _Field("str", default="eq", choices=COMPARISON_OPERATORS),
        "threshold": _Field("float", required=True),
        "query": _Field("str", required=True),
    },
}

# Keys Aodh adds to stored rules that are not user input.
_SERVER_ONLY_RULE_KEYS = frozenset({"scope_to_project"})


def _fail(where: str, message: str) -> PropertyError:
    return PropertyError(f"{where}: {message}")


# ---------------------------------------------------------------- rules


def _coerce(kind: str, value: Any, where: str, spec: _Field, strict: bool) -> Any:
    if kind == "str":
        if isinstance(value, (dict, list)) or value is None:
            raise _fail(where, f"must be a string, got {type(value).__name__}")
        value = str(value)
        if spec.choices and value not in spec.choices:
            raise _fail(where, f"must be one of {', '.join(spec.choices)}, got '{value}'")
        return value
    if kind == "float":
        if isinstance(value, bool):
            raise _fail(where, "must be a number, got a boolean")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _fail(where, f"must be a number, got '{value}'") from None
    if kind == "int":
        if isinstance(value, bool):
            raise _fail(where, "must be an integer, got a boolean")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise _fail(where, f"must be an integer, got '{value}'") from None
        if isinstance(value, float) and number != value:
            raise _fail(where, f"must be an integer, got '{value}'")
        if spec.minimum is not None and number < spec.minimum:
            raise _fail(where, f"must be at least {spec.minimum}, got {number}")
        if spec.maximum is not None and number > spec.maximum:
            raise _fail(where, f"must be at most {spec.maximum}, got {number}")
        return number
    if kind == "list":
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise _fail(where, "must be a list of strings")
        if not value:
            raise _fail(where, "must not be empty")
        return [str(item) for item in value]
    if kind == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise _fail(where, f"is not valid JSON ({exc.msg})") from None
        if not isinstance(value, (dict, list)):
            raise _fail(where, "must be a Gnocchi search filter (a mapping or its JSON text)")
        return value
    if kind == "query":
        return _normalize_event_query(value, where, strict)
    raise AssertionError(kind)  # pragma: no cover - table is static


def _normalize_event_query(value: Any, where: str, strict: bool) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise _fail(where, "must be a list of {field, op, value, type} mappings")
    out = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise _fail(here, "must be a mapping with field, op, value and type")
        unknown = set(item) - {"field", "op", "value", "type"}
        if unknown and strict:
            raise _fail(here, f"unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("field", "value"):
            if item.get(key) is None:
                raise _fail(here, f"'{key}' is required")
        field = str(item["field"])
        if strict and not re.match(r"^[a-zA-Z.',0-9_-]*$", field):
            raise _fail(f"{here}.field", f"'{field}' contains characters Aodh rejects")
        op = item.get("op") or "eq"
        if op not in COMPARISON_OPERATORS:
            raise _fail(f"{here}.op", f"must be one of {', '.join(COMPARISON_OPERATORS)}, got '{op}'")
        qtype = item.get("type") or ""
        if qtype not in QUERY_VALUE_TYPES:
            raise _fail(f"{here}.type", f"must be one of {', '.join(t for t in QUERY_VALUE_TYPES if t)}, got '{qtype}'")
        raw = item["value"]
        if isinstance(raw, bool):
            value_text = "true" if raw else "false"
        else:
            value_text = str(raw)
        out.append({"field": field, "op": op, "type": qtype, "value": value_text})
    return out


def _normalize_fields(alarm_type: str, rule: Mapping[str, Any], where: str, strict: bool) -> dict[str, Any]:
    fields = RULE_FIELDS[alarm_type]
    if strict:
        unknown = set(rule) - set(fields)
        if unknown:
            raise _fail(where, f"unknown key(s) for a {alarm_type} rule: {', '.join(sorted(unknown))}"
                        f" (allowed: {', '.join(sorted(fields))})")
    out: dict[str, Any] = {}
    for key, spec in fields.items():
        value = rule.get(key)
        if value is None:
            if spec.required:
                raise _fail(f"{where}.{key}", f"is required for a {alarm_type} rule")
            value = list(spec.default) if isinstance(spec.default, tuple) else spec.default
            out[key] = value
            continue
        out[key] = _coerce(spec.kind, value, f"{where}.{key}", spec, strict)
    return out


def _unwrap_project_scope(query: Any) -> Any:
    """Undo the project filter Aodh wraps around a non-admin caller's query.

    Aodh stores ``{"and": [<scope>, <user query>]}`` where ``<scope>`` is
    ``{"=": {"created_by_project_id": P}}`` or an ``or`` of that and
    ``{"and": [{"=": {"created_by_project_id": OWNER}}, {"=": {"project_id": P}}]}``.
    """
    if not (isinstance(query, dict) and list(query) == ["and"]):
        return query
    parts = query["and"]
    if not (isinstance(parts, list) and len(parts) == 2):
        return query
    scope = parts[0]

    def is_created_by(node: Any) -> bool:
        return (isinstance(node, dict) and list(node) == ["="] and isinstance(node["="], dict)
                and list(node["="]) == ["created_by_project_id"])

    if is_created_by(scope):
        return parts[1]
    if isinstance(scope, dict) and list(scope) == ["or"] and isinstance(scope["or"], list) \
            and len(scope["or"]) == 2 and is_created_by(scope["or"][0]):
        return parts[1]
    return query


def normalize_rule(alarm_type: str, rule: Any, where: str = "rule", *, strict: bool = True) -> Any:
    """Validate ``rule`` for ``alarm_type`` and fill Aodh's defaults.

    ``strict=True`` (desired state) rejects unknown keys and bad values with a
    :class:`PropertyError` naming ``where``; ``strict=False`` (state read from
    Aodh) drops server-only keys and undoes Aodh's project scoping of
    ``gnocchi_aggregation_by_resources_threshold`` queries.
    """
    if alarm_type not in ALARM_TYPES:
        raise _fail("type", f"'{alarm_type}' is not an Aodh alarm type (one of {', '.join(ALARM_TYPES)})")
    if alarm_type == "composite":
        return _normalize_composite(rule, where, strict)
    if not isinstance(rule, Mapping):
        raise _fail(where, f"must be a mapping of {alarm_type} rule fields")
    source = {k: v for k, v in rule.items() if strict or k not in _SERVER_ONLY_RULE_KEYS}
    if not strict:
        source = {k: v for k, v in source.items() if k in RULE_FIELDS[alarm_type]}
    out = _normalize_fields(alarm_type, source, where, strict)
    if alarm_type == "gnocchi_aggregation_by_resources_threshold" and not strict:
        out["query"] = _unwrap_project_scope(out["query"])
    return out


def _normalize_composite(rule: Any, where: str, strict: bool) -> Any:
    if not isinstance(rule, Mapping):
        raise _fail(where, "a composite rule must be a mapping with one key, 'and' or 'or', or a typed sub-rule")
    if len(rule) == 1 and next(iter(rule)) in ("and", "or"):
        key = next(iter(rule))
        members = rule[key]
        if not isinstance(members, (list, tuple)) or not members:
            raise _fail(f"{where}.{key}", "must be a non-empty list of sub-rules")
        return {key: [_normalize_composite(member, f"{where}.{key}[{index}]", strict)
                      for index, member in enumerate(members)]}
    if "type" not in rule:
        if strict and len(rule) == 1:
            raise _fail(where, f"'{next(iter(rule))}' is not 'and' or 'or'; combine sub-rules with 'and' or 'or'")
        raise _fail(where, f"each composite sub-rule needs a 'type' (one of {', '.join(COMPOSITE_LEAF_TYPES)})")
    leaf_type = rule["type"]
    if leaf_type not in COMPOSITE_LEAF_TYPES:
        raise _fail(f"{where}.type", f"'{leaf_type}' cannot be a composite sub-rule"
                    f" (one of {', '.join(COMPOSITE_LEAF_TYPES)})")
    body = {k: v for k, v in rule.items() if k != "type"}
    if not strict:
        body = {k: v for k, v in body.items() if k in RULE_FIELDS[leaf_type]}
    out = _normalize_fields(leaf_type, body, where, strict)
    out["type"] = leaf_type
    return out


def rule_to_api(alarm_type: str, rule: Any) -> Any:
    """Return a normalised rule in the form Aodh's API accepts."""
    if alarm_type == "composite":
        return _composite_to_api(rule)
    body = copy.deepcopy(rule)
    if alarm_type == "gnocchi_aggregation_by_resources_threshold":
        body["query"] = json.dumps(body["query"], sort_keys=True)
    if alarm_type == "event":
        body["query"] = [{k: v for k, v in item.items() if k != "type" or v} for item in body["query"]]
    return body


def _composite_to_api(rule: Any) -> Any:
    if "type" not in rule:
        key = next(iter(rule))
        return {key: [_composite_to_api(member) for member in rule[key]]}
    return {**rule_to_api(rule["type"], {k: v for k, v in rule.items() if k != "type"}), "type": rule["type"]}


# ---------------------------------------------------------------- actions, redaction


def redact_url(url: str) -> str:
    """Mask credentials in an action URL (``user:pass@`` or a ``trust+`` trust id)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    if parts.scheme.startswith("trust+"):
        masked = MASK
    elif ":" in userinfo:
        masked = userinfo.split(":", 1)[0] + ":" + MASK
    else:
        return url
    return urlunsplit((parts.scheme, f"{masked}@{host}", parts.path, parts.query, parts.fragment))


_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")


def redact_text(text: str) -> str:
    """Mask credentials of any URL embedded in free text (e.g. Aodh's error messages)."""
    def repl(match: re.Match[str]) -> str:
        scheme, userinfo = match.group("scheme"), match.group("userinfo")
        if scheme.startswith("trust+"):
            return f"{scheme}{MASK}@"
        if ":" in userinfo:
            return f"{scheme}{userinfo.split(':', 1)[0]}:{MASK}@"
        return match.group(0)
    return _URL_CREDENTIALS.sub(repl, text)


def action_secrets(actions: Sequence[str] | None) -> set[str]:
    """Passwords (and trust ids) embedded in action URLs, for ``no_log_values``."""
    secrets: set[str] = set()
    for url in actions or ():
        try:
            parts = urlsplit(str(url))
        except ValueError:
            continue
        if parts.password:
            secrets.add(parts.password)
        if parts.scheme.startswith("trust+") and parts.username:
            secrets.add(parts.username)
    return secrets


def normalize_actions(actions: Any, where: str) -> list[str]:
    """Validate action URLs (scheme, no trust id in ``trust+`` URLs) and de-duplicate, keeping order."""
    if isinstance(actions, str) or not isinstance(actions, (list, tuple)):
        raise _fail(where, "must be a list of URLs")
    out: list[str] = []
    for index, action in enumerate(actions):
        url = str(action)
        try:
            parts = urlsplit(url)
        except ValueError:
            raise _fail(f"{where}[{index}]", f"cannot parse URL '{redact_url(url)}'") from None
        if parts.scheme not in ACTION_SCHEMES:
            raise _fail(f"{where}[{index}]", f"unsupported action scheme '{parts.scheme}' in '{redact_url(url)}'"
                        f" (Aodh accepts {', '.join(ACTION_SCHEMES)})")
        if parts.scheme.startswith("trust+") and "@" in parts.netloc:
            raise _fail(f"{where}[{index}]", "a trust+ URL must not carry a trust id or credentials;"
                        " Aodh creates the trust from your token itself")
        if url not in out:
            out.append(url)
    return out


def _actions_key(actions: Sequence[str]) -> list[str]:
    return sorted(set(actions))


# ---------------------------------------------------------------- time constraints


def normalize_time_constraints(value: Any, where: str = "time_constraints", *, strict: bool = True) -> list[dict]:
    """Validate time constraints and fill Aodh's defaults (description, timezone)."""
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise _fail(where, "must be a list of {name, start, duration, description, timezone}")
    out = []
    names: set[str] = set()
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise _fail(here, "must be a mapping")
        if strict:
            unknown = set(item) - {"name", "start", "duration", "description", "timezone"}
            if unknown:
                raise _fail(here, f"unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("name", "start", "duration"):
            if item.get(key) is None:
                raise _fail(here, f"'{key}' is required")
        name = str(item["name"])
        if name in names:
            raise _fail(here, f"time constraint name '{name}' is used twice (Aodh wants unique names)")
        names.add(name)
        start = str(item["start"])
        if strict and len(start.split()) not in (5, 6):
            raise _fail(f"{here}.start", f"'{start}' is not a cron expression (5 or 6 fields)")
        duration = _coerce("int", item["duration"], f"{here}.duration", _Field("int", minimum=0), strict)
        description = item.get("description")
        if not description:
            description = f"Time constraint at {start} lasting for {duration} seconds"
        out.append({"name": name, "start": start, "duration": duration,
                    "description": str(description), "timezone": str(item.get("timezone") or "")})
    return sorted(out, key=lambda tc: tc["name"])


# ---------------------------------------------------------------- desired / current


def build_desired(params: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised desired alarm from module options (or resource properties).

    Keys: ``name``, ``type``, ``rule`` always; each of :data:`MANAGED_FIELDS`
    only when given (not None): an omitted field is left as Aodh has it.
    """
    name = params.get("name")
    if not name:
        raise _fail("name", "is required")
    where = f"alarm '{name}'"
    alarm_type = params.get("type")
    if alarm_type not in ALARM_TYPES:
        raise _fail(f"{where}: type", f"'{alarm_type}' is not an Aodh alarm type (one of {', '.join(ALARM_TYPES)})")
    if params.get("rule") is None:
        raise _fail(f"{where}: rule", f"is required to create or update a {alarm_type} alarm")
    desired: dict[str, Any] = {
        "name": str(name),
        "type": alarm_type,
        "rule": normalize_rule(alarm_type, params["rule"], f"{where}: rule"),
    }
    if params.get("description") is not None:
        desired["description"] = str(params["description"])
    for key in ("enabled", "repeat_actions"):
        if params.get(key) is not None:
            desired[key] = bool(params[key])
    if params.get("severity") is not None:
        if params["severity"] not in SEVERITIES:
            raise _fail(f"{where}: severity", f"must be one of {', '.join(SEVERITIES)}, got '{params['severity']}'")
        desired["severity"] = params["severity"]
    for key in ACTION_FIELDS:
        if params.get(key) is not None:
            desired[key] = normalize_actions(params[key], f"{where}: {key}")
    if params.get("time_constraints") is not None:
        desired["time_constraints"] = normalize_time_constraints(params["time_constraints"],
                                                                 f"{where}: time_constraints")
    return desired


def current_view(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable shape of an alarm as Aodh returns it (same keys as :func:`build_desired`)."""
    alarm_type = alarm.get("type")
    rule = alarm.get(f"{alarm_type}_rule")
    try:
        norm_rule = normalize_rule(alarm_type, rule, "rule", strict=False) if rule is not None else None
    except PropertyError:
        norm_rule = rule  # an odd stored rule simply compares unequal
    view = {
        "name": alarm.get("name"),
        "type": alarm_type,
        "rule": norm_rule,
        "description": alarm.get("description"),
        "enabled": alarm.get("enabled"),
        "severity": alarm.get("severity"),
        "repeat_actions": alarm.get("repeat_actions"),
    }
    for key in ACTION_FIELDS:
        view[key] = list(alarm.get(key) or [])
    try:
        view["time_constraints"] = normalize_time_constraints(alarm.get("time_constraints") or [], strict=False)
    except PropertyError:
        view["time_constraints"] = alarm.get("time_constraints")
    return view


def _equal(key: str, want: Any, have: Any) -> bool:
    if key in ACTION_FIELDS:
        return _actions_key(want) == _actions_key(have or [])
    return want == have


def compare(desired: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Names of the desired fields whose value differs from the current view."""
    return [key for key, want in desired.items() if not _equal(key, want, current.get(key))]


def redact_alarm(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """Deep copy of an alarm (API form or view) with action URL credentials masked."""
    out = copy.deepcopy(dict(alarm))
    for key in ACTION_FIELDS:
        if isinstance(out.get(key), list):
            out[key] = [redact_url(str(url)) for url in out[key]]
    return out


def _api_body(desired: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Aodh request body: ``base`` (the current alarm, for PUT) overlaid with the desired fields."""
    body: dict[str, Any] = {}
    if base:
        for key in ("name", "description", "enabled", "severity", "repeat_actions", "state",
                    *ACTION_FIELDS, "time_constraints"):
            if base.get(key) is not None:
                body[key] = copy.deepcopy(base[key])
    alarm_type = desired["type"]
    body["name"] = desired["name"]
    body["type"] = alarm_type
    body[f"{alarm_type}_rule"] = rule_to_api(alarm_type, desired["rule"])
    for key in MANAGED_FIELDS:
        if key in desired:
            body[key] = copy.deepcopy(desired[key])
    return body


# ---------------------------------------------------------------- HTTP


def _error_text(response: Any) -> str:
    """The human message of an Aodh (wsme/pecan) or keystonemiddleware error response."""
    try:
        data = response.json()
    except ValueError:
        data = None
    message = None
    if isinstance(data, dict):
        inner = data.get("error_message", data.get("error", data))
        if isinstance(inner, str):
            try:
                inner = json.loads(inner)
            except ValueError:
                message = inner
        if isinstance(inner, dict):
            message = inner.get("faultstring") or inner.get("message") or inner.get("title")
            if isinstance(message, dict):
                message = message.get("faultstring") or json.dumps(message)
    if not message:
        message = (getattr(response, "text", "") or getattr(response, "reason", "") or "").strip()
    message = " ".join(str(message).split())[:500]
    return redact_text(message) or f"HTTP {getattr(response, 'status_code', '?')}"


def _hint(status: int, message: str) -> str:
    if status == 503 and ("nocchi" in message or not message):
        return " (Aodh could not reach Gnocchi; gnocchi_* alarms need a running Gnocchi)"
    if status == 401 and "not authorized to create action" in message.lower():
        return " (only admins may use log:// and test:// actions)"
    if status == 500 and "could not find role" in message.lower():
        return (" (for trust+ actions Aodh creates a Keystone trust from your token's roles; a trust-scoped"
                " token cannot delegate roles its user does not hold - create trust+ actions as the trustor)")
    if status == 500 and "delete_trust" in message:
        return (" (the alarm's trust+ action holds a trust Aodh must delete, and only its trustor may;"
                " change or delete this alarm as the user who created the trust+ action)")
    if status == 400 and "scope_to_project" in message:
        return (" (an Aodh 23 defect: once any prometheus alarm was validated, a composite rule with a"
                " prometheus sub-rule is refused; use gnocchi_* sub-rules or restart aodh-api)")
    if status == 403 and "quota" in message.lower():
        return " (raise the alarm quota or delete unused alarms)"
    return ""


class AodhClient:
    """Thin client of Aodh's v2 alarms API over a keystoneauth adapter.

    ``adapter`` is anything with keystoneauth's ``Adapter.request`` signature
    and ``get_endpoint()``; use :meth:`from_connection` with an openstacksdk
    connection.
    """

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter
        self._base: str | None = None

    @classmethod
    def from_connection(cls, conn: Any) -> AodhClient:
        """Build a client on the connection's session (service type ``alarming``)."""
        try:
            from keystoneauth1 import adapter as ks_adapter
        except ImportError as exc:  # pragma: no cover - openstacksdk depends on keystoneauth1
            raise CloudError(f"keystoneauth1 is required to talk to Aodh: {exc}") from exc
        config = getattr(conn, "config", None)
        interface = config.get_interface() if config is not None else None
        region = config.get_region_name() if config is not None else None
        return cls(ks_adapter.Adapter(session=conn.session, service_type="alarming",
                                      interface=interface, region_name=region or None))

    def _url(self, path: str) -> str:
        if self._base is None:
            try:
                endpoint = self.adapter.get_endpoint()
            except Exception as exc:  # keystoneauth EndpointNotFound and friends
                raise CloudError(f"no Aodh ('alarming') endpoint usable in the service catalog:"
                                 f" {redact_text(str(exc))}") from None
            if not endpoint:
                raise CloudError("no Aodh ('alarming') endpoint in the service catalog")
            base = endpoint.rstrip("/")
            if base.endswith("/v2"):
                base = base[:-3]
            self._base = base
        return f"{self._base}/v2/{path.lstrip('/')}"

    def _request(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        try:
            response = self.adapter.request(self._url(path), method, raise_exc=False,
                                            headers={"Accept": "application/json"}, **kwargs)
        except CloudError:
            raise
        except Exception as exc:  # connection refused, timeouts, auth failures
            raise CloudError(f"{what}: cannot talk to Aodh: {redact_text(str(exc))}") from None
        status = int(response.status_code)
        if status >= 400:
            message = _error_text(response)
            raise CloudError(f"{what}: Aodh answered {status}: {message}{_hint(status, message)}")
        return response

    def list_alarms(self, *, name: str | None = None, alarm_type: str | None = None) -> list[dict]:
        """Alarms visible in the caller's project, optionally filtered by name and type."""
        params: list[tuple[str, str]] = []
        for field, value in (("name", name), ("type", alarm_type)):
            if value is not None:
                params += [("q.field", field), ("q.op", "eq"), ("q.value", value)]
        response = self._request("GET", "alarms", "list alarms", params=params)
        return list(response.json())

    def get_alarm(self, alarm_id: str) -> dict | None:
        """One alarm by id, or None when Aodh does not know it."""
        try:
            return self._request("GET", f"alarms/{alarm_id}", f"alarm {alarm_id}").json()
        except CloudError as exc:
            if " 404:" in str(exc):
                return None
            raise

    def create_alarm(self, body: Mapping[str, Any]) -> dict:
        """POST an alarm; returns Aodh's representation."""
        return self._request("POST", "alarms", f"alarm '{body.get('name')}': create", json=dict(body)).json()

    def update_alarm(self, alarm_id: str, body: Mapping[str, Any]) -> dict:
        """PUT (replace) an alarm in place; the id stays the same."""
        return self._request("PUT", f"alarms/{alarm_id}", f"alarm '{body.get('name')}': update",
                             json=dict(body)).json()

    def delete_alarm(self, alarm_id: str, name: str | None = None) -> bool:
        """DELETE an alarm; False when it was already gone."""
        try:
            self._request("DELETE", f"alarms/{alarm_id}", f"alarm '{name or alarm_id}': delete")
        except CloudError as exc:
            if " 404:" in str(exc):
                return False
            raise
        return True

    def find_by_name(self, name: str) -> dict | None:
        """The one alarm with this name in the project; an error when several share it."""
        alarms = [a for a in self.list_alarms(name=name) if a.get("name") == name]
        if len(alarms) > 1:
            ids = ", ".join(sorted(a.get("alarm_id", "?") for a in alarms))
            raise CloudError(f"alarm '{name}': {len(alarms)} alarms share this name in the project ({ids});"
                             " delete the extras or rename them, names must be unique for this module")
        return alarms[0] if alarms else None


# ---------------------------------------------------------------- converge


def _diff_view(view: Mapping[str, Any] | None, keys: Sequence[str]) -> dict[str, Any]:
    if not view:
        return {}
    return redact_alarm({k: view.get(k) for k in keys})


def ensure_alarm(client: AodhClient, params: Mapping[str, Any], *, state: str = "present",
                 check_mode: bool = False) -> dict[str, Any]:
    """Converge one alarm (by name in the caller's project) and report.

    Returns a dict with ``changed``, ``action`` (``create``, ``update``,
    ``delete`` or ``none``), ``changes`` (field names), ``alarm`` (Aodh's
    representation, credentials masked; None once deleted or in check mode
    before creation) and ``diff`` (``before``/``after`` of the compared fields).
    """
    name = params.get("name")
    if not name:
        raise _fail("name", "is required")
    desired = build_desired(params) if state == "present" else None
    current = client.find_by_name(str(name))
    keys = ["name", "type", "rule", *[k for k in MANAGED_FIELDS if desired and k in desired]]

    if state == "absent":
        if current is None:
            return {"changed": False, "action": "none", "changes": [], "alarm": None,
                    "diff": {"before": {}, "after": {}}}
        before = current_view(current)
        all_keys = ["name", "type", "rule", *MANAGED_FIELDS]
        if not check_mode:
            client.delete_alarm(current["alarm_id"], str(name))
        return {"changed": True, "action": "delete", "changes": [], "alarm": None,
                "alarm_id": current["alarm_id"],
                "diff": {"before": _diff_view(before, all_keys), "after": {}}}

    if current is None:
        result_alarm = None
        if not check_mode:
            result_alarm = redact_alarm(client.create_alarm(_api_body(desired)))
        return {"changed": True, "action": "create", "changes": list(desired), "alarm": result_alarm,
                "alarm_id": result_alarm.get("alarm_id") if result_alarm else None,
                "diff": {"before": {}, "after": _diff_view(desired, keys)}}

    view = current_view(current)
    changes = compare(desired, view)
    if not changes:
        return {"changed": False, "action": "none", "changes": [], "alarm": redact_alarm(current),
                "alarm_id": current.get("alarm_id"),
                "diff": {"before": _diff_view(view, keys), "after": _diff_view(view, keys)}}
    after = {**view, **desired}
    result_alarm = redact_alarm(current)
    if not check_mode:
        result_alarm = redact_alarm(client.update_alarm(current["alarm_id"], _api_body(desired, current)))
    return {"changed": True, "action": "update", "changes": changes, "alarm": result_alarm,
            "alarm_id": current.get("alarm_id"),
            "diff": {"before": _diff_view(view, changes), "after": _diff_view(after, changes)}}


def alarm_info(client: AodhClient, *, name: str | None = None, alarm_id: str | None = None,
               alarm_type: str | None = None) -> list[dict[str, Any]]:
    """Alarms of the caller's project (credentials masked), filtered by id, name or type."""
    if alarm_id:
        alarm = client.get_alarm(alarm_id)
        alarms = [alarm] if alarm else []
    else:
        alarms = client.list_alarms(name=name, alarm_type=alarm_type)
    if name:
        alarms = [a for a in alarms if a.get("name") == name]
    if alarm_type:
        alarms = [a for a in alarms if a.get("type") == alarm_type]
    return [redact_alarm(a) for a in sorted(alarms, key=lambda a: (a.get("name") or "", a.get("alarm_id") or ""))]
