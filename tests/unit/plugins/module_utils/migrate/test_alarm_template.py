"""Template migration of legacy alarms (CloudWatch / Ceilometer) to Gnocchi-based Aodh alarms.

The corpus part runs over every legacy alarm resource in ../shared/corpus/heat-templates/
(skips when absent): each one is mapped or reported with a reason, the rest of the file is
kept byte for byte, and every rewritten template validates with the engine exactly as well
as the original did (same validity, same kind of error) or better.
"""

from __future__ import annotations

import difflib
import glob
import json
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_map
from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_template as am
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))))
CORPUS = os.path.realpath(os.path.join(REPO, "..", "shared", "corpus"))
TEMPLATES = os.path.join(CORPUS, "heat-templates")
EXPECTED = os.path.join(CORPUS, "expected", "heat-templates")


def _legacy_templates() -> list[str]:
    if not os.path.isdir(TEMPLATES):
        return []
    found = []
    for path in sorted(glob.glob(os.path.join(TEMPLATES, "**", "*"), recursive=True)):
        if not os.path.isfile(path) or not path.endswith((".yaml", ".yml", ".template", ".json")):
            continue
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if any(t in text for t in alarm_map.LEGACY_TYPES):
            found.append(os.path.relpath(path, TEMPLATES))
    return found


LEGACY = _legacy_templates()
corpus = pytest.mark.skipif(not os.path.isdir(TEMPLATES), reason="corpus (../shared/corpus) not available")


def _legacy_resources(text: str) -> dict[str, str]:
    data = load_text(text)
    section = data.get("Resources", data.get("resources")) or {}
    out = {}
    for name, res in section.items():
        rtype = res.get("Type", res.get("type")) if isinstance(res, dict) else None
        if rtype in alarm_map.LEGACY_TYPES:
            out[name] = rtype
    return out


