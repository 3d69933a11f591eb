"""Duplicates repaired: several marked copies of one logical resource (two controllers with their
own state_dir converged at once) are reduced to one, shown first as ``delete (duplicate of X)``."""

from __future__ import annotations

from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack
from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership

NET = {"heat_template_version": "2018-08-31", "resources": {
    "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}}}}


def run(tmp_path: Any, conn: Any, state_dir: str, template: dict, **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(template))
    resolved = load_stack(str(path), stack_name="st")
    result = converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())
    assert result.error is None, result.error
    return result


def copy_of(conn: Any, logical: str, created: str, stack: str = "st", name: str = "n1") -> Any:
    """What a second controller creates: a network with the same marks."""
    net = conn.network.create_network(name=name, tags=ownership.tags_for(stack, logical))
    net.created_at = created
    return net


def duplicates(result: Any) -> list[dict]:
    return [p for p in result["plan"] if p.get("duplicate_of")]


def test_check_mode_lists_the_copy_and_changes_nothing_then_the_run_keeps_the_recorded_one(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, NET)
    kept = first["resources"]["net"]["physical_id"]
    conn.network.networks_db[kept].created_at = "2026-01-01T00:00:05Z"
    copy = copy_of(conn, "net", "2026-01-01T00:00:01Z")  # older, but the record names the other
    check = run(tmp_path, conn, state_dir, NET, check_mode=True, diff=True)
    assert check["changed"] is True
    assert check["plan"] == [{"resource": "net", "type": "OS::Neutron::Net", "action": "delete",
                              "reason": f"duplicate of net (keeping {kept}, the recorded one)",
                              "physical_id": copy.id, "duplicate_of": "net"}]
    assert check["diff"]["before"] == {f"net (duplicate {copy.id})": {
        "type": "OS::Neutron::Net", "physical_id": copy.id, "duplicate_of": "net"}}
    assert sorted(conn.network.networks_db) == sorted([kept, copy.id])  # check mode deleted nothing
    repaired = run(tmp_path, conn, state_dir, NET)
    assert repaired["changed"] is True and list(conn.network.networks_db) == [kept]
    assert repaired["resources"]["net"]["physical_id"] == kept
    events = [(e["resource"], e["action"], e["status"], e.get("physical_id")) for e in repaired["events"]]
    assert ("net", "DELETE", "COMPLETE", copy.id) in events
    assert any(e["reason"].startswith("duplicate of net") for e in repaired["events"] if e["action"] == "DELETE")
    again = run(tmp_path, conn, state_dir, NET)
    assert again["changed"] is False and again["plan"] == []


def test_without_a_record_the_oldest_copy_is_kept(tmp_path, conn, state_dir):
    # the oldest is neither the first, the last nor the lowest id listed: kept by its time
    newer = copy_of(conn, "net", "2026-01-01T00:00:09Z")
    older = copy_of(conn, "net", "2026-01-01T00:00:02Z")
    newest = copy_of(conn, "net", "2026-01-01T00:00:30Z")
    result = run(tmp_path, conn, state_dir, NET)
    why = f"duplicate of net (keeping {older.id}, the oldest (created 2026-01-01T00:00:02Z))"
    assert sorted((p["physical_id"], p["reason"]) for p in duplicates(result)) == sorted(
        [(newer.id, why), (newest.id, why)])
    assert list(conn.network.networks_db) == [older.id]
    assert result["resources"]["net"]["physical_id"] == older.id


def test_copies_of_several_types_are_deleted_dependants_first(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "sub": {"type": "OS::Neutron::Subnet", "properties": {"network": {"get_resource": "net"},
                                                              "cidr": "10.0.0.0/24"}}}}
    first = run(tmp_path, conn, state_dir, tmpl)
    net = copy_of(conn, "net", "2026-01-01T00:00:01Z")
    conn.network.create_subnet(network_id=net.id, cidr="10.0.0.0/24", tags=ownership.tags_for("st", "sub"))
    result = run(tmp_path, conn, state_dir, tmpl)  # the fake refuses to delete a network with a subnet
    assert sorted(p["resource"] for p in duplicates(result)) == ["net", "sub"]
    assert list(conn.network.networks_db) == [first["resources"]["net"]["physical_id"]]
    assert list(conn.network.subnets_db) == [first["resources"]["sub"]["physical_id"]]


def test_a_retained_resource_keeps_its_copy_unmarked(tmp_path, conn, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "deletion_policy": "Retain", "properties": {"name": "n1"}}}}
    run(tmp_path, conn, state_dir, tmpl)
    copy = copy_of(conn, "net", "2026-01-01T00:00:09Z")
    result = run(tmp_path, conn, state_dir, tmpl)
    assert [p["physical_id"] for p in duplicates(result)] == [copy.id]
    assert copy.id in conn.network.networks_db and ownership.user_tags(copy.tags) == copy.tags == []
    assert run(tmp_path, conn, state_dir, tmpl)["changed"] is False  # unmarked: no longer the stack's


