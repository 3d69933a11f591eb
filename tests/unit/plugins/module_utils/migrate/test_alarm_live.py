"""Live migration of a project's legacy alarms (plan, apply, idempotence), over a fake Aodh."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_map as am
from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_live as live
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK

CFN_URL = ("http://heat.example.com:8000/v1/signal/arn%3Aopenstack%3Aheat%3A%3Ap%3Astacks%2Fs%2Fid%2Fresources%2F"
           "ScaleUp?Timestamp=2013&SignatureMethod=HmacSHA256&AWSAccessKeyId=AKID&SignatureVersion=2"
           "&Signature=SeCrEtSiG")
HEAT_API_URL = "trust+http://heat.example.com:8004/v1/p/stacks/s/id/resources/scale_up/signal"
EDA = "https://eda.example.com/endpoint/scale"


class FakeAodh:
    """AodhClient's interface over a dict; checks the create-before-delete order."""

    def __init__(self, alarms):
        self.ids = itertools.count(100)
        self.alarms = {a["alarm_id"]: copy.deepcopy(a) for a in alarms}
        self.calls: list[tuple] = []
        self.created: set[str] = set()

    def list_alarms(self, **_):
        self.calls.append(("list",))
        return [copy.deepcopy(a) for a in self.alarms.values()]

    def get_alarm(self, alarm_id):
        self.calls.append(("get", alarm_id))
        alarm = self.alarms.get(alarm_id)
        return copy.deepcopy(alarm) if alarm else None

    def create_alarm(self, body):
        self.calls.append(("create", body["name"]))
        assert body["type"] in ("gnocchi_resources_threshold", "gnocchi_aggregation_by_resources_threshold")
        assert f"{body['type']}_rule" in body
        alarm = dict(copy.deepcopy(body), alarm_id=f"new-{next(self.ids)}", state="insufficient data")
        self.alarms[alarm["alarm_id"]] = alarm
        self.created.add(alarm["alarm_id"])
        return copy.deepcopy(alarm)

    def update_alarm(self, alarm_id, body):
        self.calls.append(("update", alarm_id, body["name"]))
        assert alarm_id in self.alarms
        self.alarms[alarm_id] = dict(copy.deepcopy(body), alarm_id=alarm_id)
        return copy.deepcopy(self.alarms[alarm_id])

    def delete_alarm(self, alarm_id, name=None):
        self.calls.append(("delete", alarm_id))
        # never delete a legacy alarm before its replacement exists
        assert any(c[0] == "create" for c in self.calls) or any(
            a["name"].endswith(live.MIGRATING_SUFFIX) for a in self.alarms.values())
        return self.alarms.pop(alarm_id, None) is not None

    def by_name(self, name):
        found = [a for a in self.alarms.values() if a["name"] == name]
        assert len(found) == 1, found
        return found[0]


def threshold_alarm():
    return {"alarm_id": "old-1", "name": "cpu-high", "type": "threshold", "enabled": True, "severity": "low",
            "repeat_actions": True, "alarm_actions": [EDA], "ok_actions": [], "insufficient_data_actions": [],
            "threshold_rule": {"meter_name": "memory.usage", "statistic": "max", "period": 300,
                               "evaluation_periods": 2, "threshold": 512.0, "comparison_operator": "gt",
                               "query": [{"field": "metadata.user_metadata.server_group", "op": "eq",
                                          "value": "web"}]}}


def gnocchi_alarm(**over):
    alarm = {"alarm_id": "g-1", "name": "mem-high", "type": "gnocchi_aggregation_by_resources_threshold",
             "enabled": True, "alarm_actions": [CFN_URL], "ok_actions": [], "insufficient_data_actions": [],
             "gnocchi_aggregation_by_resources_threshold_rule": {
                 "metric": "MemoryUtilization", "aggregation_method": "mean", "granularity": 60,
                 "evaluation_periods": 1, "threshold": 50.0, "comparison_operator": "gt",
                 "resource_type": "instance", "query": '{"=": {"server_group": "web"}}'}}
    alarm.update(over)
    return alarm


def run(client, check_mode=False, **kwargs):
    entries = live.plan(client.list_alarms(), **kwargs)
    return live.apply(client, entries, check_mode=check_mode)


def test_threshold_alarm_is_replaced_create_before_delete_and_keeps_its_name():
    client = FakeAodh([threshold_alarm()])
    (entry,) = run(client)
    assert entry["action"] == "replace" and entry["done"]
    assert entry["new_type"] == "gnocchi_aggregation_by_resources_threshold"
    ops = [c[0] for c in client.calls]
    assert ops.index("create") < ops.index("get") < ops.index("delete") < ops.index("update")
    new = client.by_name("cpu-high")
    assert new["alarm_id"] == entry["new_alarm_id"] != "old-1"
    rule = new["gnocchi_aggregation_by_resources_threshold_rule"]
    assert rule == {"metric": "memory.usage", "aggregation_method": "max", "granularity": 300,
                    "evaluation_periods": 2, "threshold": 512.0, "comparison_operator": "gt",
                    "resource_type": "instance", "query": '{"=": {"server_group": "web"}}'}
    assert new["alarm_actions"] == [EDA] and new["repeat_actions"] is True
    assert "old-1" not in client.alarms
    # idempotent: nothing legacy is left
    assert live.plan(client.list_alarms()) == []


