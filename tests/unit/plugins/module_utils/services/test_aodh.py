"""Unit tests of plugins/module_utils/aodh.py: normalisation, compare, converge over faked HTTP.

The fake: A small in-memory Aodh v2 alarms API behind a keystoneauth-like adapter.

It reproduces the Aodh 23 behaviours the module must cope with: rule defaults filled on
store, non-admin ``gnocchi_aggregation_by_resources_threshold`` queries wrapped in a project
filter, trust ids added to ``trust+`` URLs and scrubbed on output, duplicate actions dropped,
state reset by a PUT that omits it, wsme-style JSON errors.
"""

from __future__ import annotations

import copy
import json
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.services import aodh
from ansible_collections.heatlike.cloud.plugins.module_utils.services import aodh_rules
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK

DEFAULTS = {"comparison_operator": "eq", "evaluation_periods": 1, "granularity": 60}
THRESHOLD_TYPES = {"gnocchi_resources_threshold", "gnocchi_aggregation_by_metrics_threshold",
                   "gnocchi_aggregation_by_resources_threshold"}
SCHEMES = {"http", "https", "log", "test", "zaqar", "trust+http", "trust+https", "trust+zaqar", "trust+heat"}


class FakeResponse:
    def __init__(self, status_code: int, body=None):
        self.status_code = status_code
        self._body = body
        self.text = json.dumps(body) if body is not None else ""
        self.reason = ""

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body


def _error(status: int, message: str) -> FakeResponse:
    return FakeResponse(status, {"error_message": {"faultcode": "Client", "faultstring": message,
                                                   "debuginfo": None}})


