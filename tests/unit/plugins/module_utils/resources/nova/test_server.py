"""OS::Nova::Server update semantics (Heat's): resize, rebuild, interfaces, user_data policies.

A small in-memory Nova stands in for the SDK; the engine runs end to end (plan + execute).
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova.server import ServerHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

from ...conftest import FakeConn, NotFound, Obj

_seq = itertools.count()
FLAVORS = {"m1.tiny": "1", "m1.small": "2"}
IMAGES = {"tiny": str(uuid.UUID(int=1)), "other": str(uuid.UUID(int=2))}


class FakeNova:
    """Servers with resize (VERIFY_RESIZE until confirmed), rebuild, interfaces; logs every action."""

    def __init__(self) -> None:
        self.db: dict[str, Obj] = {}
        self.actions: list[tuple] = []

    def servers(self, **_: Any) -> list:
        return list(self.db.values())

    def get_server(self, sid: str) -> Obj:
        if sid not in self.db:
            raise NotFound(sid)
        srv = self.db[sid]
        if srv.status == "REBUILD":  # the next look finds it rebuilt
            srv.status = "ACTIVE"
            srv.task_state = None
        return srv

    def create_server(self, **body: Any) -> Obj:
        sid = str(uuid.UUID(int=1000 + next(_seq)))
        name = next(n for n, i in FLAVORS.items() if i == body["flavor_id"])
        ifaces = [] if isinstance(body.get("networks"), str) else [
            Obj(port_id=f"p-{sid}-{n}", net_id=net["uuid"], fixed_ips=[]) for n, net in enumerate(body["networks"])]
        self.db[sid] = Obj(id=sid, name=body["name"], status="ACTIVE", task_state=None, metadata=dict(body["metadata"]),
                           flavor={"original_name": name}, image={"id": body.get("image_id")}, tags=[],
                           user_data=body.get("user_data"), addresses={}, access_ipv4="", access_ipv6="",
                           fault=None, ifaces=ifaces)
        self.actions.append(("create", sid))
        return self.db[sid]

    def delete_server(self, sid: str) -> None:
        self.actions.append(("delete", sid))
        if sid not in self.db:
            raise NotFound(sid)
        del self.db[sid]

    def find_flavor(self, name: str, ignore_missing: bool = True) -> Obj | None:
        for fname, fid in FLAVORS.items():
            if name in (fname, fid):
                return Obj(id=fid, name=fname)
        return None

    def find_image(self, name: str, ignore_missing: bool = True) -> Obj | None:
        return Obj(id=IMAGES[name]) if name in IMAGES else None

    def resize_server(self, sid: str, flavor_id: str) -> None:
        self.actions.append(("resize", sid, flavor_id))
        srv = self.db[sid]
        srv.flavor = {"original_name": next(n for n, i in FLAVORS.items() if i == flavor_id)}
        srv.status = "VERIFY_RESIZE"

    def confirm_server_resize(self, sid: str) -> None:
        self.actions.append(("confirm", sid))
        self.db[sid].status = "ACTIVE"

    def rebuild_server(self, sid: str, image: str, **kwargs: Any) -> Obj:
        self.actions.append(("rebuild", sid, image, tuple(sorted(kwargs))))
        srv = self.db[sid]
        srv.image = {"id": image}
        srv.metadata = dict(kwargs.get("metadata") or srv.metadata)
        if "user_data" in kwargs:
            srv.user_data = kwargs["user_data"]
        srv.status, srv.task_state = "REBUILD", "rebuilding"
        return srv

    def update_server(self, srv: Obj, **attrs: Any) -> Obj:
        self.actions.append(("rename", srv.id))
        self.db[srv.id].name = attrs["name"]
        return srv

    def set_server_metadata(self, srv: Obj, **meta: Any) -> None:
        self.actions.append(("metadata", srv.id))
        self.db[srv.id].metadata.update(meta)

    def delete_server_metadata(self, srv: Any, keys: list) -> None:
        sid = getattr(srv, "id", srv)
        for key in keys:
            self.db[sid].metadata.pop(key, None)

    def server_interfaces(self, server: str) -> list:
        return list(self.db[server].ifaces)

    def delete_server_interface(self, port_id: str, server: str) -> None:
        self.actions.append(("detach", server, port_id))
        self.db[server].ifaces = [i for i in self.db[server].ifaces if i.port_id != port_id]

    def create_server_interface(self, server: str, **body: Any) -> Obj:
        self.actions.append(("attach", server, body.get("net_id") or body.get("port_id")))
        iface = Obj(port_id=body.get("port_id") or f"p-{server}-{next(_seq)}", net_id=body.get("net_id"),
                    fixed_ips=[])
        self.db[server].ifaces.append(iface)
        return iface


class NovaConn(FakeConn):
    def __init__(self) -> None:
        super().__init__()
        self.compute = FakeNova()
        self.image = self.compute  # find_image


NET_A, NET_B = str(uuid.UUID(int=77)), str(uuid.UUID(int=78))


def template(**props: Any) -> dict:
    base = {"flavor": "m1.tiny", "image": "tiny", "user_data_format": "RAW", "user_data": "#!/bin/sh\necho v1\n",
            "networks": [{"network": NET_A}]}
    base.update(props)
    return {"heat_template_version": "2018-08-31",
            "resources": {"srv": {"type": "OS::Nova::Server", "properties": base}}}


def run(tmp_path: Any, conn: Any, state_dir: str, tmpl: dict, **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    resolved = load_stack(str(path), stack_name="st")
    return converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())


def sid(result: Any) -> str:
    return result["resources"]["srv"]["physical_id"]


def nova_user_data(conn: NovaConn, server_id: str) -> str:
    return base64.b64decode(conn.compute.db[server_id].user_data).decode()


def verbs(conn: NovaConn) -> list:
    return [a[0] for a in conn.compute.actions]


def test_raw_user_data_reaches_nova_as_given_and_rerun_is_a_noop(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())
    assert first.error is None and nova_user_data(conn, sid(first)) == "#!/bin/sh\necho v1\n"
    again = run(tmp_path, conn, state_dir, template())
    assert again["changed"] is False and again["plan"] == []


def test_flavor_change_resizes_and_confirms_keeping_the_id(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())
    plan = run(tmp_path, conn, state_dir, template(flavor="m1.small"), check_mode=True)
    assert [(p["action"], p["reason"]) for p in plan["plan"]] == [("update", "changed: flavor (resize)")]
    conn.compute.actions.clear()
    done = run(tmp_path, conn, state_dir, template(flavor="m1.small"))
    assert done.error is None and sid(done) == sid(first)
    assert verbs(conn) == ["resize", "confirm"]
    assert conn.compute.db[sid(first)].flavor == {"original_name": "m1.small"}
    assert run(tmp_path, conn, state_dir, template(flavor="m1.small"))["plan"] == []


def test_flavor_named_by_its_id_instead_of_its_name_resizes_nothing(tmp_path, state_dir):
    conn = NovaConn()
    run(tmp_path, conn, state_dir, template())
    conn.compute.actions.clear()
    done = run(tmp_path, conn, state_dir, template(flavor="1"))
    assert done.error is None and verbs(conn) == []


def test_image_change_rebuilds_keeping_the_id_marks_and_user_data(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())
    conn.compute.actions.clear()
    done = run(tmp_path, conn, state_dir, template(image="other", image_update_policy="REBUILD_PRESERVE_EPHEMERAL"))
    assert done.error is None and sid(done) == sid(first)
    (verb, _sid, image, kwargs), = conn.compute.actions
    assert verb == "rebuild" and image == IMAGES["other"] and "user_data" not in kwargs
    srv = conn.compute.db[sid(first)]
    assert srv.metadata["heatlike_stack"] == "st" and srv.metadata["heatlike_resource"] == "srv"
    assert nova_user_data(conn, srv.id) == "#!/bin/sh\necho v1\n"


def test_replace_policies_replace(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template(flavor_update_policy="REPLACE", image_update_policy="REPLACE"))
    plan = run(tmp_path, conn, state_dir, template(flavor="m1.small", flavor_update_policy="REPLACE",
                                                   image_update_policy="REPLACE"), check_mode=True)
    assert plan["plan"][0]["action"] == "replace"
    assert plan["plan"][0]["reason"] == "changed: flavor (flavor_update_policy REPLACE)"
    done = run(tmp_path, conn, state_dir, template(image="other", flavor_update_policy="REPLACE",
                                                   image_update_policy="REPLACE"))
    assert done.error is None and sid(done) != sid(first) and list(conn.compute.db) == [sid(done)]


def test_user_data_replace_ignore_and_rebuild(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())
    replaced = run(tmp_path, conn, state_dir, template(user_data="#!/bin/sh\necho v2\n"))
    assert replaced["resources"]["srv"]["action"] == "replace" and sid(replaced) != sid(first)
    assert nova_user_data(conn, sid(replaced)) == "#!/bin/sh\necho v2\n"
    conn.compute.actions.clear()
    ignored = run(tmp_path, conn, state_dir, template(user_data="#!/bin/sh\necho v3\n",
                                                      user_data_update_policy="IGNORE"))
    assert ignored["resources"]["srv"]["action"] == "update" and sid(ignored) == sid(replaced)
    assert verbs(conn) == [] and nova_user_data(conn, sid(replaced)) == "#!/bin/sh\necho v2\n"
    rebuilt = run(tmp_path, conn, state_dir, template(user_data="#!/bin/sh\necho v4\n",
                                                      user_data_update_policy="REBUILD"))
    assert sid(rebuilt) == sid(replaced) and verbs(conn) == ["rebuild"]
    assert conn.compute.actions[0][2] == IMAGES["tiny"]  # same image, new user data
    assert nova_user_data(conn, sid(replaced)) == "#!/bin/sh\necho v4\n"


def test_networks_change_detaches_and_attaches_interfaces(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())
    conn.compute.actions.clear()
    two = run(tmp_path, conn, state_dir, template(networks=[{"network": NET_A}, {"network": NET_B}]))
    assert two.error is None and sid(two) == sid(first)
    assert conn.compute.actions == [("attach", sid(first), NET_B)]
    assert "interface detach/attach" in two["plan"][0]["reason"]
    conn.compute.actions.clear()
    only_b = run(tmp_path, conn, state_dir, template(networks=[{"network": NET_B}]))
    assert only_b.error is None and verbs(conn) == ["detach"]
    assert [i.net_id for i in conn.compute.db[sid(first)].ifaces] == [NET_B]


def test_security_groups_and_format_changes_replace_as_in_heat(tmp_path, state_dir):
    conn = NovaConn()
    run(tmp_path, conn, state_dir, template())
    plan = run(tmp_path, conn, state_dir, template(security_groups=["web"], user_data_format="SOFTWARE_CONFIG"),
               check_mode=True)
    assert plan["plan"][0]["action"] == "replace"
    assert plan["plan"][0]["reason"] == "changed: security_groups, user_data_format (replace only)"


def test_software_config_user_data_is_the_config_content_and_follows_its_changes(tmp_path, state_dir):
    def tmpl(cmd: str) -> dict:
        out = template(user_data_format="SOFTWARE_CONFIG", user_data={"get_resource": "cfg"})
        out["resources"]["cfg"] = {"type": "OS::Heat::CloudConfig", "properties": {"cloud_config": {"runcmd": [cmd]}}}
        return out

    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, tmpl("echo a"))
    assert first.error is None and nova_user_data(conn, sid(first)) == "#cloud-config\nruncmd:\n- echo a\n"
    assert run(tmp_path, conn, state_dir, tmpl("echo a"))["plan"] == []
    second = run(tmp_path, conn, state_dir, tmpl("echo b"))
    assert sid(second) != sid(first) and nova_user_data(conn, sid(second)) == "#cloud-config\nruncmd:\n- echo b\n"


def test_heat_cfntools_default_passes_user_data_as_given():
    handler = ServerHandler(Context(conn=None, stack_name="st"))
    props = handler.desired("srv", {"flavor": "m1.tiny", "user_data": "#!/bin/sh\ntrue\n"})
    assert props["user_data_format"] == "HEAT_CFNTOOLS"
    assert base64.b64decode(handler._user_data(props)).decode() == "#!/bin/sh\ntrue\n"
    assert handler._user_data(handler.desired("srv", {"flavor": "m1.tiny"})) is None


def test_change_notes_follow_the_policies():
    handler = ServerHandler(Context(conn=None, stack_name="st"))
    desired = handler.desired("srv", {"flavor": "x", "user_data_update_policy": "ignore"})
    notes = handler.change_notes({"flavor", "image", "user_data", "name", "key_name"}, desired)
    assert notes == {"flavor": (False, "resize"), "image": (False, "rebuild"), "name": (False, ""),
                     "user_data": (False, "not applied: user_data_update_policy IGNORE"),
                     "key_name": (True, "replace only")}


def test_resize_left_unconfirmed_by_a_killed_run_is_confirmed_not_redone(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())
    srv = conn.compute.db[sid(first)]
    srv.status, srv.flavor = "VERIFY_RESIZE", {"original_name": "m1.small"}  # resized, run killed
    conn.compute.actions.clear()
    done = run(tmp_path, conn, state_dir, template(flavor="m1.small"))
    assert done.error is None and verbs(conn) == ["confirm"] and srv.status == "ACTIVE"


def test_failed_resize_is_one_clear_error(tmp_path, state_dir):
    conn = NovaConn()
    first = run(tmp_path, conn, state_dir, template())

    def no_valid_host(sid: str, flavor_id: str) -> None:
        conn.compute.db[sid].fault = {"message": "No valid host was found."}

    conn.compute.resize_server = no_valid_host
    done = run(tmp_path, conn, state_dir, template(flavor="m1.small"))
    assert done.error is not None and "\n" not in str(done.error)
    assert "resources.srv (OS::Nova::Server): update failed" in str(done.error)
    assert "No valid host was found." in str(done.error) and sid(first) in conn.compute.db


def test_image_named_by_its_id_instead_of_its_name_rebuilds_nothing(tmp_path, state_dir):
    conn = NovaConn()
    run(tmp_path, conn, state_dir, template())
    conn.compute.actions.clear()
    done = run(tmp_path, conn, state_dir, template(image=IMAGES["tiny"]))
    assert done.error is None and verbs(conn) == []


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
