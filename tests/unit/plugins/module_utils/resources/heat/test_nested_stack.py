"""Provider templates (nested stacks) converged over the Neutron fake."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.nested_stack import nested_stack_id
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

SECRET = "Hidden-Canary-4242"

CHILD = {
    "heat_template_version": "2018-08-31",
    "parameters": {"net_name": {"type": "string"}, "label": {"type": "string", "default": "l"},
                   "token": {"type": "string", "default": "tok-default", "hidden": True}},
    "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": {"get_param": "net_name"}}},
        "val": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "label"}}},
        "sec": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "token"}}},
    },
    "outputs": {"net_id": {"value": {"get_resource": "net"}},
                "label": {"value": {"get_attr": ["val", "value"]}}},
}


def parent(label: str = "l", count: int = 2, with_child: bool = True, token: str = "tok-default",
           child_type: str = "child.yaml") -> dict:
    res: dict = {}
    if with_child:
        res["child"] = {"type": child_type, "properties": {"net_name": "n-child", "label": label, "token": token}}
    if count is not None:
        res["grp"] = {"type": "OS::Heat::ResourceGroup",
                      "properties": {"count": count, "resource_def": {
                          "type": "My::Child", "properties": {"net_name": "g-%index%", "label": label}}}}
    outputs = {}
    if with_child:
        outputs.update({"child_net": {"value": {"get_attr": ["child", "net_id"]}},
                        "child_ref": {"value": {"get_resource": "child"}},
                        "child_id": {"value": {"get_attr": ["child", "OS::stack_id"]}},
                        "child_res": {"value": {"get_attr": ["child", "resource.net.name"]}},
                        "child_label": {"value": {"get_attr": ["child", "label"]}}})
    if count is not None:
        outputs["grp_nets"] = {"value": {"get_attr": ["grp", "net_id"]}}
    return {"heat_template_version": "2018-08-31", "resources": res, "outputs": outputs}


def write(tmp_path: Any, tmpl: dict, child: dict | None = None) -> str:
    (tmp_path / "child.yaml").write_text(yaml.safe_dump(child or CHILD))
    (tmp_path / "env.yaml").write_text(yaml.safe_dump({"resource_registry": {"My::Child": "child.yaml"}}))
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    return str(path)


def run(tmp_path: Any, conn: Any, state_dir: str, tmpl: dict, child: dict | None = None, **opts: Any) -> Any:
    path = write(tmp_path, tmpl, child)
    resolved = load_stack(path, environment_files=[str(tmp_path / "env.yaml")], stack_name="st")
    result = converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())
    assert result.error is None, result.error
    return result


def nets(conn: Any) -> dict:
    return {n.name: n for n in conn.network.networks_db.values()}


def stack_of(net: Any) -> str:
    return next(t for t in net.tags if t.startswith(ownership.STACK_TAG_PREFIX))[len(ownership.STACK_TAG_PREFIX):]


def test_nested_and_group_members_create_with_marks_and_outputs(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, parent())
    assert sorted(nets(conn)) == ["g-0", "g-1", "n-child"]
    assert stack_of(nets(conn)["n-child"]) == "st/child"
    assert stack_of(nets(conn)["g-1"]) == "st/grp/1"
    out = first["outputs"]
    assert out["child_net"] == nets(conn)["n-child"].id
    assert out["child_ref"] == out["child_id"] == nested_stack_id("st", "child")
    assert out["child_res"] == "n-child" and out["child_label"] == "l"
    assert out["grp_nets"] == [nets(conn)["g-0"].id, nets(conn)["g-1"].id]
    assert first["resources"]["child"]["physical_id"] == nested_stack_id("st", "child")
    assert first["resources"]["child/net"]["physical_id"] == nets(conn)["n-child"].id
    assert first["resources"]["grp/1/net"]["physical_id"] == nets(conn)["g-1"].id
    created = {(e["resource"], e["action"], e["status"]) for e in first["events"]}
    assert {("child/net", "CREATE", "COMPLETE"), ("grp/1/net", "CREATE", "COMPLETE")} <= created
    planned = {e["resource"] for e in first["plan"]}
    assert {"child", "child/net", "grp", "grp/0/net", "grp/1/net"} <= planned


def test_rerun_is_a_noop_and_check_mode_empty(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent())
    again = run(tmp_path, conn, state_dir, parent())
    assert again["changed"] is False and again["plan"] == []
    calls = list(conn.network.calls)
    check = run(tmp_path, conn, state_dir, parent(), check_mode=True, diff=True)
    assert check["changed"] is False and check["plan"] == [] and not check["diff"]
    assert not [c for c in conn.network.calls[len(calls):] if not c.startswith(("list", "get", "find"))]


def test_property_change_updates_only_inside(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent())
    ids = {n: o.id for n, o in nets(conn).items()}
    check = run(tmp_path, conn, state_dir, parent(label="m"), check_mode=True, diff=True)
    entries = {e["resource"]: e["action"] for e in check["plan"]}
    assert entries == {"child": "update", "child/val": "update", "grp": "update",
                       "grp/0/val": "update", "grp/1/val": "update"}
    assert check["diff"]["after"]["child/val"] == {"value": "m"}
    done = run(tmp_path, conn, state_dir, parent(label="m"))
    assert {n: o.id for n, o in nets(conn).items()} == ids
    assert done["outputs"]["child_label"] == "m"
    assert run(tmp_path, conn, state_dir, parent(label="m"))["changed"] is False


def test_nested_template_change_reaches_the_nested_stack(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent(count=None))
    child = json.loads(json.dumps(CHILD))
    child["resources"]["net2"] = {"type": "OS::Neutron::Net", "properties": {"name": "extra"}}
    done = run(tmp_path, conn, state_dir, parent(count=None), child=child)
    assert "extra" in nets(conn) and stack_of(nets(conn)["extra"]) == "st/child"
    assert {"resource": "child/net2", "type": "OS::Neutron::Net", "action": "create",
            "reason": "new resource"} in done["plan"]


def test_shrinking_the_group_deletes_a_whole_member(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent())
    shrunk = run(tmp_path, conn, state_dir, parent(count=1))
    assert sorted(nets(conn)) == ["g-0", "n-child"]
    assert shrunk["outputs"]["grp_nets"] == [nets(conn)["g-0"].id]
    assert not os.path.exists(os.path.join(state_dir, "nested", "st%2Fgrp%2F1.json"))


def test_removing_the_resource_deletes_the_nested_stack(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent())
    gone = run(tmp_path, conn, state_dir, parent(with_child=False))
    assert "n-child" not in nets(conn)
    assert {"resource": "child/net", "action": "delete"}.items() <= next(
        e for e in gone["plan"] if e["resource"] == "child/net").items()
    assert not os.path.exists(os.path.join(state_dir, "nested", "st%2Fchild.json"))


def test_lost_records_adopt_without_changes(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent())
    os.unlink(os.path.join(state_dir, "st.json"))
    adopted = run(tmp_path, conn, state_dir, parent())
    assert adopted["changed"] is False and len(nets(conn)) == 3
    for name in os.listdir(os.path.join(state_dir, "nested")):
        os.unlink(os.path.join(state_dir, "nested", name))
    os.unlink(os.path.join(state_dir, "st.json"))
    again = run(tmp_path, conn, state_dir, parent())
    assert again["changed"] is False and again["plan"] == [] and len(nets(conn)) == 3
    # the unchanged nested stacks wrote their records again: absent finds everything
    assert sorted(os.listdir(os.path.join(state_dir, "nested"))) == [
        "st%2Fchild.json", "st%2Fchild.secrets.json", "st%2Fgrp%2F0.json", "st%2Fgrp%2F0.secrets.json",
        "st%2Fgrp%2F1.json", "st%2Fgrp%2F1.secrets.json"]
    assert destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor()).error is None
    assert conn.network.networks_db == {}


def test_absent_recurses_and_sweeps(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent())
    opts = Options(state_dir=state_dir, retry_base=0.0)
    check = destroy(conn, "st", Options(state_dir=state_dir, check_mode=True), Redactor())
    assert {"child/net", "grp/0/net", "grp/1/net"} <= {e["resource"] for e in check["plan"]}
    assert len(nets(conn)) == 3
    gone = destroy(conn, "st", opts, Redactor())
    assert gone.error is None and conn.network.networks_db == {}
    assert ("grp/0/net", "DELETE", "COMPLETE") in {(e["resource"], e["action"], e["status"]) for e in gone["events"]}
    assert os.listdir(os.path.join(state_dir, "nested")) == []


def test_hidden_nested_parameter_is_redacted(tmp_path, conn, state_dir):
    done = run(tmp_path, conn, state_dir, parent(token=SECRET, count=None), diff=True)
    assert SECRET not in json.dumps(done, default=str)
    for root, _dirs, files in os.walk(state_dir):
        for name in files:
            with open(os.path.join(root, name)) as fh:
                assert SECRET not in fh.read(), name


def test_stack_id_output_overrides_the_reference(tmp_path, conn, state_dir):
    child = json.loads(json.dumps(CHILD))
    child["outputs"]["OS::stack_id"] = {"value": {"get_resource": "net"}}
    done = run(tmp_path, conn, state_dir, parent(count=None), child=child)
    assert done["outputs"]["child_ref"] == nets(conn)["n-child"].id


def test_depth_limit_holds(tmp_path):
    for i in range(3):
        nxt = {"type": f"l{i + 1}.yaml"} if i < 2 else {"type": "OS::Heat::Value", "properties": {"value": 1}}
        (tmp_path / f"l{i}.yaml").write_text(yaml.safe_dump(
            {"heat_template_version": "2018-08-31", "resources": {"r": nxt}}))
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(
        {"heat_template_version": "2018-08-31", "resources": {"top": {"type": "l0.yaml"}}}))
    load_stack(str(tmp_path / "t.yaml"), limits=Limits(max_nested_depth=3))
    with pytest.raises(HeatlikeError, match="nested stack depth exceeds 2"):
        load_stack(str(tmp_path / "t.yaml"), limits=Limits(max_nested_depth=2))


def test_group_members_count_toward_the_resource_limit(tmp_path):
    path = write(tmp_path, parent(count=40, with_child=False))
    load_stack(path, environment_files=[str(tmp_path / "env.yaml")], limits=Limits(max_resources=121))
    with pytest.raises(HeatlikeError, match="more than 120 resources"):
        load_stack(path, environment_files=[str(tmp_path / "env.yaml")], limits=Limits(max_resources=120))


def test_failure_inside_names_the_path_and_resume_keeps_ids(tmp_path, conn, state_dir):
    child = json.loads(json.dumps(CHILD))
    child["parameters"]["fail"] = {"type": "boolean", "default": False}
    child["resources"]["t"] = {"type": "OS::Heat::TestResource", "depends_on": "net",
                               "properties": {"value": "v", "fail": {"get_param": "fail"}}}
    tmpl = parent(count=None)
    tmpl["resources"]["child"]["properties"]["fail"] = True
    path = write(tmp_path, tmpl, child)
    failed = converge(conn, "st", load_stack(path, stack_name="st"), Options(state_dir=state_dir, retry_base=0.0),
                      Redactor())
    assert failed.error is not None and "\n" not in failed.error
    assert failed.error.startswith("resources.child (file://")
    assert "nested stack st/child: resources.t (OS::Heat::TestResource): create failed" in failed.error
    net_id = nets(conn)["n-child"].id
    tmpl["resources"]["child"]["properties"]["fail"] = False
    resumed = run(tmp_path, conn, state_dir, tmpl, child=child)
    assert nets(conn)["n-child"].id == net_id and len(nets(conn)) == 1
    actions = {e["resource"]: e["action"] for e in resumed["plan"]}
    assert actions.get("child/t") == "create" and "child/net" not in actions


def test_nested_in_nested_and_per_resource_override(tmp_path, conn, state_dir):
    (tmp_path / "inner.yaml").write_text(yaml.safe_dump({
        "heat_template_version": "2018-08-31", "parameters": {"n": {"type": "string"}},
        "resources": {"net": {"type": "OS::Neutron::Net", "properties": {"name": {"get_param": "n"}}}},
        "outputs": {"id": {"value": {"get_resource": "net"}}}}))
    (tmp_path / "outer.yaml").write_text(yaml.safe_dump({
        "heat_template_version": "2018-08-31", "parameters": {"n": {"type": "string"}},
        "resources": {"in": {"type": "inner.yaml", "properties": {"n": {"get_param": "n"}}}},
        "outputs": {"id": {"value": {"get_attr": ["in", "id"]}}}}))
    (tmp_path / "env2.yaml").write_text(yaml.safe_dump({"resource_registry": {
        "My::Thing": "inner.yaml", "resources": {"b": {"My::Thing": "outer.yaml"}}}}))
    tmpl = {"heat_template_version": "2018-08-31",
            "resources": {"a": {"type": "My::Thing", "properties": {"n": "na"}},
                          "b": {"type": "My::Thing", "properties": {"n": "nb"}}},
            "outputs": {"b": {"value": {"get_attr": ["b", "id"]}}}}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(tmpl))

    def go(**opts: Any) -> Any:
        resolved = load_stack(str(tmp_path / "t.yaml"), environment_files=[str(tmp_path / "env2.yaml")],
                              stack_name="st")
        return converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())

    done = go()
    assert done.error is None
    assert stack_of(nets(conn)["nb"]) == "st/b/in" and stack_of(nets(conn)["na"]) == "st/a"
    assert done["outputs"]["b"] == nets(conn)["nb"].id
    assert done["resources"]["b/in/net"]["physical_id"] == nets(conn)["nb"].id
    check = go(check_mode=True)
    assert check["changed"] is False and check["outputs"] == done["outputs"]
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert gone.error is None and conn.network.networks_db == {}


def test_a_moved_provider_template_keeps_the_nested_stack(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, parent(count=None))
    net_id = nets(conn)["n-child"].id
    (tmp_path / "moved").mkdir()
    (tmp_path / "moved" / "child.yaml").write_text(yaml.safe_dump(CHILD))
    moved = run(tmp_path, conn, state_dir, parent(count=None, child_type="moved/child.yaml"))
    assert moved["changed"] is False and nets(conn)["n-child"].id == net_id
    with open(os.path.join(state_dir, "st.json")) as fh:
        assert json.load(fh)["resources"]["child"]["type"].endswith("/moved/child.yaml")
    assert destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor()).error is None
    assert conn.network.networks_db == {}