def test_a_copy_inside_a_nested_stack_is_listed_under_its_path_and_deleted(tmp_path, conn, state_dir):
    (tmp_path / "child.yaml").write_text(yaml.safe_dump(NET))
    tmpl = {"heat_template_version": "2018-08-31", "resources": {"child": {"type": "child.yaml"}}}
    first = run(tmp_path, conn, state_dir, tmpl)
    kept = first["resources"]["child/net"]["physical_id"]
    copy = copy_of(conn, "net", "2026-01-01T00:00:01Z", stack="st/child")
    check = run(tmp_path, conn, state_dir, tmpl, check_mode=True, diff=True)
    (entry,) = duplicates(check)
    assert entry == {"resource": "child/net", "type": "OS::Neutron::Net", "action": "delete",
                     "reason": f"duplicate of net (keeping {kept}, the recorded one)",
                     "physical_id": copy.id, "duplicate_of": "net"}
    assert f"child/net (duplicate {copy.id})" in check["diff"]["before"]
    assert sorted(conn.network.networks_db) == sorted([kept, copy.id])
    repaired = run(tmp_path, conn, state_dir, tmpl)
    assert repaired["changed"] is True and list(conn.network.networks_db) == [kept]
    assert run(tmp_path, conn, state_dir, tmpl)["changed"] is False


def test_absent_deletes_the_copies_too(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, NET)
    copy_of(conn, "net", "2026-01-01T00:00:01Z")
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert gone.error is None and conn.network.networks_db == {}
    assert [p["action"] for p in gone["plan"]] == ["delete", "delete"]


def group(count: int = 2) -> dict:
    return {"heat_template_version": "2018-08-31", "resources": {"grp": {
        "type": "OS::Heat::ResourceGroup",
        "properties": {"count": count, "resource_def": {"type": "OS::Neutron::Net",
                                                        "properties": {"name": "g-%index%"}}}}},
            "outputs": {"refs": {"value": {"get_attr": ["grp", "refs"]}}}}


def test_a_copy_of_a_group_member_is_a_duplicate_of_that_member(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, group())
    refs = first["outputs"]["refs"]
    for net_id in refs:
        conn.network.networks_db[net_id].created_at = "2026-01-01T00:00:01Z"
    copy = copy_of(conn, "1", "2000-01-01T00:00:07Z", stack="st/grp", name="g-1")  # older: the group remembers
    check = run(tmp_path, conn, state_dir, group(), check_mode=True)
    assert duplicates(check) == [{
        "resource": "grp/1", "type": "OS::Neutron::Net", "action": "delete", "physical_id": copy.id,
        "reason": f"duplicate of grp/1 (keeping {refs[1]}, the recorded one)", "duplicate_of": "grp/1"}]
    assert len(conn.network.networks_db) == 3
    repaired = run(tmp_path, conn, state_dir, group())
    assert repaired["outputs"]["refs"] == refs and sorted(conn.network.networks_db) == sorted(refs)
    assert run(tmp_path, conn, state_dir, group())["changed"] is False
    copy_of(conn, "0", "2026-01-01T00:00:09Z", stack="st/grp", name="g-0")
    (tmp_path / "state" / "st.secrets.json").unlink()  # the group forgot its members: the oldest stays
    check = run(tmp_path, conn, state_dir, group(), check_mode=True)
    assert [p["reason"] for p in duplicates(check)] == [
        f"duplicate of grp/0 (keeping {refs[0]}, the oldest (created 2026-01-01T00:00:01Z))"]
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert gone.error is None and conn.network.networks_db == {}  # absent takes a member's copy too


def test_without_a_record_a_subnet_copy_on_the_kept_network_is_kept_over_an_older_one(tmp_path, conn, state_dir):
    # two controllers raced: A's network is older, B's subnet is older; keeping both "oldest"
    # would keep a subnet on the network copy that goes (and the network could not be deleted)
    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "sub": {"type": "OS::Neutron::Subnet", "properties": {"network": {"get_resource": "net"},
                                                              "cidr": "10.0.0.0/24"}}}}
    net_a = copy_of(conn, "net", "2026-01-01T00:00:01Z")
    net_b = copy_of(conn, "net", "2026-01-01T00:00:02Z")
    sub_b = conn.network.create_subnet(network_id=net_b.id, cidr="10.0.0.0/24", name="st-sub",
                                       tags=ownership.tags_for("st", "sub"))
    sub_b.created_at = "2026-01-01T00:00:03Z"
    sub_a = conn.network.create_subnet(network_id=net_a.id, cidr="10.0.0.0/24", name="st-sub",
                                       tags=ownership.tags_for("st", "sub"))
    sub_a.created_at = "2026-01-01T00:00:04Z"
    check = run(tmp_path, conn, state_dir, tmpl, check_mode=True)
    assert sorted((p["resource"], p["physical_id"], p["reason"]) for p in duplicates(check)) == [
        ("net", net_b.id, f"duplicate of net (keeping {net_a.id}, the oldest (created 2026-01-01T00:00:01Z))"),
        ("sub", sub_b.id, f"duplicate of sub (keeping {sub_a.id}, the oldest on the copies kept of what it"
                          " depends on)")]
    assert [p for p in check["plan"] if not p.get("duplicate_of")] == []
    result = run(tmp_path, conn, state_dir, tmpl)
    assert list(conn.network.networks_db) == [net_a.id] and list(conn.network.subnets_db) == [sub_a.id]
    assert result["resources"]["sub"]["physical_id"] == sub_a.id
    assert run(tmp_path, conn, state_dir, tmpl)["changed"] is False
