"""OS::Heat::ResourceGroup over the Neutron fake: count, shrink, removal policies, delete."""

from __future__ import annotations

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack


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
