"""OS::Aodh::* stack resources over an in-memory Aodh (the real AodhClient on a fake adapter)."""

from __future__ import annotations

import copy
import itertools
import json
import uuid
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.services import aodh
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK, Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aodh import alarm as aodh_alarm
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context, HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.handlers import HANDLERS
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

_ids = itertools.count(1)
SECRET = "Pw-4kX9q"


class Response:
    def __init__(self, status: int, data: Any = None) -> None:
        self.status_code = status
        self._data = data
        self.text = json.dumps(data) if data is not None else ""
        self.reason = ""

    def json(self) -> Any:
        return copy.deepcopy(self._data)


class FakeAodh:
    """Aodh v2 alarms: POST/GET/PUT/DELETE, name/type filters; records every request."""

    def __init__(self) -> None:
        self.alarms: dict[str, dict] = {}
        self.calls: list[str] = []

    def get_endpoint(self) -> str:
        return "http://aodh.test:8042"

    def request(self, url: str, method: str, raise_exc: bool = False, headers: Any = None,
                json: Any = None, params: Any = None) -> Response:
        path = url.split("/v2/", 1)[1]
        self.calls.append(f"{method} {path.split('/')[0]}")
        if path == "alarms" and method == "GET":
            filters, params = {}, list(params or [])
            for i in range(0, len(params), 3):
                filters[params[i][1]] = params[i + 2][1]
            return Response(200, [a for a in self.alarms.values()
                                  if all(a.get(k) == v for k, v in filters.items())])
        if path == "alarms" and method == "POST":
            alarm = self._store(str(uuid.UUID(int=next(_ids))), json)
            return Response(201, alarm)
        alarm_id = path.split("/", 1)[1]
        if alarm_id.endswith("/history") and method == "GET":  # Aodh keeps the creation time here only
            alarm = self.alarms[alarm_id.split("/")[0]]
            return Response(200, [{"type": "creation", "timestamp": alarm["_created"]}])
        if alarm_id not in self.alarms:
            return Response(404, {"error_message": {"faultstring": f"Alarm {alarm_id} not found"}})
        if method == "GET":
            return Response(200, self.alarms[alarm_id])
        if method == "PUT":
            return Response(200, self._store(alarm_id, json))
        if method == "DELETE":
            del self.alarms[alarm_id]
            return Response(204)
        raise AssertionError(method)

    def _store(self, alarm_id: str, body: dict) -> dict:
        alarm = copy.deepcopy(body)
        alarm.update(alarm_id=alarm_id, state="insufficient data")
        for key in ("alarm_actions", "ok_actions", "insufficient_data_actions", "time_constraints"):
            alarm.setdefault(key, [])
        alarm.setdefault("description", "")
        alarm.setdefault("_created", (self.alarms.get(alarm_id) or {}).get("_created", f"2026-01-01T00:00:{next(_ids) % 60:02d}"))
        self.alarms[alarm_id] = alarm
        return alarm

    def by_name(self, name: str) -> dict:
        (alarm,) = [a for a in self.alarms.values() if a["name"] == name]
        return alarm


class Conn:
    def __init__(self) -> None:
        self.aodh = FakeAodh()


@pytest.fixture
def conn(monkeypatch: pytest.MonkeyPatch) -> Conn:
    monkeypatch.setattr(aodh.AodhClient, "from_connection", classmethod(lambda cls, c: cls(c.aodh)))
    return Conn()


def run(tmp_path: Any, conn: Any, template: dict, **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(template))
    resolved = load_stack(str(path), parameters={}, stack_name="st")
    return converge(conn, "st", resolved, Options(state_dir=str(tmp_path / "state"), retry_base=0.0, **opts),
                    Redactor())


def template(threshold: Any = 80, event_type: str = "compute.instance.update", extra: dict | None = None) -> dict:
    res = {
        "cpu": {"type": "OS::Aodh::GnocchiResourcesAlarm", "properties": {
            "metric": "cpu", "resource_id": "5a1a4cd8-3e1b-4c56-9b2f-2e1f0c5b7a10", "resource_type": "instance",
            "aggregation_method": "rate:mean", "comparison_operator": "gt", "threshold": threshold,
            "alarm_actions": [f"https://hook:{SECRET}@example.test/scale"]}},
        "ev": {"type": "OS::Aodh::EventAlarm", "properties": {
            "event_type": event_type, "query": [{"field": "traits.state", "op": "eq", "value": "error"}]}},
    }
    res.update(extra or {})
    return {"heat_template_version": "2018-08-31", "resources": res,
            "outputs": {"cpu_show": {"value": {"get_attr": ["cpu", "show"]}},
                        "cpu_id": {"value": {"get_resource": "cpu"}}}}