def test_check_mode_plans_and_changes_nothing():
    client = FakeAodh([threshold_alarm(), gnocchi_alarm()])
    before = copy.deepcopy(client.alarms)
    results = run(client, check_mode=True, action_map=[{"match": r"^http://heat\.example\.com:8000/.*$",
                                                        "replace": EDA}])
    assert {e["name"]: e["action"] for e in results} == {"cpu-high": "replace", "mem-high": "update"}
    assert not any(e["done"] for e in results)
    assert client.alarms == before
    assert {c[0] for c in client.calls} == {"list"}


def test_heat_signal_action_is_rewritten_in_place_with_action_map():
    client = FakeAodh([gnocchi_alarm()])
    (entry,) = run(client, action_map=[{"match": r"^http://heat\.example\.com:8000/v1/signal/.*$", "replace": EDA}])
    assert entry["action"] == "update" and entry["changes"] == ["alarm_actions"] and entry["done"]
    assert client.alarms["g-1"]["alarm_actions"] == [EDA]
    assert client.alarms["g-1"]["gnocchi_aggregation_by_resources_threshold_rule"]["metric"] == "MemoryUtilization"
    assert not any(c[0] in ("create", "delete") for c in client.calls)
    assert live.plan(client.list_alarms(), action_map=[{"match": "x", "replace": "y"}]) == []


def test_heat_signal_action_without_map_is_reported_with_a_redacted_reason():
    client = FakeAodh([gnocchi_alarm(alarm_actions=[CFN_URL, HEAT_API_URL])])
    (entry,) = run(client)
    assert entry["status"] == am.NOT_MAPPABLE and entry["action"] == "none" and not entry["done"]
    assert "action_map" in entry["reason"]
    assert "SeCrEtSiG" not in json.dumps(live.report_entry(entry))
    assert client.alarms["g-1"]["alarm_actions"] == [CFN_URL, HEAT_API_URL]


def test_cpu_util_becomes_cpu_rate_with_a_threshold_in_nanoseconds():
    rule = {"metric": "cpu_util", "aggregation_method": "mean", "granularity": 300, "evaluation_periods": 1,
            "threshold": 80.0, "comparison_operator": "gt", "resource_type": "instance",
            "resource_id": "6f1c4a8e-2a8b-4e52-9a53-1c1d3f0e7a11"}
    alarm = gnocchi_alarm(type="gnocchi_resources_threshold", alarm_actions=[EDA],
                          gnocchi_resources_threshold_rule=rule)
    client = FakeAodh([alarm])
    (entry,) = run(client)
    assert entry["status"] == am.MAPPED_WITH_WARNING and entry["action"] == "update"
    new_rule = client.alarms["g-1"]["gnocchi_resources_threshold_rule"]
    assert new_rule["metric"] == "cpu" and new_rule["aggregation_method"] == "rate:mean"
    assert new_rule["threshold"] == pytest.approx(0.8 * 300 * 1e9)
    assert live.plan(client.list_alarms()) == []


def test_metric_map_renames():
    alarm = gnocchi_alarm(alarm_actions=[EDA])
    client = FakeAodh([alarm])
    (entry,) = run(client, metric_map={"MemoryUtilization": "memory.util"})
    assert entry["done"]
    assert client.alarms["g-1"]["gnocchi_aggregation_by_resources_threshold_rule"]["metric"] == "memory.util"


def test_combination_alarm_is_reported_not_touched():
    alarm = {"alarm_id": "c-1", "name": "both", "type": "combination",
             "combination_rule": {"alarm_ids": ["a", "b"], "operator": "and"}}
    client = FakeAodh([alarm])
    (entry,) = run(client)
    assert entry["status"] == am.NOT_MAPPABLE and "composite" in entry["reason"]
    assert client.alarms["c-1"] == alarm


def test_modern_alarms_are_left_alone():
    client = FakeAodh([gnocchi_alarm(alarm_actions=[EDA, "log://"])])
    assert live.plan(client.list_alarms()) == []


def test_interrupted_replacement_resumes_without_a_second_copy():
    client = FakeAodh([threshold_alarm()])
    entries = live.plan(client.list_alarms())
    # simulate a crash right after the replacement was created
    body = live._put_body({**entries[0]["after"], "name": "cpu-high" + live.MIGRATING_SUFFIX})
    client.create_alarm(body)
    client.calls.clear()
    run(client)
    assert [c[0] for c in client.calls].count("create") == 0
    assert len(client.alarms) == 1 and client.by_name("cpu-high")["type"].startswith("gnocchi")
    # crash after the delete, before the rename: the rerun renames
    client = FakeAodh([])
    client.create_alarm(body)
    (entry,) = run(client)
    assert entry["action"] == "rename" and client.by_name("cpu-high")
    assert live.plan(client.list_alarms()) == []


def test_bad_action_map_is_a_clear_error():
    with pytest.raises(PropertyError) as exc:
        live.plan([], action_map=[{"match": "(", "replace": "x"}])
    assert "action_map[0]" in str(exc.value) and "\n" not in str(exc.value)


def test_diff_shows_redacted_before_and_after():
    client = FakeAodh([gnocchi_alarm()])
    entries = live.plan(client.list_alarms(), action_map=[{"match": r"^http://heat.*$", "replace": EDA}])
    d = live.diff(entries)
    assert d["after"]["mem-high"]["alarm_actions"] == [EDA]
    assert "SeCrEtSiG" not in json.dumps(d)
    assert d["before"]["mem-high"]["alarm_actions"][0].endswith(f"?{MASK}")