def _params(rel: str) -> dict:
    path = os.path.join(EXPECTED, rel + ".json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh).get("synthesized_parameters") or {}


def _error_kind(error: str) -> str:
    """The message of a one-line engine error without file and cycle path."""
    return error.rsplit(":", maxsplit=1)[-1].split("->", maxsplit=1)[0].strip()


@corpus
def test_corpus_has_the_legacy_alarms_the_issue_talks_about():
    total = 0
    for rel in LEGACY:
        with open(os.path.join(TEMPLATES, rel), encoding="utf-8") as fh:
            total += len(_legacy_resources(fh.read()))
    assert total >= 20


@corpus
@pytest.mark.parametrize("rel", LEGACY)
def test_every_corpus_legacy_alarm_is_mapped_or_reported(rel):
    path = os.path.join(TEMPLATES, rel)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    legacy = _legacy_resources(text)
    result = am.rewrite_text(text, file=path)
    assert sorted(e["resource"] for e in result["report"]) == sorted(legacy)
    new_data = load_text(result["text"])
    new_section = new_data.get("Resources", new_data.get("resources"))
    old_data = load_text(text)
    old_section = old_data.get("Resources", old_data.get("resources"))
    for entry in result["report"]:
        assert entry["status"] in (alarm_map.MAPPED, alarm_map.MAPPED_WITH_WARNING, alarm_map.NOT_MAPPABLE)
        new_res = new_section[entry["resource"]]
        new_type = new_res.get("Type", new_res.get("type"))
        if entry["status"] == alarm_map.NOT_MAPPABLE:
            assert entry["reason"], entry
            assert new_type == entry["type"]
        else:
            assert new_type == entry["new_type"]
            assert new_type in (alarm_map.RESOURCES_ALARM, alarm_map.AGGREGATION_ALARM)
            assert (entry["status"] == alarm_map.MAPPED_WITH_WARNING) == bool(entry["warnings"])
    # everything that is no legacy alarm is untouched, and nothing was re-serialised
    assert not result["reformatted"]
    for name, res in old_section.items():
        if name not in legacy:
            assert new_section[name] == res
    assert [k for k in new_data if k not in ("Resources", "resources")] == \
        [k for k in old_data if k not in ("Resources", "resources")]
    changed_old = "".join(line for line in difflib.ndiff(text.splitlines(True), result["text"].splitlines(True))
                          if line.startswith("- "))
    assert all(t not in changed_old for t in ("Parameters:", "parameters:", "Outputs:", "outputs:"))


@corpus
@pytest.mark.parametrize("rel", LEGACY)
def test_rewritten_corpus_template_validates_as_well_as_the_original(rel):
    path = os.path.join(TEMPLATES, rel)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    params = _params(rel)
    before = am.validate_text(text, path, parameters=params, allowed_roots=[TEMPLATES], stack_name="oracle")
    result = am.rewrite_text(text, file=path)
    after = am.validate_text(result["text"], path, parameters=params, allowed_roots=[TEMPLATES],
                             stack_name="oracle")
    if before["valid"]:
        assert after["valid"], after["error"]
    elif not after["valid"]:
        # same failure as before the rewrite (other resources' problems), never a new one
        assert _error_kind(after["error"]) == _error_kind(before["error"])
    for name in (e["resource"] for e in result["report"] if e["status"] != alarm_map.NOT_MAPPABLE):
        new = load_text(result["text"])
        cfn = "heat_template_version" not in new
        section = new["Resources" if cfn else "resources"]
        am.check_definition(name, section[name], cfn=cfn, file=path)


@corpus
def test_valid_corpus_rewrite_keeps_alarm_url_references_and_dependencies(tmp_path):
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    rel = "cfn/F17/AutoScalingCeilometer.yaml"
    path = os.path.join(TEMPLATES, rel)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    result = am.rewrite_text(text, file=path)
    out = tmp_path / "t.yaml"
    out.write_text(result["text"])
    stack = load_stack(str(out), parameters=_params(rel), stack_name="oracle")
    alarm = stack.resources["CPUAlarmHigh"]
    info = stack.to_info()["resources"]["CPUAlarmHigh"]
    assert alarm.type == info["type"] == alarm_map.AGGREGATION_ALARM
    assert info["properties"]["alarm_actions"] == [{"Fn::GetAtt": ["WebServerScaleUpPolicy", "AlarmUrl"]}]
    assert info["properties"]["metric"] == "cpu_util"
    assert info["properties"]["aggregation_method"] == "mean"
    assert info["properties"]["granularity"] == 60
    assert info["properties"]["resource_type"] == "instance"
    assert "WebServerScaleUpPolicy" in alarm.depends_on and "WebServerGroup" in alarm.depends_on


# ---------------------------------------------------------------- mapping rules (no corpus)

CW_HOT = """heat_template_version: 2015-10-15
# a comment that must survive
parameters:
  group: {type: string, default: g1}
resources:
  policy:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: asg, scaling_adjustment: 1}
  mem_high:
    type: AWS::CloudWatch::Alarm
    properties:
      AlarmDescription: memory high
      MetricName: MemoryUtilization
      Namespace: system/linux
      Statistic: Maximum
      Period: '120'
      EvaluationPeriods: '3'
      Threshold: '75.5'
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [{get_resource: policy}]
      OKActions: ['http://127.0.0.1:9/ok']
      Dimensions:
      - Name: AutoScalingGroupName
        Value: {get_param: group}
  server:   # trailing comment
    type: OS::Heat::None
"""


def test_cloudwatch_alarm_maps_every_field():
    new, report = alarm_map.map_alarm("mem_high", load_text(CW_HOT)["resources"]["mem_high"],
                                      resource_types={"policy": "OS::Heat::ScalingPolicy"})
    assert report["status"] == alarm_map.MAPPED_WITH_WARNING
    assert new["type"] == alarm_map.AGGREGATION_ALARM
    props = new["properties"]
    assert props["metric"] == "MemoryUtilization"
    assert props["aggregation_method"] == "max"
    assert props["granularity"] == 120
    assert props["evaluation_periods"] == 3
    assert props["threshold"] == 75.5
    assert props["comparison_operator"] == "ge"
    assert props["alarm_actions"] == [{"get_attr": ["policy", "alarm_url"]}]
    assert props["ok_actions"] == ["http://127.0.0.1:9/ok"]
    assert props["repeat_actions"] is False
    assert props["resource_type"] == "instance"
    assert props["query"] == {"str_replace": {"template": '{"=": {"server_group": "$server_group"}}',
                                              "params": {"$server_group": {"get_param": "group"}}}}
    assert any("policy" in n for n in report["notes"])


def test_rewrite_keeps_the_rest_of_the_file_byte_for_byte():
    result = am.rewrite_text(CW_HOT)
    old_lines, new_lines = CW_HOT.splitlines(), result["text"].splitlines()
    start = old_lines.index("  mem_high:")
    end = old_lines.index("  server:   # trailing comment")
    assert new_lines[:start + 1] == old_lines[:start + 1]
    tail = len(old_lines) - end
    assert new_lines[-tail:] == old_lines[-tail:]
    assert "# a comment that must survive" in result["text"]


@pytest.mark.parametrize("statistic,method", sorted(alarm_map.CW_STATISTICS.items()))
def test_cloudwatch_statistics(statistic, method):
    props = {"MetricName": "Heartbeat", "Statistic": statistic, "Period": "60", "EvaluationPeriods": "1",
             "Threshold": "1", "ComparisonOperator": "LessThanThreshold",
             "Dimensions": [{"Name": "InstanceId", "Value": {"Ref": "Server"}}]}
    new, report = alarm_map.map_alarm("a", {"Type": "AWS::CloudWatch::Alarm", "Properties": props}, cfn=True)
    assert report["status"] == alarm_map.MAPPED, report
    assert new["Type"] == alarm_map.RESOURCES_ALARM
    assert new["Properties"]["aggregation_method"] == method
    assert new["Properties"]["resource_id"] == {"Ref": "Server"}
    assert new["Properties"]["comparison_operator"] == "lt"


def test_cloudwatch_without_dimensions_is_routed_by_stack_name():
    props = {"MetricName": "ServiceFailure", "Statistic": "SampleCount", "Period": "300",
             "EvaluationPeriods": "1", "Threshold": "2", "ComparisonOperator": "GreaterThanThreshold"}
    new, report = alarm_map.map_alarm("a", {"Type": "OS::Heat::CWLiteAlarm", "Properties": props}, cfn=True)
    assert report["status"] == alarm_map.MAPPED_WITH_WARNING
    assert new["Properties"]["query"] == {"Fn::Join": ["", ['{"=": {"server_group": "',
                                                            {"Ref": "AWS::StackName"}, '"}}']]}


@pytest.mark.parametrize("props,reason", [
    ({"MetricName": "m", "Statistic": "p99", "Period": "60", "Threshold": "1",
      "ComparisonOperator": "GreaterThanThreshold"}, "Statistic"),
    ({"MetricName": "m", "Statistic": "Sum", "Period": "60", "Threshold": "1",
      "ComparisonOperator": "GreaterThanThreshold", "Dimensions": [{"Name": "ImageId", "Value": "x"}]},
     "ImageId"),
    ({"MetricName": "m", "Statistic": {"Ref": "Stat"}, "Period": "60", "Threshold": "1",
      "ComparisonOperator": "GreaterThanThreshold"}, "literal"),
    ({"MetricName": "m", "Statistic": "Sum", "Period": "a minute", "Threshold": "1",
      "ComparisonOperator": "GreaterThanThreshold"}, "Period"),
])
def test_unmappable_cloudwatch_alarms_say_why(props, reason):
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                       "Resources": {"A": {"Type": "AWS::CloudWatch::Alarm", "Properties": props}}}, indent=1)
    result = am.rewrite_text(text)
    (entry,) = result["report"]
    assert entry["status"] == alarm_map.NOT_MAPPABLE
    assert reason in entry["reason"]
    assert result["text"] == text and not result["changed"]