def test_registry_has_every_aodh_type_with_heat_update_rules():
    names = {"GnocchiResourcesAlarm", "GnocchiAggregationByMetricsAlarm", "GnocchiAggregationByResourcesAlarm",
             "EventAlarm", "CompositeAlarm", "LBMemberHealthAlarm", "PrometheusAlarm"}
    assert {f"OS::Aodh::{n}" for n in names} <= set(HANDLERS)
    cls = get_handler("OS::Aodh::GnocchiResourcesAlarm")
    assert cls.update_allowed("threshold") and cls.update_allowed("alarm_actions")
    assert not cls.update_allowed("time_constraints")
    assert not get_handler("OS::Aodh::LBMemberHealthAlarm").update_allowed("stack")


def test_create_rerun_update_in_place_and_absent(tmp_path, conn):
    first = run(tmp_path, conn, template())
    assert first.error is None and first["changed"] is True
    cpu = conn.aodh.by_name("st-cpu")
    assert cpu["type"] == "gnocchi_resources_threshold"
    assert cpu["gnocchi_resources_threshold_rule"]["threshold"] == 80.0
    assert cpu["severity"] == "low" and cpu["enabled"] is True and cpu["repeat_actions"] is True
    ev = conn.aodh.by_name("st-ev")
    assert ev["event_rule"] == {"event_type": "compute.instance.update",
                                "query": [{"field": "traits.state", "op": "eq", "type": "string", "value": "error"}]}
    assert first["outputs"]["cpu_id"] == cpu["alarm_id"]

    again = run(tmp_path, conn, template())
    assert again["changed"] is False and again["plan"] == []

    conn.aodh.calls.clear()
    upd = run(tmp_path, conn, template(threshold=95.5, event_type="compute.instance.delete.end"))
    assert upd.error is None and upd["changed"] is True
    assert {p["action"] for p in upd["plan"]} == {"update"}
    assert "PUT alarms" in conn.aodh.calls and "POST alarms" not in conn.aodh.calls
    assert conn.aodh.by_name("st-cpu")["alarm_id"] == cpu["alarm_id"]
    assert conn.aodh.by_name("st-cpu")["gnocchi_resources_threshold_rule"]["threshold"] == 95.5
    assert conn.aodh.by_name("st-ev")["event_rule"]["event_type"] == "compute.instance.delete.end"

    check = run(tmp_path, conn, template(threshold=95.5, event_type="compute.instance.delete.end"),
                check_mode=True, diff=True)
    assert check["changed"] is False and check["plan"] == []

    gone = destroy(conn, "st", Options(state_dir=str(tmp_path / "state"), retry_base=0.0), Redactor())
    assert gone.error is None and gone["changed"] is True
    assert conn.aodh.alarms == {}


def test_secret_in_action_url_is_masked_in_show_and_results(tmp_path, conn):
    result = run(tmp_path, conn, template(), diff=True)
    show = result["outputs"]["cpu_show"]
    assert show["alarm_actions"] == [f"https://hook:{MASK}@example.test/scale"]
    assert SECRET not in json.dumps(result, default=str)
    # the alarm itself keeps the real URL
    assert SECRET in conn.aodh.by_name("st-cpu")["alarm_actions"][0]


def test_out_of_band_change_is_drift_and_repaired_in_place(tmp_path, conn):
    run(tmp_path, conn, template())
    alarm = conn.aodh.by_name("st-cpu")
    alarm["gnocchi_resources_threshold_rule"]["threshold"] = 1.0
    check = run(tmp_path, conn, template(), check_mode=True)
    assert [(p["resource"], p["action"]) for p in check["plan"]] == [("cpu", "update")]
    run(tmp_path, conn, template())
    assert conn.aodh.by_name("st-cpu")["gnocchi_resources_threshold_rule"]["threshold"] == 80.0
    assert conn.aodh.by_name("st-cpu")["alarm_id"] == alarm["alarm_id"]


