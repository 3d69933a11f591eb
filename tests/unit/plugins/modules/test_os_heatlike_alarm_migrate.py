"""os_heatlike_alarm_migrate, template mode, driven the way Ansible drives it (no cloud needed):
arguments as ANSIBLE_MODULE_ARGS JSON, the result read back from the printed JSON."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

from ansible_collections.heatlike.cloud.plugins.modules import os_heatlike_alarm_migrate as module

LEGACY = """heat_template_version: 2015-10-15
parameters:
  db_password: {type: string, hidden: true, default: Hush-Hush-42}
  group: {type: string, default: web}
resources:
  policy:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: asg, scaling_adjustment: 1}
  cpu_high:
    type: OS::Ceilometer::Alarm
    properties:
      meter_name: cpu_util
      statistic: avg
      period: 60
      threshold: 80
      comparison_operator: gt
      alarm_actions: [{get_attr: [policy, alarm_url]}]
      matching_metadata: {metadata.user_metadata.server_group: {get_param: group}}
outputs:
  note: {value: {get_param: db_password}}
"""


def run(monkeypatch, capsys, args: dict, *, check: bool = False, diff: bool = False) -> dict:
    payload = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": payload}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    with pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "legacy.yaml"
    path.write_text(LEGACY)
    return path


def test_report_only_returns_the_text_and_masks_hidden_values(monkeypatch, capsys, template):
    result = run(monkeypatch, capsys, {"mode": "template", "template": str(template)}, diff=True)
    assert result["changed"] is False
    assert result["summary"] == {"mapped": 0, "mapped-with-warning": 1, "not-mappable": 0}
    assert result["report"][0]["new_type"] == "OS::Aodh::GnocchiAggregationByResourcesAlarm"
    assert result["valid_before"] is True and result["valid_after"] is True
    assert "OS::Aodh::GnocchiAggregationByResourcesAlarm" in result["text"]
    assert "Hush-Hush-42" not in json.dumps(result)
    assert "OS::Ceilometer::Alarm" in result["diff"]["before"]


def test_check_mode_writes_nothing_then_write_then_unchanged(monkeypatch, capsys, template, tmp_path):
    dest = tmp_path / "out.yaml"
    args = {"mode": "template", "template": str(template), "dest": str(dest)}
    assert run(monkeypatch, capsys, args, check=True)["changed"] is True
    assert not dest.exists()
    assert run(monkeypatch, capsys, args)["changed"] is True
    assert "OS::Aodh::GnocchiAggregationByResourcesAlarm" in dest.read_text()
    assert "Hush-Hush-42" in dest.read_text()  # the file keeps the template as written
    assert run(monkeypatch, capsys, args)["changed"] is False


def test_in_place_rewrite_is_idempotent(monkeypatch, capsys, template):
    args = {"mode": "template", "template": str(template), "dest": str(template)}
    assert run(monkeypatch, capsys, args)["changed"] is True
    second = run(monkeypatch, capsys, args)
    assert second["changed"] is False and second["report"] == []


def test_unreadable_template_is_a_one_line_error(monkeypatch, capsys, tmp_path):
    result = run(monkeypatch, capsys, {"mode": "template", "template": str(tmp_path / "missing.yaml")})
    assert result["failed"] is True
    assert result["msg"].endswith("missing.yaml: cannot read template: No such file or directory")
    assert "Traceback" not in json.dumps(result)


def test_validation_verdicts_are_reported(monkeypatch, capsys, tmp_path):
    text = LEGACY.replace("[policy, alarm_url]", "[nopolicy, alarm_url]")
    path = tmp_path / "t.yaml"
    path.write_text(text)
    result = run(monkeypatch, capsys, {"mode": "template", "template": str(path)})
    assert result["valid_before"] is False and result["valid_after"] is False
    assert "nopolicy" in result["error_before"] and "nopolicy" in result["error_after"]
    assert result["summary"]["mapped-with-warning"] == 1
    skipped = run(monkeypatch, capsys, {"mode": "template", "template": str(path), "validate": False})
    assert skipped["valid_before"] is None and skipped["error_after"] is None