def test_ceilometer_resource_id_match_becomes_resources_alarm():
    definition = {"type": "OS::Ceilometer::Alarm", "properties": {
        "meter_name": "memory.usage", "statistic": "max", "period": 300, "threshold": 512,
        "comparison_operator": "gt", "matching_metadata": {"resource_id": {"get_resource": "server"}},
        "repeat_actions": True, "severity": "critical"}}
    new, report = alarm_map.map_alarm("a", definition)
    assert report["status"] == alarm_map.MAPPED
    assert new["type"] == alarm_map.RESOURCES_ALARM
    assert new["properties"] == {"metric": "memory.usage", "aggregation_method": "max", "granularity": 300,
                                 "threshold": 512, "comparison_operator": "gt", "repeat_actions": True,
                                 "severity": "critical", "resource_type": "instance",
                                 "resource_id": {"get_resource": "server"}}


def test_ceilometer_query_operators_become_gnocchi_filters():
    definition = {"type": "OS::Aodh::Alarm", "properties": {
        "meter_name": "vcpus", "threshold": 4, "query": [
            {"field": "metadata.user_metadata.server_group", "op": "eq", "value": "web"},
            {"field": "project_id", "op": "ne", "value": "p1"}]}}
    new, report = alarm_map.map_alarm("a", definition)
    assert report["status"] == alarm_map.MAPPED
    assert new["properties"]["aggregation_method"] == "mean"  # Ceilometer's default statistic (avg)
    assert new["properties"]["granularity"] == 60
    assert json.loads(new["properties"]["query"]) == {"and": [{"=": {"server_group": "web"}},
                                                              {"!=": {"project_id": "p1"}}]}


