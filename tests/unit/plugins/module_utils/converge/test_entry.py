"""converge/destroy end to end over local types (OS::Heat::*) and a Neutron fake."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, _register_store_secrets, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LockError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

CANARY = "Canary-7q9Z"


def run(tmp_path: Any, conn: Any, state_dir: str, template: dict, name: str = "st", **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(template))
    params = opts.pop("parameters", {})
    resolved = load_stack(str(path), parameters=params, stack_name=name)
    return converge(conn, name, resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())


def local_template(value: str = "a", fail_k: bool = False, replace: bool = False, extra: bool = True) -> dict:
    res = {
        "first": {"type": "OS::Heat::TestResource", "properties": {"value": value}},
        "k": {"type": "OS::Heat::TestResource",
              "properties": {"value": {"get_attr": ["first", "output"]}, "fail": fail_k,
                             "update_replace": replace}},
        "after_k": {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["k", "output"]}}},
    }
    if extra:
        res["extra"] = {"type": "OS::Heat::Value", "properties": {"value": "x"}}
    return {"heat_template_version": "2018-08-31", "resources": res,
            "outputs": {"out": {"value": {"get_attr": ["after_k", "value"]}}}}


def pids(result: Any) -> dict:
    return {n: r["physical_id"] for n, r in result["resources"].items()}


def test_create_then_rerun_is_unchanged_with_empty_plan(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, local_template())
    assert first.error is None and first["changed"] is True
    assert first["outputs"] == {"out": "a"}
    second = run(tmp_path, conn, state_dir, local_template())
    assert second["changed"] is False and second["plan"] == []
    check = run(tmp_path, conn, state_dir, local_template(), check_mode=True, diff=True)
    assert check["changed"] is False and check["plan"] == [] and check["diff"] == {}


def test_update_in_place_keeps_physical_id_and_replace_changes_nothing_else(tmp_path, conn, state_dir):
    before = pids(run(tmp_path, conn, state_dir, local_template("a")))
    upd = run(tmp_path, conn, state_dir, local_template("b"))
    assert {p["resource"]: p["action"] for p in upd["plan"]} == {"first": "update", "k": "update", "after_k": "update"}
    assert pids(upd) == before and upd["outputs"] == {"out": "b"}


def test_removed_resource_is_deleted_and_added_one_created(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, local_template(extra=True))
    removed = run(tmp_path, conn, state_dir, local_template(extra=False))
    assert [(p["resource"], p["action"]) for p in removed["plan"]] == [("extra", "delete")]
    assert "extra" not in removed["resources"]
    added = run(tmp_path, conn, state_dir, local_template(extra=True))
    assert [(p["resource"], p["action"]) for p in added["plan"]] == [("extra", "create")]


def test_failure_names_resource_and_resume_keeps_healthy_ids(tmp_path, conn, state_dir):
    failed = run(tmp_path, conn, state_dir, local_template(fail_k=True))
    assert failed.error and "resources.k (OS::Heat::TestResource)" in failed.error
    assert failed["resources"]["k"]["status"] == "CREATE_FAILED"
    assert failed["resources"]["after_k"]["status"] == "NOT_CREATED"
    healthy = {n: p for n, p in pids(failed).items() if n in ("first", "extra")}
    fixed = run(tmp_path, conn, state_dir, local_template(fail_k=False))
    assert fixed.error is None
    assert {n: pids(fixed)[n] for n in healthy} == healthy
    assert {p["resource"]: p["action"] for p in fixed["plan"]} == {"k": "create", "after_k": "create"}


def test_rollback_of_failed_create_leaves_nothing(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "boom": {"type": "OS::Heat::TestResource", "depends_on": ["net"], "properties": {"fail": True}}}}
    result = run(tmp_path, conn, state_dir, tmpl, rollback=True)
    assert result.error and "rolled back" in result.error and "resources.boom" in result.error
    assert conn.network.networks_db == {}
    assert LocalBackend(state_dir).load("st") is None


def test_network_lost_record_is_adopted_not_duplicated(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "sub": {"type": "OS::Neutron::Subnet",
                "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.0.0/24"}}}}
    first = run(tmp_path, conn, state_dir, tmpl)
    assert first.error is None and len(conn.network.networks_db) == 1
    LocalBackend(state_dir).delete("st")
    conn.network.calls.clear()
    again = run(tmp_path, conn, state_dir, tmpl)
    assert again["changed"] is False and again["plan"] == []
    assert pids(again) == pids(first)
    assert not [c for c in conn.network.calls if c.startswith("create")]
    assert len(conn.network.subnets_db) == 1


def test_noop_rerun_lists_once_per_type(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        f"net{i}": {"type": "OS::Neutron::Net", "properties": {"name": f"n{i}"}} for i in range(5)}}
    run(tmp_path, conn, state_dir, tmpl)
    conn.network.calls.clear()
    again = run(tmp_path, conn, state_dir, tmpl)
    assert again["changed"] is False
    assert conn.network.calls == ["list networks"]


def test_killed_between_create_and_record_is_adopted(tmp_path, conn, state_dir):
    # the API created the network (with its marks) but the run died before recording it
    conn.network.create_network(name="n1", tags=ownership.tags_for("st", "net"))
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    result = run(tmp_path, conn, state_dir, tmpl)
    assert result["changed"] is False and len(conn.network.networks_db) == 1


def test_drift_shows_in_check_and_is_repaired(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    created = run(tmp_path, conn, state_dir, tmpl)
    net = next(iter(conn.network.networks_db.values()))
    net.name = "changed-out-of-band"
    check = run(tmp_path, conn, state_dir, tmpl, check_mode=True, diff=True)
    assert check["plan"][0]["action"] == "update" and check["plan"][0]["drift"] is True
    assert check["diff"]["before"]["net"] == {"name": "changed-out-of-band"}
    assert net.name == "changed-out-of-band"  # check mode changed nothing
    repaired = run(tmp_path, conn, state_dir, tmpl)
    assert net.name == "n1" and pids(repaired) == pids(created)


def test_replace_only_change_replaces_and_dependents_follow(tmp_path, conn, state_dir):
    def tmpl(cidr: str) -> dict:
        return {"heat_template_version": "2018-08-31", "resources": {
            "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
            "sub": {"type": "OS::Neutron::Subnet", "properties": {"network": {"get_resource": "net"}, "cidr": cidr}},
            "v": {"type": "OS::Heat::Value", "properties": {"value": {"get_resource": "sub"}}}}}
    first = run(tmp_path, conn, state_dir, tmpl("10.0.0.0/24"))
    second = run(tmp_path, conn, state_dir, tmpl("10.0.1.0/24"))
    actions = {p["resource"]: p["action"] for p in second["plan"]}
    assert actions == {"sub": "replace", "v": "update"}
    assert pids(second)["net"] == pids(first)["net"]
    assert pids(second)["sub"] != pids(first)["sub"]
    assert list(conn.network.subnets_db) == [pids(second)["sub"]]


def test_orphan_marked_resource_is_deleted(tmp_path, conn, state_dir):
    conn.network.create_network(name="old", tags=ownership.tags_for("st", "gone"))
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    result = run(tmp_path, conn, state_dir, tmpl)
    assert any(p["action"] == "delete" and "orphan" in p["reason"] for p in result["plan"])
    assert [n.name for n in conn.network.networks_db.values()] == ["n1"]


def test_absent_deletes_in_reverse_order_and_forgets(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "sub": {"type": "OS::Neutron::Subnet",
                "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.0.0/24"}}}}
    run(tmp_path, conn, state_dir, tmpl)
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert gone.error is None and gone["changed"] is True
    assert conn.network.networks_db == {} and conn.network.subnets_db == {}
    assert LocalBackend(state_dir).load("st") is None
    again = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert again["changed"] is False


def test_retain_keeps_the_resource_and_drops_its_marks(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "deletion_policy": "Retain", "properties": {"name": "n1"}}}}
    run(tmp_path, conn, state_dir, tmpl)
    destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    (net,) = conn.network.networks_db.values()
    assert not any(ownership.is_mark_tag(t) for t in net.tags)


def test_hidden_canary_appears_nowhere(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31",
            "parameters": {"pw": {"type": "string", "hidden": True}},
            "resources": {
                "v": {"type": "OS::Heat::Value", "properties": {"value": {"str_replace": {
                    "template": "user:PW", "params": {"PW": {"get_param": "pw"}}}}}},
                "bad": {"type": "OS::Heat::TestResource",
                        "properties": {"value": {"get_attr": ["v", "value"]}, "fail": True}}},
            "outputs": {"o": {"value": {"get_attr": ["v", "value"]}}}}
    first = run(tmp_path, conn, state_dir, tmpl, parameters={"pw": CANARY}, diff=True)
    assert first.error and CANARY not in first.error
    tmpl["resources"]["bad"]["properties"]["fail"] = False
    second = run(tmp_path, conn, state_dir, tmpl, parameters={"pw": CANARY}, diff=True)
    check = run(tmp_path, conn, state_dir, tmpl, parameters={"pw": CANARY + "2"}, diff=True, check_mode=True)
    assert check["changed"] is True  # the change of a secret is detected without storing it
    for result in (first, second, check):
        assert CANARY not in json.dumps(result, default=str)
    for fname in os.listdir(state_dir):
        with open(os.path.join(state_dir, fname)) as fh:
            assert CANARY not in fh.read(), fname
    assert second["outputs"] == {"o": "user:******"}


def test_random_string_is_stable_and_masked(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "pw": {"type": "OS::Heat::RandomString", "properties": {"length": 20}}},
        "outputs": {"pw": {"value": {"get_attr": ["pw", "value"]}}}}
    first = run(tmp_path, conn, state_dir, tmpl)
    assert first["outputs"] == {"pw": "******"}
    store = LocalBackend(state_dir).load_secrets("st")
    value = store["OS::Heat::RandomString"]["pw"]
    assert len(value) == 20
    assert value not in json.dumps(LocalBackend(state_dir).load("st"))
    assert oct(os.stat(os.path.join(state_dir, "st.secrets.json")).st_mode & 0o777) == "0o600"
    again = run(tmp_path, conn, state_dir, tmpl)
    assert again["changed"] is False
    assert LocalBackend(state_dir).load_secrets("st")["OS::Heat::RandomString"]["pw"] == value


def test_second_run_while_locked_fails_naming_the_holder(tmp_path, conn, state_dir):
    backend = LocalBackend(state_dir)
    backend.ensure()
    with open(os.path.join(state_dir, "st.lock"), "w") as fh:
        json.dump({"pid": os.getpid(), "host": __import__("socket").gethostname(), "user": "alice",
                   "since": "2026-01-01T00:00:00Z"}, fh)
    with pytest.raises(LockError) as err:
        run(tmp_path, conn, state_dir, local_template())
    assert f"pid {os.getpid()}" in str(err.value) and "alice@" in str(err.value)


def test_unsupported_type_fails_before_any_write(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "lb": {"type": "OS::Octavia::LoadBalancer", "properties": {"vip_subnet": "x"}}}}
    with pytest.raises(PropertyError) as err:
        run(tmp_path, conn, state_dir, tmpl)
    assert "resources.lb" in str(err.value) and "OS::Octavia::LoadBalancer" in str(err.value)
    assert conn.network.networks_db == {}


def test_resource_created_but_not_tagged_gets_its_marks(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    first = run(tmp_path, conn, state_dir, tmpl)
    net = next(iter(conn.network.networks_db.values()))
    net.tags = []  # killed after create returned (id recorded) but before tags were set
    record = LocalBackend(state_dir).load("st")
    record["resources"]["net"]["status"] = "CREATE_IN_PROGRESS"
    LocalBackend(state_dir).save("st", record)
    again = run(tmp_path, conn, state_dir, tmpl)
    assert pids(again) == pids(first) and len(conn.network.networks_db) == 1
    assert ownership.stack_tag("st") in net.tags and ownership.resource_tag("net") in net.tags


def test_neutron_without_tags_in_post_tags_right_after_create(tmp_path, conn, state_dir):
    conn.network.reject_tags_in_post = True
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        f"net{i}": {"type": "OS::Neutron::Net", "properties": {"name": f"n{i}"}} for i in range(3)}}
    run(tmp_path, conn, state_dir, tmpl)
    assert all(ownership.stack_tag("st") in n.tags for n in conn.network.networks_db.values())
    assert len(conn.network.networks_db) == 3
    LocalBackend(state_dir).delete("st")
    assert run(tmp_path, conn, state_dir, tmpl)["changed"] is False


def test_killed_during_create_post_untagged_is_found_by_its_description(tmp_path, conn, state_dir):
    # Neutron without tags in POST: the run died after the POST, before tags and before the record
    conn.network.create_network(name="n1", tags=[])
    net = next(iter(conn.network.networks_db.values()))
    net.description = ownership.description_mark("st", "net")
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    result = run(tmp_path, conn, state_dir, tmpl)
    assert result.error is None and len(conn.network.networks_db) == 1
    assert ownership.stack_tag("st") in net.tags


def _killed_in_post(tmp_path, conn, state_dir, tmpl, copies=1):
    """Converge, then make it look as if the run died while Neutron answered the POST: the
    record shows the create in flight without an id, the network has neither tags nor the
    description mark (a template-given description leaves no room for it)."""
    conn.network.reject_tags_in_post = True
    run(tmp_path, conn, state_dir, tmpl)
    net = next(iter(conn.network.networks_db.values()))
    net.tags, net.description = [], "the user's own"
    for _copy in range(copies - 1):
        conn.network.create_network(name=net.name, tags=[])
    record = LocalBackend(state_dir).load("st")
    record["resources"]["net"].update(status="CREATE_IN_PROGRESS", physical_id=None)
    LocalBackend(state_dir).save("st", record)
    return net


def test_killed_during_create_post_unmarked_is_found_by_its_recorded_name(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    net = _killed_in_post(tmp_path, conn, state_dir, tmpl)
    result = run(tmp_path, conn, state_dir, tmpl)
    assert result.error is None and list(conn.network.networks_db) == [net.id]
    assert pids(result) == {"net": net.id}
    assert ownership.stack_tag("st") in net.tags and ownership.resource_tag("net") in net.tags


def test_two_unmarked_with_the_in_flight_name_are_neither_taken_nor_deleted(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    net = _killed_in_post(tmp_path, conn, state_dir, tmpl, copies=2)
    unmarked = set(conn.network.networks_db)
    result = run(tmp_path, conn, state_dir, tmpl)
    assert result.error is None and unmarked < set(conn.network.networks_db)
    assert pids(result)["net"] not in unmarked and net.tags == []


def test_an_unmarked_namesake_is_not_taken_without_a_create_in_flight(tmp_path, conn, state_dir):
    conn.network.create_network(name="n1", tags=[])
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}
    theirs = set(conn.network.networks_db)
    result = run(tmp_path, conn, state_dir, tmpl)
    assert result.error is None and pids(result)["net"] not in theirs and len(conn.network.networks_db) == 2


def test_update_that_landed_after_its_run_died_is_written_to_the_record(tmp_path, conn, state_dir):
    def tmpl(name):
        return {"heat_template_version": "2018-08-31", "resources": {
            "net": {"type": "OS::Neutron::Net", "properties": {"name": name}}}}
    run(tmp_path, conn, state_dir, tmpl("n1"))
    net = next(iter(conn.network.networks_db.values()))
    net.name = "n2"  # the killed run's PUT reached Neutron; its record write did not happen
    again = run(tmp_path, conn, state_dir, tmpl("n2"))
    entry = LocalBackend(state_dir).load("st")["resources"]["net"]
    assert again["plan"] == [] and entry["properties"]["name"] == "n2" and entry["status"] == "UPDATE_COMPLETE"
    before = LocalBackend(state_dir).load("st")["resources"]
    assert run(tmp_path, conn, state_dir, tmpl("n2"))["changed"] is False
    assert LocalBackend(state_dir).load("st")["resources"] == before


def test_lost_secret_store_does_not_replace_anything(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "sub": {"type": "OS::Neutron::Subnet",
                "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.0.0/24"}}}}
    first = run(tmp_path, conn, state_dir, tmpl)
    os.unlink(os.path.join(state_dir, "st.secrets.json"))  # e.g. a run killed before it was written
    again = run(tmp_path, conn, state_dir, tmpl)
    assert again["changed"] is False and pids(again) == pids(first)


def test_group_member_secrets_are_registered_on_reload():
    redactor = Redactor()
    _register_store_secrets({"_salt": "x", "OS::Heat::RandomString": {"a": "top-secret-1"},
                             "group:g": {"OS::Heat::RandomString": {"0": "member-secret-2"},
                                         "members": {"0": "st/g-0"}, "meta": {"type": "OS::Heat::RandomString"}}},
                            redactor)
    assert redactor.secrets == {"top-secret-1", "member-secret-2"}
