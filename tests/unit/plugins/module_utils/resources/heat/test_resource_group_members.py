"""Fixes found driving the types through the devcloud (os_heatlike_stack_types target)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import (
    Options, _register_store_secrets, converge)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.cinder.volume import VolumeHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.software_config import (
    SoftwareConfigHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group import (
    SecurityGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group_rule import (
    SecurityGroupRuleHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova.server import ServerHandler
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


# ---- SoftwareConfig ------------------------------------------------------------------------------
def test_config_id_follows_the_content():
    handler = SoftwareConfigHandler(Context(conn=None, stack_name="web"))
    one = handler.ref({"props": {"config": "echo one"}}, "web-cfg")
    assert one == handler.ref({"props": {"config": "echo one"}}, "web-cfg")
    two = handler.ref({"props": {"config": "echo two"}}, "web-cfg")
    assert two != one and uuid.UUID(two)
    assert handler.ctx.cache["software_config:" + two] == "echo two"


# ---- Cinder deletion_policy: Snapshot ------------------------------------------------------------
class FakeBlockStorage:
    def __init__(self) -> None:
        self.volumes = {"v1": Obj(id="v1", name="data", status="available",
                                  metadata={ownership.META_STACK: "st", ownership.META_RESOURCE: "vol"})}
        self.snaps: dict[str, Obj] = {}
        self.deleted: list[str] = []

    def get_volume(self, vid: str) -> Obj:
        if vid not in self.volumes:
            err = Exception("nope")
            err.status_code = 404
            raise err
        return self.volumes[vid]

    def snapshots(self, volume_id: str | None = None, **_: Any) -> list:
        return [s for s in self.snaps.values() if s.volume_id == volume_id]

    def create_snapshot(self, volume_id: str, name: str, force: bool) -> Obj:
        snap = Obj(id=f"s{len(self.snaps) + 1}", name=name, volume_id=volume_id, status="available")
        self.snaps[snap.id] = snap
        return snap

    def get_snapshot(self, sid: str) -> Obj:
        return self.snaps[sid]

    def delete_volume(self, vid: str) -> None:
        self.deleted.append(vid)
        self.volumes.pop(vid)

    def delete_volume_metadata(self, vid: str, keys: list) -> None:
        for key in keys:
            self.volumes[vid].metadata.pop(key, None)


def test_snapshot_policy_snapshots_and_keeps_the_volume_unmarked():
    storage = FakeBlockStorage()
    handler = VolumeHandler(Context(conn=Obj(block_storage=storage), stack_name="st", poll=0.01))
    handler.delete("v1", None, "Snapshot")
    assert [(s.name, s.volume_id) for s in storage.snaps.values()] == [("data-snapshot", "v1")]
    assert storage.deleted == []  # Cinder refuses to delete a volume that has snapshots
    assert storage.volumes["v1"].metadata == {}
    storage.volumes["v1"].metadata = {ownership.META_STACK: "st", ownership.META_RESOURCE: "vol"}
    handler.delete("v1", None, "Snapshot")  # an interrupted delete, run again: same snapshot
    assert len(storage.snaps) == 1
    handler.delete("v1", None, "Delete")
    assert storage.deleted == ["v1"]


# ---- ResourceGroup -------------------------------------------------------------------------------
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


def test_group_member_secrets_are_registered_on_reload():
    redactor = Redactor()
    _register_store_secrets({"_salt": "x", "OS::Heat::RandomString": {"a": "top-secret-1"},
                             "group:g": {"OS::Heat::RandomString": {"0": "member-secret-2"},
                                         "members": {"0": "st/g-0"}, "meta": {"type": "OS::Heat::RandomString"}}},
                            redactor)
    assert redactor.secrets == {"top-secret-1", "member-secret-2"}


# ---- security groups -----------------------------------------------------------------------------
def test_group_rules_ignore_rules_of_security_group_rule_resources():
    handler = SecurityGroupHandler(Context(conn=None, stack_name="st"))
    desired = handler.desired("sg", {"rules": []})
    observed = Obj(id="g1", security_group_rules=[
        {"id": "r1", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "remote_ip_prefix": "192.0.2.0/24", "remote_group_id": None,
         "description": ownership.description_mark("st", "rule")}])
    assert handler.desired_compare("rules", desired["rules"], observed) is True
    observed.security_group_rules[0]["description"] = ""
    assert handler.desired_compare("rules", desired["rules"], observed) is False


def test_rules_of_a_group_member_are_not_the_parent_stacks():
    rules = [Obj(id="r1", description=ownership.description_mark("st", "rule")),
             Obj(id="r2", description=ownership.description_mark("st/grp", "0"))]
    conn = Obj(network=Obj(security_group_rules=lambda **_: rules))
    found = SecurityGroupRuleHandler(Context(conn=conn, stack_name="st")).list_owned(["rule"])
    assert [(f.logical, f.physical_id) for f in found] == [("rule", "r1")]


# ---- servers: block_device_mapping_v2 with an image ----------------------------------------------
class _Stop(Exception):
    pass


def test_image_server_with_data_volume_mapping_sends_the_image_mapping_first():
    sent: dict = {}

    def create_server(**body: Any) -> None:
        sent.update(body)
        raise _Stop()

    image = str(uuid.uuid4())
    compute = Obj(find_flavor=lambda name, ignore_missing=True: Obj(id="f1"), create_server=create_server)
    handler = ServerHandler(Context(conn=Obj(compute=compute), stack_name="st"))
    props = handler.desired("srv", {"flavor": "m1.tiny", "image": image, "networks": [],
                                    "block_device_mapping_v2": [{"volume_id": "v1", "boot_index": -1}]})
    try:
        handler.create("srv", props, lambda _pid: None)
    except _Stop:
        pass
    bdm = sent["block_device_mapping"]
    assert bdm[0] == {"uuid": image, "source_type": "image", "destination_type": "local", "boot_index": 0,
                      "delete_on_termination": True}
    assert bdm[1]["uuid"] == "v1" and bdm[1]["boot_index"] == -1
    assert json.dumps(sent)  # plain data


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
