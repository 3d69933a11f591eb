"""Executing a plan: a replacement honours the deletion policy; rollback of a failed update."""

from __future__ import annotations

from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack


def run(tmp_path: Any, conn: Any, state_dir: str, tmpl: dict, **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    return converge(conn, "st", load_stack(str(path), stack_name="st"),
                    Options(state_dir=state_dir, retry_base=0, **opts), Redactor())


def net_template(zones: list, policy: str | None = "Retain") -> dict:
    net: dict = {"type": "OS::Neutron::Net", "properties": {"name": "n1", "availability_zone_hints": zones}}
    if policy:
        net["deletion_policy"] = policy
    return {"heat_template_version": "2018-08-31", "resources": {"net": net}}


def test_replaced_resource_with_retain_is_kept_unmarked(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, net_template(["a"]))
    old = first["resources"]["net"]["physical_id"]
    replaced = run(tmp_path, conn, state_dir, net_template(["b"]))
    assert replaced.error is None and [p["action"] for p in replaced["plan"]] == ["replace"]
    new = replaced["resources"]["net"]["physical_id"]
    assert new != old and old in conn.network.networks_db
    assert not [t for t in conn.network.networks_db[old].tags if t.startswith("heatlike-")]
    again = run(tmp_path, conn, state_dir, net_template(["b"]))
    assert again["changed"] is False and old in conn.network.networks_db


def test_replaced_resource_without_policy_is_deleted(tmp_path, conn, state_dir):
    old = run(tmp_path, conn, state_dir, net_template(["a"], None))["resources"]["net"]["physical_id"]
    replaced = run(tmp_path, conn, state_dir, net_template(["b"], None))
    assert replaced.error is None and list(conn.network.networks_db) == [replaced["resources"]["net"]["physical_id"]]
    assert old not in conn.network.networks_db


def update_template(net_name: str, zones: list | None = None, boom: bool = False) -> dict:
    props: dict = {"name": net_name}
    if zones is not None:
        props["availability_zone_hints"] = zones
    res: dict = {"net": {"type": "OS::Neutron::Net", "properties": props}}
    if boom:
        res["boom"] = {"type": "OS::Heat::TestResource", "depends_on": ["net"], "properties": {"fail": True}}
    return {"heat_template_version": "2018-08-31", "resources": res}


def test_rollback_of_failed_update_restores_properties_and_deletes_new(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, update_template("n1"))
    pid = first["resources"]["net"]["physical_id"]
    failed = run(tmp_path, conn, state_dir, update_template("n2", boom=True), rollback=True)
    assert failed.error and "rolled back" in failed.error and "resources.boom" in failed.error
    assert conn.network.networks_db[pid].name == "n1"
    assert "boom" not in failed["resources"] or failed["resources"]["boom"]["status"] == "NOT_CREATED"
    assert failed["stack"]["status"] == "ROLLBACK_COMPLETE"
    # the record holds the previous properties: the next run applies the change again
    again = run(tmp_path, conn, state_dir, update_template("n2"))
    assert [(p["resource"], p["action"]) for p in again["plan"]] == [("net", "update")]
    assert conn.network.networks_db[pid].name == "n2"


def test_rollback_of_failed_replacement_keeps_the_old_resource(tmp_path, conn, state_dir, monkeypatch):
    first = run(tmp_path, conn, state_dir, update_template("n1", ["a"]))
    pid = first["resources"]["net"]["physical_id"]

    def refuse(**_: Any) -> None:
        raise RuntimeError("HTTP 400: no")

    monkeypatch.setattr(conn.network, "create_network", refuse)
    failed = run(tmp_path, conn, state_dir, update_template("n1", ["b"]), rollback=True)
    assert failed.error and "rolled back" in failed.error
    assert list(conn.network.networks_db) == [pid]
    assert failed["resources"]["net"]["physical_id"] == pid
    monkeypatch.undo()
    again = run(tmp_path, conn, state_dir, update_template("n1", ["a"]))
    assert again.error is None and again["changed"] is False and list(conn.network.networks_db) == [pid]


def test_rollback_keeps_a_replacement_whose_old_resource_is_gone(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, update_template("n1", ["a"]))
    failed = run(tmp_path, conn, state_dir, update_template("n1", ["b"], boom=True), rollback=True)
    assert failed.error and "rolled back" not in failed.error
    assert "rollback:net" in failed.error
    assert any("the replacement is kept" in e["reason"] for e in failed["events"] if e["action"] == "ROLLBACK")
    new = failed["resources"]["net"]["physical_id"]
    assert list(conn.network.networks_db) == [new]
    assert failed["stack"]["status"] == "UPDATE_FAILED"


def test_rollback_never_restores_a_secret_it_does_not_keep(tmp_path, conn, state_dir):
    def tmpl(boom: bool) -> dict:
        res: dict = {"first": {"type": "OS::Heat::TestResource", "properties": {"value": {"get_param": "p"}}}}
        if boom:
            res["boom"] = {"type": "OS::Heat::TestResource", "depends_on": ["first"], "properties": {"fail": True}}
        return {"heat_template_version": "2018-08-31", "parameters": {"p": {"type": "string", "hidden": True}},
                "resources": res}

    def go(value: str, boom: bool) -> Any:
        path = tmp_path / "t.yaml"
        path.write_text(yaml.safe_dump(tmpl(boom)))
        redactor = Redactor()
        resolved = load_stack(str(path), parameters={"p": value}, stack_name="st")
        return converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0, rollback=True), redactor)

    assert go("first-secret-value", False).error is None
    failed = go("second-secret-value", True)
    assert "rolled back)" not in failed.error and "rollback:first" in failed.error
    reasons = [e["reason"] for e in failed["events"] if e["action"] == "ROLLBACK"]
    assert any("resources.first (OS::Heat::TestResource): not rolled back" in r for r in reasons)
    assert "-secret-value" not in repr(failed["events"]) + failed.error