def test_lost_record_adopts_alarms_by_name_without_duplicates(tmp_path, conn):
    run(tmp_path, conn, template())
    for f in (tmp_path / "state").iterdir():
        f.unlink()
    again = run(tmp_path, conn, template())
    assert again.error is None and not any(p["action"] == "create" for p in again["plan"])
    assert len(conn.aodh.alarms) == 2


def test_a_second_alarm_of_the_same_name_is_a_duplicate_and_the_oldest_stays(tmp_path, conn):
    # Aodh does not keep names unique: a second controller can create st-ev as well
    run(tmp_path, conn, template())
    original = conn.aodh.by_name("st-ev")
    copy_body = {k: v for k, v in original.items() if k not in ("alarm_id", "_created")}
    copy = conn.aodh._store("c0ffee00-0000-4000-8000-000000000000", copy_body)
    original["_created"], copy["_created"] = "2026-01-01T00:00:05", "2026-01-01T00:00:01"
    for f in (tmp_path / "state").iterdir():
        f.unlink()  # no record: the oldest copy (by Aodh's history) is kept
    result = run(tmp_path, conn, template())
    assert result.error is None
    assert [(p["resource"], p["physical_id"], p["reason"]) for p in result["plan"] if p.get("duplicate_of")] == [
        ("ev", original["alarm_id"],
         f"duplicate of ev (keeping {copy['alarm_id']}, the oldest (created 2026-01-01T00:00:01))")]
    assert [a["alarm_id"] for a in conn.aodh.alarms.values() if a["name"] == "st-ev"] == [copy["alarm_id"]]


def test_deleted_out_of_band_is_recreated_and_absent_tolerates_404(tmp_path, conn):
    run(tmp_path, conn, template())
    conn.aodh.alarms.pop(conn.aodh.by_name("st-ev")["alarm_id"])
    again = run(tmp_path, conn, template())
    assert [(p["resource"], p["action"]) for p in again["plan"]] == [("ev", "create")]
    handler = get_handler("OS::Aodh::EventAlarm")(Context(conn=conn, stack_name="st"))
    handler.delete(str(uuid.uuid4()))  # 404 counts as gone
    assert len(conn.aodh.alarms) == 2


def test_removed_resource_is_deleted(tmp_path, conn):
    run(tmp_path, conn, template())
    tmpl = template()
    del tmpl["resources"]["ev"]
    result = run(tmp_path, conn, tmpl)
    assert [(p["resource"], p["action"]) for p in result["plan"]] == [("ev", "delete")]
    assert [a["name"] for a in conn.aodh.alarms.values()] == ["st-cpu"]


def test_aodh_rule_error_fails_in_one_line_before_any_write(tmp_path, conn):
    tmpl = template()
    del tmpl["resources"]["cpu"]["properties"]["aggregation_method"]  # optional for Heat, required by Aodh
    with pytest.raises(CloudError) as err:
        run(tmp_path, conn, tmpl)
    assert str(err.value).count("\n") == 0
    assert "resources.cpu: properties.aggregation_method: is required" in str(err.value)
    assert not any(c.startswith("POST") for c in conn.aodh.calls)


def test_time_constraints_change_replaces(tmp_path, conn):
    run(tmp_path, conn, template())
    old = conn.aodh.by_name("st-ev")["alarm_id"]
    tmpl = template()
    tmpl["resources"]["ev"]["properties"]["time_constraints"] = [
        {"name": "night", "start": "0 23 * * *", "duration": 3600}]
    result = run(tmp_path, conn, tmpl)
    assert [(p["resource"], p["action"]) for p in result["plan"]] == [("ev", "replace")]
    new = conn.aodh.by_name("st-ev")
    assert new["alarm_id"] != old and new["time_constraints"][0]["name"] == "night"
    assert run(tmp_path, conn, tmpl)["plan"] == []


def handler(type_name: str, conn: Any) -> Any:
    return get_handler(type_name)(Context(conn=conn, stack_name="st"))


def test_composite_rule_maps_operator_and_round_trips(conn):
    h = handler("OS::Aodh::CompositeAlarm", conn)
    sub = {"type": "gnocchi_aggregation_by_metrics_threshold", "metrics": ["m1", "m2"], "threshold": 3,
           "aggregation_method": "mean"}
    props = h.desired("combo", {"composite_rule": {"operator": "or", "rules": [sub, {**sub, "threshold": 4}]}})
    alarm = h.create("combo", props, lambda pid: None)
    assert list(alarm["composite_rule"]) == ["or"] and len(alarm["composite_rule"]["or"]) == 2
    seen = h.observe(alarm)
    assert h.desired_compare("composite_rule", props["composite_rule"], seen["composite_rule"]) is True
    other = {"operator": "and", "rules": props["composite_rule"]["rules"]}
    assert h.desired_compare("composite_rule", other, seen["composite_rule"]) is False
    with pytest.raises(HandlerError, match="composite_rule.rules"):
        h.desired("c2", {"composite_rule": {"operator": "or", "rules": [sub]}})


