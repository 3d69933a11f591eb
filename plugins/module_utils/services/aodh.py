"""Aodh alarms: build, compare and converge alarms over the alarming API.

Pure Python (no Ansible import). Used by the ``os_heatlike_alarm`` modules and
the ``OS::Aodh::*`` stack resource handlers; what an alarm may contain (rules,
actions, time constraints) is checked by :mod:`.aodh_rules`:

- :func:`build_desired` turns user options into a normalised alarm spec;
- :func:`current_view` turns an alarm as Aodh returns it into the same shape;
- :func:`compare` lists the fields that differ;
- :class:`AodhClient` talks to Aodh through a keystoneauth adapter built on the
  openstacksdk connection's session (openstacksdk has no Aodh proxy);
- :func:`ensure_alarm` converges one alarm by name (create / PUT / DELETE),
  honouring check mode and producing a redacted diff.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Mapping, Sequence

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh_rules import (
    ACTION_FIELDS,
    ALARM_TYPES,
    SEVERITIES,
    field_error,
    normalize_actions,
    normalize_rule,
    normalize_time_constraints,
    redact_text,
    redact_url,
    rule_to_api,
)

# Fields a user manages besides name/type/rule; None in the options = not managed.
MANAGED_FIELDS: tuple[str, ...] = (
    "description", "enabled", "severity", "repeat_actions",
    "alarm_actions", "ok_actions", "insufficient_data_actions", "time_constraints",
)


# ---------------------------------------------------------------- desired / current


def build_desired(params: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised desired alarm from module options (or resource properties).

    Keys: ``name``, ``type``, ``rule`` always; each of :data:`MANAGED_FIELDS`
    only when given (not None): an omitted field is left as Aodh has it.
    """
    name = params.get("name")
    if not name:
        raise field_error("name", "is required")
    where = f"alarm '{name}'"
    alarm_type = params.get("type")
    if alarm_type not in ALARM_TYPES:
        raise field_error(f"{where}: type", f"'{alarm_type}' is not an Aodh alarm type (one of {', '.join(ALARM_TYPES)})")
    if params.get("rule") is None:
        raise field_error(f"{where}: rule", f"is required to create or update a {alarm_type} alarm")
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
            raise field_error(f"{where}: severity", f"must be one of {', '.join(SEVERITIES)}, got '{params['severity']}'")
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


def _actions_key(actions: Sequence[str]) -> list[str]:
    return sorted(set(actions))


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

    def created_at(self, alarm_id: str) -> str | None:
        """When the alarm was created (its ``creation`` history entry; Aodh's alarm itself only
        shows the time of its last change), None when the history does not say."""
        params = [("q.field", "type"), ("q.op", "eq"), ("q.value", "creation")]
        entries = self._request("GET", f"alarms/{alarm_id}/history", f"alarm {alarm_id}: history",
                                params=params).json()
        stamps = sorted(str(e["timestamp"]) for e in entries or [] if e.get("type") == "creation" and e.get("timestamp"))
        return stamps[0] if stamps else None

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
        raise field_error("name", "is required")
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