class FakeAodh:
    """The adapter: ``get_endpoint()`` and ``request(url, method, ...)``."""

    def __init__(self, project_id: str = "p1", admin: bool = False, endpoint: str = "http://127.0.0.1:8042"):
        self.project_id = project_id
        self.admin = admin
        self.endpoint = endpoint
        self.alarms: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.fail_next: FakeResponse | None = None

    def get_endpoint(self):
        return self.endpoint

    # -- helpers
    def _scrub(self, alarm: dict) -> dict:
        out = copy.deepcopy(alarm)
        for key in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
            scrubbed = []
            for url in out.get(key, []):
                parts = urlsplit(url)
                if parts.scheme.startswith("trust+"):
                    url = urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path,
                                      parts.query, parts.fragment))
                scrubbed.append(url)
            out[key] = scrubbed
        return out

    def _rule(self, alarm_type: str, rule: dict) -> dict:
        rule = copy.deepcopy(rule)
        if alarm_type in THRESHOLD_TYPES:
            for key, value in DEFAULTS.items():
                rule.setdefault(key, value)
            rule["threshold"] = float(rule["threshold"])
        if alarm_type == "prometheus":
            rule.setdefault("comparison_operator", "eq")
            rule["threshold"] = float(rule["threshold"])
            rule["scope_to_project"] = None if self.admin else self.project_id
        if alarm_type == "gnocchi_aggregation_by_resources_threshold":
            query = json.loads(rule["query"])  # Aodh rejects invalid JSON with 400
            if not self.admin:
                query = {"and": [{"or": [{"=": {"created_by_project_id": self.project_id}},
                                         {"and": [{"=": {"created_by_project_id": "svc"}},
                                                  {"=": {"project_id": self.project_id}}]}]},
                                 query]}
            rule["query"] = json.dumps(query)
        if alarm_type == "event":
            rule.setdefault("event_type", "*")
            rule["query"] = [{"op": "eq", **q} for q in rule.get("query", [])]
        if alarm_type == "composite":
            rule = self._composite(rule)
        return rule

    def _composite(self, node):
        if "type" in node:
            leaf_type = node["type"]
            body = self._rule(leaf_type, {k: v for k, v in node.items() if k != "type"})
            body.pop("scope_to_project", None)
            return {**body, "type": leaf_type}
        key = next(iter(node))
        return {key: [self._composite(member) for member in node[key]]}

    def _store(self, body: dict, alarm_id: str, old: dict | None) -> FakeResponse | dict:
        alarm_type = body.get("type")
        rule = body.get(f"{alarm_type}_rule")
        if rule is None:
            return _error(400, f"{alarm_type}_rule must be set for {alarm_type} type alarm")
        if alarm_type in THRESHOLD_TYPES and "threshold" not in rule:
            return _error(400, "Invalid input for field/attribute threshold. Value: 'None'. Mandatory field missing.")
        trust = None
        for key in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
            actions = list(dict.fromkeys(body.get(key) or []))
            for index, url in enumerate(actions):
                parts = urlsplit(url)
                if parts.scheme not in SCHEMES:
                    return _error(400, f"Unsupported action {url}")
                if parts.scheme in ("log", "test") and not self.admin:
                    return _error(401, f"You are not authorized to create action: {url}")
                if parts.scheme.startswith("trust+"):
                    if "@" in parts.netloc:
                        return _error(400, "trust URL cannot contain a trust ID.")
                    trust = trust or "trust-" + uuid.uuid4().hex[:8]
                    actions[index] = urlunsplit((parts.scheme, f"{trust}:delete@{parts.netloc}", parts.path,
                                                 parts.query, parts.fragment))
            body[key] = actions
        try:
            stored_rule = self._rule(alarm_type, rule)
        except (ValueError, KeyError) as exc:
            return _error(400, f"Invalid input for field/attribute rule/query. Value: '{exc}'")
        tcs = []
        for tc in body.get("time_constraints") or []:
            tcs.append({"name": tc["name"], "start": tc["start"], "duration": tc["duration"],
                        "description": tc.get("description") or
                        f"Time constraint at {tc['start']} lasting for {tc['duration']} seconds",
                        "timezone": tc.get("timezone") or ""})
        state = body.get("state", "insufficient data")
        alarm = {
            "alarm_id": alarm_id, "name": body["name"], "type": alarm_type,
            f"{alarm_type}_rule": stored_rule,
            "description": body.get("description") or f"{alarm_type} alarm rule",
            "enabled": body.get("enabled", True), "severity": body.get("severity", "low"),
            "repeat_actions": body.get("repeat_actions", False),
            "alarm_actions": body.get("alarm_actions", []), "ok_actions": body.get("ok_actions", []),
            "insufficient_data_actions": body.get("insufficient_data_actions", []),
            "time_constraints": tcs, "project_id": self.project_id, "user_id": "u1",
            "state": state,
            "state_reason": old["state_reason"] if old and old["state"] == state else "Manually set via API",
        }
        self.alarms[alarm_id] = alarm
        return alarm

    # -- the adapter API
    def request(self, url, method, raise_exc=True, headers=None, json=None, params=None):  # noqa: A002
        assert raise_exc is False
        assert url.startswith(self.endpoint.rstrip("/").removesuffix("/v2") + "/v2/"), url
        path = url.split("/v2/", 1)[1]
        self.calls.append((method, path))
        if self.fail_next is not None:
            response, self.fail_next = self.fail_next, None
            return response
        if path == "alarms" and method == "GET":
            filters = {}
            pairs = list(params or [])
            for i in range(0, len(pairs), 3):
                filters[pairs[i][1]] = pairs[i + 2][1]
            found = [self._scrub(a) for a in self.alarms.values()
                     if all(a.get(k) == v for k, v in filters.items())]
            return FakeResponse(200, found)
        if path == "alarms" and method == "POST":
            result = self._store(copy.deepcopy(json), uuid.uuid4().hex, None)
            return result if isinstance(result, FakeResponse) else FakeResponse(201, self._scrub(result))
        alarm_id = path.split("/", 1)[1]
        if alarm_id not in self.alarms:
            return _error(404, f"Alarm {alarm_id} not found")
        if method == "GET":
            return FakeResponse(200, self._scrub(self.alarms[alarm_id]))
        if method == "PUT":
            result = self._store(copy.deepcopy(json), alarm_id, self.alarms[alarm_id])
            return result if isinstance(result, FakeResponse) else FakeResponse(200, self._scrub(result))
        if method == "DELETE":
            del self.alarms[alarm_id]
            return FakeResponse(204)
        raise AssertionError(method)


# ============================================================ tests

GRT = {"metric": "cpu", "resource_id": "r1", "resource_type": "instance",
       "aggregation_method": "mean", "threshold": 80}
