"""Autoscaling types over the fakes: capacity in the record, sizes, policies' receiver URLs, CFN forms."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.scaling_policy import receiver_url
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

from ...conftest import NotFound, Obj

RECEIVER = "http://127.0.0.1:5001/hooks"


def asg_template(min_size: int = 1, max_size: int = 3, desired: int | None = None, policy: bool = True) -> dict:
    props: dict[str, Any] = {"min_size": min_size, "max_size": max_size,
                             "resource": {"type": "OS::Neutron::Net", "properties": {"name": "member"}}}
    if desired is not None:
        props["desired_capacity"] = desired
    resources: dict[str, Any] = {"asg": {"type": "OS::Heat::AutoScalingGroup", "properties": props}}
    outputs: dict[str, Any] = {"size": {"value": {"get_attr": ["asg", "current_size"]}},
                               "refs": {"value": {"get_attr": ["asg", "refs"]}},
                               "names": {"value": {"get_attr": ["asg", "outputs_list", "name"]}},
                               "by_member": {"value": {"get_attr": ["asg", "outputs", "name"]}}}
    if policy:
        resources["up"] = {"type": "OS::Heat::ScalingPolicy",
                           "properties": {"adjustment_type": "change_in_capacity", "scaling_adjustment": 1,
                                          "cooldown": 60, "auto_scaling_group_id": {"get_resource": "asg"}}}
        resources["hook"] = {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["up", "alarm_url"]}}}
        outputs["alarm_url"] = {"value": {"get_attr": ["up", "alarm_url"]}}
        outputs["signal_url"] = {"value": {"get_attr": ["up", "signal_url"]}}
    return {"heat_template_version": "2018-08-31", "resources": resources, "outputs": outputs}


def run(tmp_path: Any, conn: Any, state_dir: str, tmpl: dict, receiver: str | None = RECEIVER,
        **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    return converge(conn, "st", load_stack(str(path), stack_name="st"),
                    Options(state_dir=state_dir, retry_base=0, signal_receiver_url=receiver, **opts), Redactor())


def members(conn: Any) -> int:
    return sum(1 for n in conn.network.networks_db.values() if n.name == "member")


def record(state_dir: str) -> dict:
    with open(os.path.join(state_dir, "st.json")) as fh:
        return json.load(fh)


def set_recorded_capacity(state_dir: str, capacity: int) -> None:
    """What a scaling signal does: change the group's capacity in the record."""
    data = record(state_dir)
    data["resources"]["asg"]["properties"]["capacity"] = capacity
    with open(os.path.join(state_dir, "st.json"), "w") as fh:
        json.dump(data, fh)


def test_group_starts_at_min_size_and_exposes_member_attributes(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, asg_template())
    assert first.error is None
    assert members(conn) == 1
    out = first["outputs"]
    assert out["size"] == 1 and out["names"] == ["member"] and out["by_member"] == {"0": "member"}
    assert len(out["refs"]) == 1 and out["refs"][0] in conn.network.networks_db
    assert record(state_dir)["resources"]["asg"]["properties"]["capacity"] == 1
    again = run(tmp_path, conn, state_dir, asg_template())
    assert again["changed"] is False and members(conn) == 1


def test_desired_capacity_wins_at_creation(tmp_path, conn, state_dir):
    assert run(tmp_path, conn, state_dir, asg_template(desired=2)).error is None
    assert members(conn) == 2


def test_a_signalled_capacity_survives_a_rerun(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, asg_template(desired=2))
    set_recorded_capacity(state_dir, 3)
    scaled = run(tmp_path, conn, state_dir, asg_template(desired=2))
    assert scaled.error is None and scaled["changed"] is True
    assert [p["resource"] for p in scaled["plan"]] == ["asg"] and scaled["plan"][0]["changes"] == ["capacity"]
    assert members(conn) == 3 and scaled["outputs"]["size"] == 3
    again = run(tmp_path, conn, state_dir, asg_template(desired=2))
    assert again["changed"] is False and members(conn) == 3
    assert record(state_dir)["resources"]["asg"]["properties"]["capacity"] == 3


def test_template_size_changes_win_as_in_heat(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, asg_template())
    set_recorded_capacity(state_dir, 3)
    run(tmp_path, conn, state_dir, asg_template())
    assert members(conn) == 3
    # a new max_size without desired_capacity: the current capacity clamped into the bounds
    shrunk = run(tmp_path, conn, state_dir, asg_template(max_size=2))
    assert shrunk.error is None and members(conn) == 2 and shrunk["outputs"]["size"] == 2
    # a desired_capacity given in the template is applied
    run(tmp_path, conn, state_dir, asg_template(max_size=2, desired=1))
    assert members(conn) == 1


def test_a_member_deleted_out_of_band_is_recreated(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, asg_template(desired=2))
    victim = next(n.id for n in conn.network.networks_db.values() if n.name == "member")
    del conn.network.networks_db[victim]
    fixed = run(tmp_path, conn, state_dir, asg_template(desired=2))
    assert fixed.error is None and fixed["changed"] is True and members(conn) == 2