def test_lb_member_health_and_prometheus_and_aggregation_bodies(conn):
    lb = handler("OS::Aodh::LBMemberHealthAlarm", conn)
    alarm = lb.create("lb", lb.desired("lb", {"pool": "p1", "stack": "s1", "autoscaling_group_id": "g1"}),
                      lambda pid: None)
    assert alarm["loadbalancer_member_health_rule"] == {"pool_id": "p1", "stack_id": "s1",
                                                        "autoscaling_group_id": "g1"}
    assert lb.observe(alarm)["pool"] == "p1"
    prom = handler("OS::Aodh::PrometheusAlarm", conn)
    alarm = prom.create("pr", prom.desired("pr", {"query": "up", "threshold": 1}), lambda pid: None)
    assert alarm["prometheus_rule"] == {"query": "up", "threshold": 1.0, "comparison_operator": "eq"}
    agg = handler("OS::Aodh::GnocchiAggregationByResourcesAlarm", conn)
    query = '{"=": {"server_group": "g"}}'
    props = agg.desired("ag", {"metric": "cpu", "query": query, "resource_type": "instance", "threshold": 5,
                               "aggregation_method": "mean"})
    alarm = agg.create("ag", props, lambda pid: None)
    assert json.loads(alarm["gnocchi_aggregation_by_resources_threshold_rule"]["query"]) == json.loads(query)
    assert agg.desired_compare("query", query, agg.observe(alarm)["query"]) is True


def test_queues_become_zaqar_actions(conn):
    h = handler("OS::Aodh::PrometheusAlarm", conn)
    props = h.desired("pr", {"query": "up", "threshold": 1, "alarm_actions": ["https://x.test/a"],
                             "alarm_queues": ["q1"]})
    alarm = h.create("pr", props, lambda pid: None)
    assert alarm["alarm_actions"] == ["https://x.test/a", "trust+zaqar://?queue_name=q1"]
    assert h.observe(alarm)["alarm_actions"] == ["https://x.test/a"]


def test_action_password_is_registered_as_a_secret(conn):
    seen: list[str] = []
    ctx = Context(conn=conn, stack_name="st", secret_sink=seen.append)
    h = aodh_alarm.PrometheusAlarmHandler(ctx)
    h.desired("pr", {"query": "up", "threshold": 1, "ok_actions": [f"http://u:{SECRET}@h.test/"]})
    assert SECRET in seen


def test_removed_description_is_cleared_on_update(tmp_path, conn):
    tmpl = template()
    tmpl["resources"]["ev"]["properties"]["description"] = "old words"
    run(tmp_path, conn, tmpl)
    assert conn.aodh.by_name("st-ev")["description"] == "old words"
    result = run(tmp_path, conn, template())
    assert [(p["resource"], p["action"]) for p in result["plan"]] == [("ev", "update")]
    assert conn.aodh.by_name("st-ev")["description"] == ""
    assert run(tmp_path, conn, template())["plan"] == []


def test_alarms_in_a_resource_group_are_found_again_and_shrink(tmp_path, conn):
    def grp(count: int) -> dict:
        rdef = {"type": "OS::Aodh::EventAlarm", "properties": {"event_type": "compute.instance.update"}}
        return {"heat_template_version": "2018-08-31",
                "resources": {"alarms": {"type": "OS::Heat::ResourceGroup",
                                         "properties": {"count": count, "resource_def": rdef}}}}

    first = run(tmp_path, conn, grp(2))
    assert first.error is None and sorted(a["name"] for a in conn.aodh.alarms.values()) == \
        ["st/alarms-0", "st/alarms-1"]
    again = run(tmp_path, conn, grp(2))
    assert again.error is None and again["changed"] is False and len(conn.aodh.alarms) == 2
    shrunk = run(tmp_path, conn, grp(1))
    assert shrunk.error is None and [a["name"] for a in conn.aodh.alarms.values()] == ["st/alarms-0"]