RULES = {
    "gnocchi_resources_threshold": GRT,
    "gnocchi_aggregation_by_metrics_threshold": {"metrics": ["m1", "m2"], "aggregation_method": "mean",
                                                 "threshold": 5, "comparison_operator": "gt"},
    "gnocchi_aggregation_by_resources_threshold": {"metric": "cpu", "resource_type": "instance",
                                                   "aggregation_method": "mean", "threshold": 1,
                                                   "query": {"=": {"server_group": "web"}}},
    "event": {"event_type": "compute.instance.delete.end",
              "query": [{"field": "traits.instance_id", "value": "abc", "type": "string"}]},
    "composite": {"or": [{"type": "prometheus", "query": "up", "threshold": 1},
                         {"and": [{"type": "gnocchi_resources_threshold", **GRT},
                                  {"type": "gnocchi_aggregation_by_metrics_threshold", "metrics": ["m"],
                                   "aggregation_method": "max", "threshold": 2}]}]},
    "loadbalancer_member_health": {"pool_id": "pool", "stack_id": "stack", "autoscaling_group_id": "asg"},
    "prometheus": {"query": "avg(node_load1)", "threshold": 4, "comparison_operator": "gt"},
}


def run(fake, check_mode=False, state="present", **params):
    return aodh.ensure_alarm(aodh.AodhClient(fake), params, state=state, check_mode=check_mode)


# ------------------------------------------------------------- normalisation


def test_threshold_rule_gets_aodh_defaults():
    rule = aodh_rules.normalize_rule("gnocchi_resources_threshold", GRT)
    assert rule["comparison_operator"] == "eq"
    assert rule["evaluation_periods"] == 1
    assert rule["granularity"] == 60
    assert rule["threshold"] == 80.0 and isinstance(rule["threshold"], float)


def test_missing_required_rule_field_names_the_path():
    with pytest.raises(PropertyError) as err:
        aodh.build_desired({"name": "a", "type": "gnocchi_resources_threshold",
                            "rule": {k: v for k, v in GRT.items() if k != "metric"}})
    assert str(err.value) == "alarm 'a': rule.metric: is required for a gnocchi_resources_threshold rule"


def test_unknown_rule_key_is_rejected_with_allowed_keys():
    with pytest.raises(PropertyError, match=r"rule: unknown key\(s\) for a prometheus rule: metric \(allowed: "):
        aodh.build_desired({"name": "a", "type": "prometheus", "rule": {**RULES["prometheus"], "metric": "x"}})


@pytest.mark.parametrize("field,value,message", [
    ("comparison_operator", "bigger", "must be one of lt, le, eq, ne, ge, gt, got 'bigger'"),
    ("threshold", "high", "must be a number, got 'high'"),
    ("evaluation_periods", 0, "must be at least 1, got 0"),
    ("granularity", 1.5, "must be an integer, got '1.5'"),
])
def test_bad_threshold_values_are_rejected(field, value, message):
    with pytest.raises(PropertyError) as err:
        aodh_rules.normalize_rule("gnocchi_resources_threshold", {**GRT, field: value}, "rule")
    assert str(err.value) == f"rule.{field}: {message}"


def test_gnocchi_query_accepts_json_text_and_mapping_alike():
    base = RULES["gnocchi_aggregation_by_resources_threshold"]
    as_text = aodh_rules.normalize_rule("gnocchi_aggregation_by_resources_threshold",
                                        {**base, "query": json.dumps(base["query"])})
    as_map = aodh_rules.normalize_rule("gnocchi_aggregation_by_resources_threshold", base)
    assert as_text == as_map


def test_gnocchi_query_invalid_json_is_a_clear_error():
    with pytest.raises(PropertyError, match=r"rule.query: is not valid JSON"):
        aodh_rules.normalize_rule("gnocchi_aggregation_by_resources_threshold",
                                  {**RULES["gnocchi_aggregation_by_resources_threshold"], "query": "{nope"})


def test_aodh_project_scope_is_unwrapped_from_stored_query():
    stored = {**RULES["gnocchi_aggregation_by_resources_threshold"],
              "query": json.dumps({"and": [{"=": {"created_by_project_id": "p"}}, {"=": {"server_group": "web"}}]})}
    rule = aodh_rules.normalize_rule("gnocchi_aggregation_by_resources_threshold", stored, strict=False)
    assert rule["query"] == {"=": {"server_group": "web"}}


def test_user_query_with_and_is_not_unwrapped():
    query = {"and": [{"=": {"flavor": "m1"}}, {"=": {"server_group": "web"}}]}
    stored = {**RULES["gnocchi_aggregation_by_resources_threshold"], "query": json.dumps(query)}
    rule = aodh_rules.normalize_rule("gnocchi_aggregation_by_resources_threshold", stored, strict=False)
    assert rule["query"] == query


