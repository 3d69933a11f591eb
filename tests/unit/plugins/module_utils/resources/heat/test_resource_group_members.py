"""OS::Heat::ResourceGroup members: replaced on changes the cloud cannot show, on a type change,
secrets in the store, and name-marked members found again."""

from __future__ import annotations

import uuid
from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

from ...conftest import Obj


def run(tmp_path, conn, state_dir, tmpl, name="st"):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    return converge(conn, name, load_stack(str(path), stack_name=name), Options(state_dir=state_dir, retry_base=0),
                    Redactor())


def group(rdef: dict, count: int = 2) -> dict:
    return {"heat_template_version": "2018-08-31",
            "resources": {"grp": {"type": "OS::Heat::ResourceGroup",
                                  "properties": {"count": count, "resource_def": rdef}}},
            "outputs": {"refs": {"value": {"get_attr": ["grp", "refs"]}}}}


def test_group_replaces_members_on_a_change_the_cloud_cannot_show(tmp_path, conn, state_dir):
    rdef = {"type": "OS::Neutron::Net", "properties": {"name": "n-%index%", "availability_zone_hints": ["a"]}}
    first = run(tmp_path, conn, state_dir, group(rdef))
    assert first.error is None
    assert run(tmp_path, conn, state_dir, group(rdef))["changed"] is False
    rdef["properties"]["availability_zone_hints"] = ["b"]  # replace-only, not read back
    second = run(tmp_path, conn, state_dir, group(rdef))
    assert second.error is None
    assert set(second["outputs"]["refs"]).isdisjoint(first["outputs"]["refs"])
    assert sorted(n.name for n in conn.network.networks_db.values()) == ["n-0", "n-1"]
    assert run(tmp_path, conn, state_dir, group(rdef))["changed"] is False


def test_group_member_type_change_deletes_the_old_members(tmp_path, conn, state_dir):
    assert run(tmp_path, conn, state_dir, group({"type": "OS::Neutron::Net",
                                                 "properties": {"name": "n-%index%"}})).error is None
    changed = run(tmp_path, conn, state_dir, group({"type": "OS::Heat::Value", "properties": {"value": "%index%"}}))
    assert changed.error is None
    assert conn.network.networks_db == {}


def test_group_store_leaves_type_names_out_of_the_secrets(tmp_path, conn, state_dir):
    rdef = {"type": "OS::Neutron::Net", "properties": {"name": "n-%index%"}}
    run(tmp_path, conn, state_dir, group(rdef))
    rdef["properties"]["name"] = "m-%index%"
    assert run(tmp_path, conn, state_dir, group(rdef)).error is None
    record = (tmp_path / "state" / "st.json").read_text()
    assert "******" not in record and "OS::Neutron::Net" in record
    assert run(tmp_path, conn, state_dir, group(rdef))["changed"] is False


class FakeServerGroups:
    """Nova server groups only (name-marked: found by ``<stack>-<logical>``)."""

    def __init__(self) -> None:
        self.db: dict[str, Obj] = {}

    def servers(self, **_: Any) -> list:
        return []

    def server_groups(self, **_: Any) -> list:
        return list(self.db.values())

    def create_server_group(self, name: str, policies: list, **_: Any) -> Obj:
        obj = Obj(id=str(uuid.uuid4()), name=name, policies=list(policies), policy=policies[0])
        self.db[obj.id] = obj
        return obj

    def get_server_group(self, gid: str) -> Obj:
        return self.db[gid]

    def delete_server_group(self, gid: str) -> None:
        self.db.pop(gid)


def test_group_of_name_marked_members_shrinks(tmp_path, conn, state_dir):
    conn.compute = FakeServerGroups()
    rdef = {"type": "OS::Nova::ServerGroup", "properties": {"policies": ["anti-affinity"]}}
    first = run(tmp_path, conn, state_dir, group(rdef, count=3))
    assert first.error is None and len(conn.compute.db) == 3
    shrunk = run(tmp_path, conn, state_dir, group(rdef, count=2))
    assert shrunk.error is None
    assert sorted(g.name for g in conn.compute.db.values()) == ["st/grp-0", "st/grp-1"]
    assert shrunk["outputs"]["refs"] == first["outputs"]["refs"][:2]