@pytest.mark.parametrize(("sizes", "message"), [
    ((3, 1, None), "MinSize can not be greater than MaxSize"),
    ((1, 3, 5), "DesiredCapacity must be between MinSize and MaxSize"),
])
def test_bad_sizes_fail_before_any_write(tmp_path, conn, state_dir, sizes, message):
    result = None
    try:
        result = run(tmp_path, conn, state_dir, asg_template(*sizes))
    except HeatlikeError as exc:
        text = str(exc)
    else:
        text = result.error or ""
    assert "resources.asg" in text and message in text and "\n" not in text
    assert conn.network.networks_db == {} and not os.path.exists(os.path.join(state_dir, "st.json"))


def test_policy_urls_name_stack_and_policy(tmp_path, conn, state_dir):
    result = run(tmp_path, conn, state_dir, asg_template())
    url = f"{RECEIVER}/st/up"
    assert result["outputs"]["alarm_url"] == url and result["outputs"]["signal_url"] == url
    assert record(state_dir)["outputs"]["alarm_url"] == url
    assert receiver_url("https://h/x/", "a b", "p/q") == "https://h/x/a%20b/p%2Fq"


def test_policy_url_without_receiver_fails_before_any_write(tmp_path, conn, state_dir, monkeypatch):
    with pytest.raises(HeatlikeError) as err:
        run(tmp_path, conn, state_dir, asg_template(), receiver=None)
    text = str(err.value)
    assert "resources.hook" in text and "get_attr [up, alarm_url]" in text and "signal_receiver_url" in text
    assert conn.network.networks_db == {} and not os.path.exists(state_dir)
    # a policy nobody reads the URL of needs no receiver
    tmpl = asg_template()
    del tmpl["resources"]["hook"], tmpl["outputs"]["alarm_url"], tmpl["outputs"]["signal_url"]
    assert run(tmp_path, conn, state_dir, tmpl, receiver=None).error is None


@pytest.mark.parametrize("base", ["ftp://h/x", "http://user:pw@h/x", "http://h/x?token=abc", "not a url"])
def test_unusable_receiver_urls_are_refused(tmp_path, conn, state_dir, base):
    with pytest.raises(HeatlikeError) as err:
        run(tmp_path, conn, state_dir, asg_template(), receiver=base)
    assert "signal_receiver_url" in str(err.value) and "pw" not in str(err.value)
    assert conn.network.networks_db == {}


def test_min_adjustment_step_only_with_percent(tmp_path, conn, state_dir):
    tmpl = asg_template()
    tmpl["resources"]["up"]["properties"]["min_adjustment_step"] = 1
    try:
        text = run(tmp_path, conn, state_dir, tmpl).error or ""
    except HeatlikeError as exc:
        text = str(exc)
    assert "resources.up" in text and "min_adjustment_step property should only be specified" in text
    tmpl["resources"]["up"]["properties"]["adjustment_type"] = "percent_change_in_capacity"
    assert run(tmp_path, conn, state_dir, tmpl).error is None


def test_group_and_members_are_deleted_with_the_stack(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, asg_template(desired=3))
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0), Redactor())
    assert gone.error is None and conn.network.networks_db == {}


# ---------------------------------------------------------------- CFN forms
class FakeNova:
    """Servers that are ACTIVE at once; flavors by name."""

    def __init__(self) -> None:
        self.db: dict[str, Obj] = {}
        self.bodies: list[dict] = []

    def servers(self, **_: Any) -> list:
        return list(self.db.values())

    def find_flavor(self, name: str, ignore_missing: bool = True) -> Obj:
        return Obj(id="flavor-" + name)

    def create_server(self, **body: Any) -> Obj:
        self.bodies.append(body)
        srv = Obj(id=str(uuid.uuid4()), name=body["name"], status="ACTIVE", metadata=dict(body["metadata"]),
                  addresses={"private": [{"addr": f"10.0.0.{len(self.db) + 2}"}]}, access_ipv4="", access_ipv6="",
                  tags=[], fault=None)
        self.db[srv.id] = srv
        return srv

    def get_server(self, pid: str) -> Obj:
        if pid not in self.db:
            raise NotFound(pid)
        return self.db[pid]

    def delete_server(self, pid: str) -> None:
        if pid not in self.db:
            raise NotFound(pid)
        del self.db[pid]