def test_event_query_defaults_op_and_stringifies_values():
    rule = aodh_rules.normalize_rule("event", {"query": [{"field": "traits.count", "value": 3},
                                                         {"field": "traits.ok", "value": True, "op": "ne"}]})
    assert rule == {"event_type": "*", "query": [
        {"field": "traits.count", "op": "eq", "type": "", "value": "3"},
        {"field": "traits.ok", "op": "ne", "type": "", "value": "true"}]}


def test_event_query_rejects_unknown_value_type():
    with pytest.raises(PropertyError, match=r"rule.query\[0\].type: must be one of integer"):
        aodh_rules.normalize_rule("event", {"query": [{"field": "f", "value": "v", "type": "text"}]})


def test_composite_nested_leaves_are_normalised():
    rule = aodh_rules.normalize_rule("composite", RULES["composite"])
    leaf = rule["or"][1]["and"][0]
    assert leaf["type"] == "gnocchi_resources_threshold" and leaf["granularity"] == 60
    assert rule["or"][0] == {"type": "prometheus", "query": "up", "threshold": 1.0, "comparison_operator": "eq"}


@pytest.mark.parametrize("rule,message", [
    ({"xor": [{"type": "prometheus", "query": "up", "threshold": 1}]}, "'xor' is not 'and' or 'or'"),
    ({"and": []}, "rule.and: must be a non-empty list"),
    ({"and": [{"type": "event"}]}, "rule.and[0].type: 'event' cannot be a composite sub-rule"),
    ({"or": [{"query": "up", "threshold": 1}]}, "needs a 'type'"),
])
def test_composite_shape_errors(rule, message):
    with pytest.raises(PropertyError) as err:
        aodh_rules.normalize_rule("composite", rule)
    assert message in str(err.value)


def test_unknown_alarm_type_is_rejected():
    with pytest.raises(PropertyError, match="'threshold' is not an Aodh alarm type"):
        aodh.build_desired({"name": "a", "type": "threshold", "rule": {}})


def test_time_constraints_get_default_description_and_are_sorted():
    tcs = aodh_rules.normalize_time_constraints([{"name": "b", "start": "0 23 * * *", "duration": 3600},
                                                 {"name": "a", "start": "0 1 * * *", "duration": "60",
                                                  "timezone": "Europe/Paris"}])
    assert [tc["name"] for tc in tcs] == ["a", "b"]
    assert tcs[1]["description"] == "Time constraint at 0 23 * * * lasting for 3600 seconds"
    assert tcs[0]["duration"] == 60 and tcs[1]["timezone"] == ""


def test_time_constraint_names_must_be_unique():
    with pytest.raises(PropertyError, match="used twice"):
        aodh_rules.normalize_time_constraints([{"name": "a", "start": "* * * * *", "duration": 1}] * 2)


# ------------------------------------------------------------- actions and secrets


def test_actions_unsupported_scheme_is_rejected_with_redacted_url():
    with pytest.raises(PropertyError) as err:
        aodh_rules.normalize_actions(["ftp://bob:s3cret@host/x"], "alarm_actions")
    assert "unsupported action scheme 'ftp'" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_trust_url_with_trust_id_is_rejected():
    with pytest.raises(PropertyError, match="must not carry a trust id"):
        aodh_rules.normalize_actions(["trust+http://abc:delete@host/x"], "alarm_actions")


def test_redact_url_masks_password_and_trust_ids():
    assert aodh_rules.redact_url("https://bob:s3cret@h/p?q=1") == f"https://bob:{MASK}@h/p?q=1"
    assert aodh_rules.redact_url("trust+http://tid:delete@h/p") == f"trust+http://{MASK}@h/p"
    assert aodh_rules.redact_url("http://h/p") == "http://h/p"


def test_redact_text_masks_urls_inside_messages():
    text = "Unsupported action ftp://bob:s3cret@host/x and trust+http://tid@h/"
    assert aodh_rules.redact_text(text) == f"Unsupported action ftp://bob:{MASK}@host/x and trust+http://{MASK}@h/"


def test_action_secrets_collects_passwords_only():
    assert aodh_rules.action_secrets(["http://bob:pw1@h/", "https://h/", "trust+http://tid@h/"]) == {"pw1", "tid"}


def test_actions_compare_as_sets():
    desired = aodh.build_desired({"name": "a", "type": "prometheus", "rule": RULES["prometheus"],
                                  "alarm_actions": ["http://b/", "http://a/", "http://a/"]})
    view = {**desired, "alarm_actions": ["http://a/", "http://b/"]}
    assert aodh.compare(desired, view) == []