def test_not_mappable_ceilometer_matching_field():
    definition = {"type": "OS::Ceilometer::Alarm", "properties": {
        "meter_name": "cpu", "threshold": 1, "matching_metadata": {"metadata.flavor.ram": "512"}}}
    new, report = alarm_map.map_alarm("a", definition)
    assert new is None and report["status"] == alarm_map.NOT_MAPPABLE
    assert "metadata.flavor.ram" in report["reason"]


def test_flow_style_resource_is_rewritten_in_flow_style():
    text = ("heat_template_version: 2013-05-23\nresources:\n"
            "  a: {type: OS::Ceilometer::Alarm, properties: {meter_name: cpu, threshold: 3,"
            " matching_metadata: {resource_id: abc}}}\n  b: {type: OS::Heat::None}\n")
    result = am.rewrite_text(text)
    lines = result["text"].splitlines()
    assert lines[0:2] == text.splitlines()[0:2] and lines[3] == text.splitlines()[3]
    assert lines[2].startswith("  a: {") and len(lines) == 4
    assert load_text(result["text"])["resources"]["a"]["type"] == alarm_map.RESOURCES_ALARM


def test_rewritten_template_is_validated_by_the_engine(tmp_path):
    path = tmp_path / "cw.yaml"
    path.write_text(CW_HOT)
    result = am.rewrite_text(CW_HOT, file=str(path))
    verdict = am.validate_text(result["text"], str(path))
    assert verdict == {"valid": True, "error": None}
    broken = result["text"].replace("[policy, alarm_url]", "[nopolicy, alarm_url]")
    assert broken != result["text"]
    verdict = am.validate_text(broken, str(path))
    assert not verdict["valid"] and "nopolicy" in verdict["error"] and "\n" not in verdict["error"]


# ---------------------------------------------------------------- robustness


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["60", "1.5", "avg", "Average", "gt", "GreaterThanThreshold", "", "x:y", "'"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["Ref", "get_param", "Name", "Value", "field", "op", "value", "resource_id",
                         "metadata.user_metadata.g", "Fn::GetAtt"]), inner, max_size=2),
    max_leaves=6)
_cw_keys = st.sampled_from(["MetricName", "Statistic", "Period", "EvaluationPeriods", "Threshold",
                            "ComparisonOperator", "Dimensions", "AlarmActions", "Namespace", "Units"])
_ceilo_keys = st.sampled_from(["meter_name", "statistic", "period", "threshold", "comparison_operator",
                               "matching_metadata", "query", "repeat_actions", "alarm_actions"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(alarm_map.LEGACY_TYPES), st.dictionaries(_cw_keys | _ceilo_keys, _values, max_size=8),
       st.booleans())
def test_any_legacy_alarm_is_mapped_or_reported_never_a_crash(rtype, props, as_json):
    doc = {"heat_template_version": "2015-10-15",
           "resources": {"alarm": {"type": rtype, "properties": props}, "other": {"type": "OS::Heat::None"}}}
    text = json.dumps(doc, indent=1) if as_json else yaml_dump(doc)
    result = am.rewrite_text(text)
    (entry,) = result["report"]
    assert entry["status"] in (alarm_map.MAPPED, alarm_map.MAPPED_WITH_WARNING, alarm_map.NOT_MAPPABLE)
    new = load_text(result["text"])
    assert new["resources"]["other"] == {"type": "OS::Heat::None"}
    if entry["status"] == alarm_map.NOT_MAPPABLE:
        assert entry["reason"] and result["text"] == text
    else:
        assert new["resources"]["alarm"]["type"] == entry["new_type"]
        am.check_definition("alarm", new["resources"]["alarm"])


def yaml_dump(doc):
    """Block-style YAML of a template."""
    return yaml.safe_dump(doc, sort_keys=False)


def test_hidden_parameter_values_are_collected_for_masking():
    text = ("heat_template_version: 2015-10-15\nparameters:\n"
            "  pw: {type: string, hidden: true, default: s3cr3t}\n  other: {type: string, default: visible}\n"
            "  token: {type: string, hidden: true}\nresources: {}\n")
    assert am.hidden_values(text, {"token": "tok-1", "other": "x"}) == {"s3cr3t", "tok-1"}
    cfn = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {
        "DBPassword": {"Type": "String", "NoEcho": "true", "Default": "admin"}}, "Resources": {}})
    assert am.hidden_values(cfn) == {"admin"}