def cfn_template(user_data: str = "#!/bin/sh\necho one\n") -> dict:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "LaunchConfig": {"Type": "AWS::AutoScaling::LaunchConfiguration",
                             "Properties": {"ImageId": "0b6a6c2e-56a4-4ad0-8a8c-6f3f4ba1c1de", "InstanceType": "m1.tiny",
                                            "KeyName": "k", "UserData": user_data}},
            "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                      "Properties": {"AvailabilityZones": {"Fn::GetAZs": ""}, "MinSize": "1", "MaxSize": "3",
                                     "DesiredCapacity": "2", "LaunchConfigurationName": {"Ref": "LaunchConfig"},
                                     "Tags": [{"Key": "metering.role", "Value": "web"}]}},
            "ScaleUp": {"Type": "AWS::AutoScaling::ScalingPolicy",
                        "Properties": {"AdjustmentType": "ChangeInCapacity", "ScalingAdjustment": "1",
                                       "AutoScalingGroupName": {"Ref": "Group"}}},
        },
        "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["ScaleUp", "AlarmUrl"]}},
                    "Ref": {"Value": {"Ref": "ScaleUp"}},
                    "Ips": {"Value": {"Fn::GetAtt": ["Group", "InstanceList"]}}},
    }


def test_cfn_group_builds_servers_from_its_launch_configuration(tmp_path, conn, state_dir):
    conn.compute = FakeNova()
    result = run(tmp_path, conn, state_dir, cfn_template())
    assert result.error is None
    assert len(conn.compute.db) == 2
    body = conn.compute.bodies[0]
    assert body["flavor_id"] == "flavor-m1.tiny" and body["key_name"] == "k"
    assert body["image_id"] == "0b6a6c2e-56a4-4ad0-8a8c-6f3f4ba1c1de" and body["metadata"]["metering.role"] == "web"
    assert body["metadata"]["metering.server_group"] == body["metadata"]["metering.AutoScalingGroupName"] == "st-Group"
    assert result["outputs"]["Url"] == result["outputs"]["Ref"] == f"{RECEIVER}/st/ScaleUp"
    assert result["outputs"]["Ips"] == "10.0.0.2,10.0.0.3"
    assert run(tmp_path, conn, state_dir, cfn_template())["changed"] is False
    # a changed launch configuration is a new one: the group replaces its servers
    old = set(conn.compute.db)
    changed = run(tmp_path, conn, state_dir, cfn_template("#!/bin/sh\necho two\n"))
    assert changed.error is None and len(conn.compute.db) == 2 and not old & set(conn.compute.db)
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0), Redactor())
    assert gone.error is None and conn.compute.db == {}


CORPUS_ASG = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "..", "..", "shared", "corpus",
                                           "heat-templates", "cfn", "aws_asg.template"))


@pytest.mark.skipif(not os.path.isfile(CORPUS_ASG), reason="corpus (../shared/corpus) not available")
def test_corpus_cfn_autoscaling_template_deploys(conn, state_dir):
    class FakeImage:
        def find_image(self, name: str, ignore_missing: bool = True) -> Obj:
            return Obj(id="image-" + name)

    conn.compute, conn.image = FakeNova(), FakeImage()
    params = {"KeyName": "demo-key", "Image": "cirros"}
    opts = Options(state_dir=state_dir, retry_base=0, signal_receiver_url=RECEIVER)
    result = converge(conn, "corp", load_stack(CORPUS_ASG, parameters=params, stack_name="corp"), opts, Redactor())
    assert result.error is None
    assert len(conn.compute.db) == 3  # DesiredCapacity
    assert {b["image_id"] for b in conn.compute.bodies} == {"image-cirros"}
    assert result["outputs"] == {"scale_up_url": f"{RECEIVER}/corp/ScaleUpPolicy",
                                 "scale_dn_url": f"{RECEIVER}/corp/ScaleDnPolicy"}
    again = converge(conn, "corp", load_stack(CORPUS_ASG, parameters=params, stack_name="corp"), opts, Redactor())
    assert again["changed"] is False
    assert destroy(conn, "corp", opts, Redactor()).error is None and conn.compute.db == {}


def test_lost_record_adopts_members_and_returns_to_the_template_capacity(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, asg_template())
    set_recorded_capacity(state_dir, 3)
    run(tmp_path, conn, state_dir, asg_template())
    assert members(conn) == 3
    os.unlink(os.path.join(state_dir, "st.json"))
    adopted = run(tmp_path, conn, state_dir, asg_template())
    assert adopted.error is None and members(conn) == 1  # no duplicate, no leak: the template's size
    assert run(tmp_path, conn, state_dir, asg_template())["changed"] is False


@pytest.mark.parametrize("member_type", ["OS::Heat::SoftwareDeployment", "OS::Heat::AutoScalingGroup"])
def test_unsupported_member_types_fail_in_one_line_before_any_write(tmp_path, conn, state_dir, member_type):
    tmpl = asg_template(policy=False)
    tmpl["resources"]["asg"]["properties"]["resource"] = {"type": member_type, "properties": {}}
    with pytest.raises(HeatlikeError) as err:
        run(tmp_path, conn, state_dir, tmpl)
    assert str(err.value) == f"resources.asg: resource type {member_type} is not supported in an AutoScalingGroup"
    assert not os.path.exists(os.path.join(state_dir, "st.json"))
