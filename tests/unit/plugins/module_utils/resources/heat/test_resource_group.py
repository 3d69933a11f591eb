"""OS::Heat::ResourceGroup over the Neutron fake: count, shrink, removal policies, delete; name-marked
members (key pairs) found again; removal policies remembered."""

from __future__ import annotations

from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

from ...conftest import Obj


def group(count: int, removal: list | None = None) -> dict:
    props = {"count": count, "resource_def": {"type": "OS::Neutron::Net", "properties": {"name": "n-%index%"}}}
    if removal:
        props["removal_policies"] = [{"resource_list": removal}]
    return {"heat_template_version": "2018-08-31",
            "resources": {"grp": {"type": "OS::Heat::ResourceGroup", "properties": props}},
            "outputs": {"names": {"value": {"get_attr": ["grp", "name"]}},
                        "refs": {"value": {"get_attr": ["grp", "refs"]}}}}


def run(tmp_path, conn, state_dir, tmpl):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    return converge(conn, "st", load_stack(str(path), stack_name="st"), Options(state_dir=state_dir, retry_base=0),
                    Redactor())


def names(conn):
    return sorted(n.name for n in conn.network.networks_db.values())


def test_group_creates_count_members_with_index(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, group(3))
    assert first.error is None
    assert names(conn) == ["n-0", "n-1", "n-2"]
    assert first["outputs"]["names"] == ["n-0", "n-1", "n-2"]
    again = run(tmp_path, conn, state_dir, group(3))
    assert again["changed"] is False and names(conn) == ["n-0", "n-1", "n-2"]


def test_group_shrinks_from_the_top_and_honours_removal_policies(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, group(3))
    refs = run(tmp_path, conn, state_dir, group(3))["outputs"]["refs"]
    shrunk = run(tmp_path, conn, state_dir, group(2))
    assert names(conn) == ["n-0", "n-1"] and shrunk["outputs"]["refs"] == refs[:2]
    removed = run(tmp_path, conn, state_dir, group(2, removal=[0]))
    assert names(conn) == ["n-1", "n-2"]
    assert removed["outputs"]["refs"][0] == refs[1]


def test_group_is_deleted_with_the_stack(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, group(2))
    gone = destroy(conn, "st", Options(state_dir=state_dir, retry_base=0), Redactor())
    assert gone.error is None and conn.network.networks_db == {}


class FakeKeypairs:
    """Nova key pairs only (identified by their names)."""

    def __init__(self) -> None:
        self.db: dict[str, Obj] = {}
        self.creates = 0

    def servers(self, **_: Any) -> list:
        return []

    def keypairs(self, **_: Any) -> list:
        return list(self.db.values())

    def create_keypair(self, name: str, **body: Any) -> Obj:
        if name in self.db:
            raise RuntimeError(f"HTTP 409: Key pair '{name}' already exists")
        self.creates += 1
        obj = Obj(id=name, name=name, public_key=body.get("public_key") or f"ssh-rsa {name}", private_key=None)
        self.db[name] = obj
        return obj

    def delete_keypair(self, name: str) -> None:
        self.db.pop(name)


def keypair_group(count: int, removal: list | None = None, mode: str | None = None) -> dict:
    props: dict = {"count": count,
                   "resource_def": {"type": "OS::Nova::KeyPair", "properties": {"name": "kp-%index%"}}}
    if removal is not None:
        props["removal_policies"] = [{"resource_list": removal}] if removal else []
    if mode:
        props["removal_policies_mode"] = mode
    return {"heat_template_version": "2018-08-31",
            "resources": {"grp": {"type": "OS::Heat::ResourceGroup", "properties": props}},
            "outputs": {"refs": {"value": {"get_attr": ["grp", "refs"]}}}}


def test_keypair_group_rerun_finds_members_by_name(tmp_path, conn, state_dir):
    conn.compute = FakeKeypairs()
    first = run(tmp_path, conn, state_dir, keypair_group(2))
    assert first.error is None and sorted(conn.compute.db) == ["kp-0", "kp-1"]
    again = run(tmp_path, conn, state_dir, keypair_group(2))
    assert again.error is None and again["changed"] is False
    assert conn.compute.creates == 2
    shrunk = run(tmp_path, conn, state_dir, keypair_group(1))
    assert shrunk.error is None and sorted(conn.compute.db) == ["kp-0"]


def test_removal_policies_append_is_remembered_and_update_mode_forgets(tmp_path, conn, state_dir):
    conn.compute = FakeKeypairs()
    run(tmp_path, conn, state_dir, keypair_group(2))
    removed = run(tmp_path, conn, state_dir, keypair_group(2, removal=[0]))
    assert removed.error is None and sorted(conn.compute.db) == ["kp-1", "kp-2"]
    # the policy leaves the template: index 0 stays removed (append mode)
    kept = run(tmp_path, conn, state_dir, keypair_group(2, removal=[]))
    assert kept.error is None and sorted(conn.compute.db) == ["kp-1", "kp-2"]
    assert conn.compute.creates == 3
    # an index that is no member and never was is ignored, as in Heat
    ignored = run(tmp_path, conn, state_dir, keypair_group(2, removal=[7]))
    assert ignored.error is None and sorted(conn.compute.db) == ["kp-1", "kp-2"]
    # update mode replaces the remembered list: index 0 comes back, the highest goes
    reset = run(tmp_path, conn, state_dir, keypair_group(2, removal=[], mode="update"))
    assert reset.error is None and sorted(conn.compute.db) == ["kp-0", "kp-1"]


def test_removed_rsrc_list_reports_the_remembered_indices(tmp_path, conn, state_dir):
    tmpl = keypair_group(2, removal=[0])
    tmpl["outputs"]["removed"] = {"value": {"get_attr": ["grp", "removed_rsrc_list"]}}
    conn.compute = FakeKeypairs()
    first = run(tmp_path, conn, state_dir, tmpl)
    assert first["outputs"]["removed"] == ["0"] and sorted(conn.compute.db) == ["kp-1", "kp-2"]
    tmpl["resources"]["grp"]["properties"]["removal_policies"] = [{"resource_list": ["kp-2"]}]
    by_ref = run(tmp_path, conn, state_dir, tmpl)
    assert by_ref.error is None and by_ref["outputs"]["removed"] == ["0", "2"]
    assert sorted(conn.compute.db) == ["kp-1", "kp-3"]


def test_removed_indices_survive_a_lost_store_as_gaps(tmp_path, conn, state_dir):
    import os
    conn.compute = FakeKeypairs()
    run(tmp_path, conn, state_dir, keypair_group(2, removal=[0]))
    for name in os.listdir(state_dir):
        os.remove(os.path.join(state_dir, name))
    again = run(tmp_path, conn, state_dir, keypair_group(2))
    assert again.error is None and sorted(conn.compute.db) == ["kp-1", "kp-2"]
