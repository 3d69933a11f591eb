"""What an Aodh alarm may contain: its rule, actions and time constraints.

Pure Python (no Ansible import), shared by :mod:`.aodh` (the alarm modules) and the
``OS::Aodh::*`` stack resource handlers:

- :func:`normalize_rule` validates a rule of any alarm type and fills Aodh's
  defaults, so a desired rule and the rule Aodh returns compare equal;
  :func:`rule_to_api` gives it the form Aodh's API accepts;
- :func:`normalize_actions` checks action URLs; :func:`redact_url`, :func:`redact_text` and
  :func:`action_secrets` keep their credentials out of every output;
- :func:`normalize_time_constraints` validates time constraints and fills their defaults.

Facts encoded here come from Aodh 23 (API v2): rule fields and defaults,
allowed action schemes, the way Aodh rewrites
``gnocchi_aggregation_by_resources_threshold`` queries for non-admin callers,
and the scrubbing of trust ids from ``trust+`` action URLs.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
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


@dataclass(frozen=True)
class _Field:
    """One rule field: kind (str/float/int/list/json/query), required, default, checks."""

    kind: str
    required: bool = False
    default: Any = None
    choices: Sequence[str] | None = None
    minimum: int | None = None
    maximum: int | None = None


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


def field_error(where: str, message: str) -> PropertyError:
    """The PropertyError for a bad alarm field at ``where``."""
    return PropertyError(f"{where}: {message}")


# ---------------------------------------------------------------- rules


def _coerce(kind: str, value: Any, where: str, spec: _Field, strict: bool) -> Any:
    if kind == "str":
        if isinstance(value, (dict, list)) or value is None:
            raise field_error(where, f"must be a string, got {type(value).__name__}")
        value = str(value)
        if spec.choices and value not in spec.choices:
            raise field_error(where, f"must be one of {', '.join(spec.choices)}, got '{value}'")
        return value
    if kind == "float":
        if isinstance(value, bool):
            raise field_error(where, "must be a number, got a boolean")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise field_error(where, f"must be a number, got '{value}'") from None
    if kind == "int":
        if isinstance(value, bool):
            raise field_error(where, "must be an integer, got a boolean")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise field_error(where, f"must be an integer, got '{value}'") from None
        if isinstance(value, float) and number != value:
            raise field_error(where, f"must be an integer, got '{value}'")
        if spec.minimum is not None and number < spec.minimum:
            raise field_error(where, f"must be at least {spec.minimum}, got {number}")
        if spec.maximum is not None and number > spec.maximum:
            raise field_error(where, f"must be at most {spec.maximum}, got {number}")
        return number
    if kind == "list":
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise field_error(where, "must be a list of strings")
        if not value:
            raise field_error(where, "must not be empty")
        return [str(item) for item in value]
    if kind == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise field_error(where, f"is not valid JSON ({exc.msg})") from None
        if not isinstance(value, (dict, list)):
            raise field_error(where, "must be a Gnocchi search filter (a mapping or its JSON text)")
        return value
    if kind == "query":
        return _normalize_event_query(value, where, strict)
    raise AssertionError(kind)  # pragma: no cover - table is static


def _normalize_event_query(value: Any, where: str, strict: bool) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise field_error(where, "must be a list of {field, op, value, type} mappings")
    out = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise field_error(here, "must be a mapping with field, op, value and type")
        unknown = set(item) - {"field", "op", "value", "type"}
        if unknown and strict:
            raise field_error(here, f"unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("field", "value"):
            if item.get(key) is None:
                raise field_error(here, f"'{key}' is required")
        field = str(item["field"])
        if strict and not re.match(r"^[a-zA-Z.',0-9_-]*$", field):
            raise field_error(f"{here}.field", f"'{field}' contains characters Aodh rejects")
        op = item.get("op") or "eq"
        if op not in COMPARISON_OPERATORS:
            raise field_error(f"{here}.op", f"must be one of {', '.join(COMPARISON_OPERATORS)}, got '{op}'")
        qtype = item.get("type") or ""
        if qtype not in QUERY_VALUE_TYPES:
            raise field_error(f"{here}.type", f"must be one of {', '.join(t for t in QUERY_VALUE_TYPES if t)}, got '{qtype}'")
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
            raise field_error(where, f"unknown key(s) for a {alarm_type} rule: {', '.join(sorted(unknown))}"
                              f" (allowed: {', '.join(sorted(fields))})")
    out: dict[str, Any] = {}
    for key, spec in fields.items():
        value = rule.get(key)
        if value is None:
            if spec.required:
                raise field_error(f"{where}.{key}", f"is required for a {alarm_type} rule")
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
        raise field_error("type", f"'{alarm_type}' is not an Aodh alarm type (one of {', '.join(ALARM_TYPES)})")
    if alarm_type == "composite":
        return _normalize_composite(rule, where, strict)
    if not isinstance(rule, Mapping):
        raise field_error(where, f"must be a mapping of {alarm_type} rule fields")
    source = {k: v for k, v in rule.items() if strict or k not in _SERVER_ONLY_RULE_KEYS}
    if not strict:
        source = {k: v for k, v in source.items() if k in RULE_FIELDS[alarm_type]}
    out = _normalize_fields(alarm_type, source, where, strict)
    if alarm_type == "gnocchi_aggregation_by_resources_threshold" and not strict:
        out["query"] = _unwrap_project_scope(out["query"])
    return out


def _normalize_composite(rule: Any, where: str, strict: bool) -> Any:
    if not isinstance(rule, Mapping):
        raise field_error(where, "a composite rule must be a mapping with one key, 'and' or 'or', or a typed sub-rule")
    if len(rule) == 1 and next(iter(rule)) in ("and", "or"):
        key = next(iter(rule))
        members = rule[key]
        if not isinstance(members, (list, tuple)) or not members:
            raise field_error(f"{where}.{key}", "must be a non-empty list of sub-rules")
        return {key: [_normalize_composite(member, f"{where}.{key}[{index}]", strict)
                      for index, member in enumerate(members)]}
    if "type" not in rule:
        if strict and len(rule) == 1:
            raise field_error(where, f"'{next(iter(rule))}' is not 'and' or 'or'; combine sub-rules with 'and' or 'or'")
        raise field_error(where, f"each composite sub-rule needs a 'type' (one of {', '.join(COMPOSITE_LEAF_TYPES)})")
    leaf_type = rule["type"]
    if leaf_type not in COMPOSITE_LEAF_TYPES:
        raise field_error(f"{where}.type", f"'{leaf_type}' cannot be a composite sub-rule"
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
        raise field_error(where, "must be a list of URLs")
    out: list[str] = []
    for index, action in enumerate(actions):
        url = str(action)
        try:
            parts = urlsplit(url)
        except ValueError:
            raise field_error(f"{where}[{index}]", f"cannot parse URL '{redact_url(url)}'") from None
        if parts.scheme not in ACTION_SCHEMES:
            raise field_error(f"{where}[{index}]", f"unsupported action scheme '{parts.scheme}' in '{redact_url(url)}'"
                              f" (Aodh accepts {', '.join(ACTION_SCHEMES)})")
        if parts.scheme.startswith("trust+") and "@" in parts.netloc:
            raise field_error(f"{where}[{index}]", "a trust+ URL must not carry a trust id or credentials;"
                              " Aodh creates the trust from your token itself")
        if url not in out:
            out.append(url)
    return out


# ---------------------------------------------------------------- time constraints


def normalize_time_constraints(value: Any, where: str = "time_constraints", *, strict: bool = True) -> list[dict]:
    """Validate time constraints and fill Aodh's defaults (description, timezone)."""
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise field_error(where, "must be a list of {name, start, duration, description, timezone}")
    out = []
    names: set[str] = set()
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise field_error(here, "must be a mapping")
        if strict:
            unknown = set(item) - {"name", "start", "duration", "description", "timezone"}
            if unknown:
                raise field_error(here, f"unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("name", "start", "duration"):
            if item.get(key) is None:
                raise field_error(here, f"'{key}' is required")
        name = str(item["name"])
        if name in names:
            raise field_error(here, f"time constraint name '{name}' is used twice (Aodh wants unique names)")
        names.add(name)
        start = str(item["start"])
        if strict and len(start.split()) not in (5, 6):
            raise field_error(f"{here}.start", f"'{start}' is not a cron expression (5 or 6 fields)")
        duration = _coerce("int", item["duration"], f"{here}.duration", _Field("int", minimum=0), strict)
        description = item.get("description")
        if not description:
            description = f"Time constraint at {start} lasting for {duration} seconds"
        out.append({"name": name, "start": start, "duration": duration,
                    "description": str(description), "timezone": str(item.get("timezone") or "")})
    return sorted(out, key=lambda tc: tc["name"])