# ------------------------------------------------------------- converge over the fake API


@pytest.mark.parametrize("alarm_type", sorted(RULES))
def test_every_type_create_rerun_update_in_place_absent(alarm_type):
    fake = FakeAodh()
    first = run(fake, name="a1", type=alarm_type, rule=RULES[alarm_type], severity="moderate")
    assert first["changed"] and first["action"] == "create"
    alarm_id = first["alarm"]["alarm_id"]
    assert fake.alarms[alarm_id]["severity"] == "moderate"

    again = run(fake, name="a1", type=alarm_type, rule=RULES[alarm_type], severity="moderate")
    assert again == {**again, "changed": False, "action": "none", "changes": []}

    new_rule = _changed_rule(alarm_type)
    updated = run(fake, name="a1", type=alarm_type, rule=new_rule, severity="moderate")
    assert updated["changed"] and updated["action"] == "update" and updated["changes"] == ["rule"]
    assert list(fake.alarms) == [alarm_id]
    assert aodh.current_view(fake.alarms[alarm_id])["rule"] == aodh_rules.normalize_rule(alarm_type, new_rule)

    checked = run(fake, name="a1", type=alarm_type, rule=new_rule, severity="moderate", check_mode=True)
    assert not checked["changed"]

    gone = run(fake, name="a1", state="absent")
    assert gone["changed"] and gone["action"] == "delete"
    assert fake.alarms == {}
    assert not run(fake, name="a1", state="absent")["changed"]


def _changed_rule(alarm_type):
    rule = json.loads(json.dumps(RULES[alarm_type]))
    if "threshold" in rule:
        rule["threshold"] = rule["threshold"] + 10
    elif alarm_type == "event":
        rule["query"][0]["value"] = "xyz"
    elif alarm_type == "composite":
        rule["or"][0]["threshold"] = 3
    else:
        rule["pool_id"] = "pool2"
    return rule


def test_check_mode_create_does_not_touch_the_cloud():
    fake = FakeAodh()
    result = run(fake, check_mode=True, name="a", type="prometheus", rule=RULES["prometheus"])
    assert result["changed"] and result["action"] == "create" and result["alarm"] is None
    assert fake.alarms == {} and all(call[0] == "GET" for call in fake.calls)


def test_check_mode_update_and_delete_do_not_write():
    fake = FakeAodh()
    run(fake, name="a", type="prometheus", rule=RULES["prometheus"])
    snapshot = json.dumps(fake.alarms, sort_keys=True)
    upd = run(fake, check_mode=True, name="a", type="prometheus", rule={**RULES["prometheus"], "threshold": 9})
    dele = run(fake, check_mode=True, name="a", state="absent")
    assert upd["changed"] and dele["changed"]
    assert json.dumps(fake.alarms, sort_keys=True) == snapshot


def test_diff_shows_only_changed_fields_before_and_after():
    fake = FakeAodh()
    run(fake, name="a", type="prometheus", rule=RULES["prometheus"], severity="low")
    result = run(fake, name="a", type="prometheus", rule=RULES["prometheus"], severity="critical")
    assert result["diff"] == {"before": {"severity": "low"}, "after": {"severity": "critical"}}


def test_unmanaged_fields_keep_their_value_and_state_is_preserved_on_put():
    fake = FakeAodh()
    first = run(fake, name="a", type="prometheus", rule=RULES["prometheus"], description="mine",
                alarm_actions=["http://hook/"], enabled=False)
    alarm_id = first["alarm_id"]
    fake.alarms[alarm_id]["state"] = "alarm"
    fake.alarms[alarm_id]["state_reason"] = "evaluated"
    run(fake, name="a", type="prometheus", rule={**RULES["prometheus"], "threshold": 7})
    stored = fake.alarms[alarm_id]
    assert stored["description"] == "mine" and stored["enabled"] is False
    assert stored["alarm_actions"] == ["http://hook/"]
    assert stored["state"] == "alarm" and stored["state_reason"] == "evaluated"


def test_non_admin_resources_query_is_idempotent_despite_aodh_wrapping():
    fake = FakeAodh(admin=False)
    rule = RULES["gnocchi_aggregation_by_resources_threshold"]
    run(fake, name="a", type="gnocchi_aggregation_by_resources_threshold", rule=rule)
    stored_query = json.loads(next(iter(fake.alarms.values()))["gnocchi_aggregation_by_resources_threshold_rule"]["query"])
    assert "and" in stored_query  # the fake wrapped it like Aodh does
    assert not run(fake, name="a", type="gnocchi_aggregation_by_resources_threshold", rule=rule)["changed"]


def test_trust_action_is_idempotent_and_never_returned_with_trust_id():
    fake = FakeAodh()
    params = dict(name="a", type="prometheus", rule=RULES["prometheus"],
                  alarm_actions=["trust+http://127.0.0.1:5000/hook"])
    first = run(fake, **params)
    stored = next(iter(fake.alarms.values()))["alarm_actions"][0]
    assert ":delete@" in stored
    assert first["alarm"]["alarm_actions"] == ["trust+http://127.0.0.1:5000/hook"]
    assert not run(fake, **params)["changed"]


def test_basic_auth_password_in_action_never_in_result_or_diff():
    fake = FakeAodh()
    params = dict(name="a", type="prometheus", rule=RULES["prometheus"],
                  ok_actions=["https://bob:hunter2@hook.example/ok"])
    created = run(fake, **params)
    again = run(fake, **params)
    changed = run(fake, **{**params, "ok_actions": ["https://bob:other@hook.example/ok"]})
    for result in (created, again, changed):
        assert "hunter2" not in json.dumps(result) and "other@" not in json.dumps(result)
    assert not again["changed"] and changed["changed"]
    assert changed["diff"]["before"]["ok_actions"] == [f"https://bob:{MASK}@hook.example/ok"]


def test_log_action_refused_for_non_admin_gets_a_hint():
    fake = FakeAodh(admin=False)
    with pytest.raises(CloudError) as err:
        run(fake, name="a", type="prometheus", rule=RULES["prometheus"], alarm_actions=["log://"])
    assert str(err.value) == ("alarm 'a': create: Aodh answered 401: You are not authorized to create action:"
                              " log:// (only admins may use log:// and test:// actions)")


def test_gnocchi_unavailable_503_is_explained():
    fake = FakeAodh()
    fake.fail_next = FakeResponse(503, {"error_message": {"faultstring": "Gnocchi is unavailable"}})
    with pytest.raises(CloudError, match="503: Gnocchi is unavailable .Aodh could not reach Gnocchi"):
        aodh.AodhClient(fake).list_alarms()


def test_error_message_as_json_string_is_unpacked():
    fake = FakeAodh()
    fake.fail_next = FakeResponse(400, {"error_message": json.dumps({"faultstring": "Timezone Mars/Olympus is not valid"})})
    with pytest.raises(CloudError, match="400: Timezone Mars/Olympus is not valid$"):
        aodh.AodhClient(fake).list_alarms()


def test_duplicate_names_in_project_are_an_error():
    fake = FakeAodh()
    client = aodh.AodhClient(fake)
    body = aodh._api_body(aodh.build_desired({"name": "dup", "type": "prometheus", "rule": RULES["prometheus"]}))
    client.create_alarm(body)
    client.create_alarm(body)
    with pytest.raises(CloudError, match="2 alarms share this name"):
        run(fake, name="dup", type="prometheus", rule=RULES["prometheus"])


def test_change_of_type_is_an_update_in_place():
    fake = FakeAodh()
    first = run(fake, name="a", type="prometheus", rule=RULES["prometheus"])
    second = run(fake, name="a", type="gnocchi_resources_threshold", rule=GRT)
    assert second["action"] == "update" and set(second["changes"]) == {"type", "rule"}
    assert list(fake.alarms) == [first["alarm_id"]]
    assert fake.alarms[first["alarm_id"]]["type"] == "gnocchi_resources_threshold"


def test_endpoint_with_version_suffix_is_not_doubled():
    fake = FakeAodh(endpoint="http://127.0.0.1:8042/v2/")
    client = aodh.AodhClient(fake)
    assert client._url("alarms") == "http://127.0.0.1:8042/v2/alarms"


def test_alarm_info_filters_and_redacts():
    fake = FakeAodh()
    run(fake, name="b", type="prometheus", rule=RULES["prometheus"], alarm_actions=["http://u:pw@h/"])
    run(fake, name="a", type="event", rule=RULES["event"])
    client = aodh.AodhClient(fake)
    everything = aodh.alarm_info(client)
    assert [a["name"] for a in everything] == ["a", "b"]
    assert everything[1]["alarm_actions"] == [f"http://u:{MASK}@h/"]
    assert [a["name"] for a in aodh.alarm_info(client, alarm_type="event")] == ["a"]
    assert aodh.alarm_info(client, alarm_id="nope") == []
