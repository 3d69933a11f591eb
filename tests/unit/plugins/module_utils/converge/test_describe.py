"""``describe`` (os_heatlike_stack_info): the stack list, and a drift report that says what changed."""

from __future__ import annotations

from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, describe
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

TEMPLATE = {"heat_template_version": "2018-08-31", "resources": {
    "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
    "other": {"type": "OS::Neutron::Net", "properties": {"name": "n2"}}}}


def resolved(tmp_path: Any, name: str = "st") -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(TEMPLATE))
    return load_stack(str(path), stack_name=name)


def test_drift_names_the_resource_property_before_and_after(tmp_path, conn, state_dir):
    opts = Options(state_dir=state_dir, retry_base=0)
    converge(conn, "st", resolved(tmp_path), opts, Redactor())
    in_sync = describe(conn, "st", Options(state_dir=state_dir, check_mode=True), Redactor(),
                       resolved=resolved(tmp_path), detect_drift=True)
    assert in_sync["drift"] == []
    net = next(n for n in conn.network.networks_db.values() if n.name == "n1")
    net.name = "renamed-out-of-band"
    report = describe(conn, "st", Options(state_dir=state_dir, check_mode=True), Redactor(),
                      resolved=resolved(tmp_path), detect_drift=True)
    assert len(report["drift"]) == 1
    entry = report["drift"][0]
    assert entry["resource"] == "net" and entry["type"] == "OS::Neutron::Net" and entry["action"] == "update"
    assert entry["physical_id"] == net.id and entry["drift"] is True and entry["changes"] == ["name"]
    assert entry["before"] == {"name": "renamed-out-of-band"} and entry["after"] == {"name": "n1"}
    assert net.name == "renamed-out-of-band"  # info changes nothing


def test_drift_of_a_resource_deleted_out_of_band_is_a_create(tmp_path, conn, state_dir):
    converge(conn, "st", resolved(tmp_path), Options(state_dir=state_dir, retry_base=0), Redactor())
    gone = next(n for n in conn.network.networks_db.values() if n.name == "n2")
    del conn.network.networks_db[gone.id]
    report = describe(conn, "st", Options(state_dir=state_dir, check_mode=True), Redactor(),
                      resolved=resolved(tmp_path), detect_drift=True)
    assert [(e["resource"], e["action"]) for e in report["drift"]] == [("other", "create")]
    assert report["drift"][0]["after"]["properties"]["name"] == "n2"


def test_without_a_name_every_recorded_stack_is_listed(tmp_path, conn, state_dir):
    for name in ("st-a", "st-b"):
        converge(conn, name, resolved(tmp_path, name), Options(state_dir=state_dir, retry_base=0), Redactor())
    listed = describe(None, None, Options(state_dir=state_dir, check_mode=True), Redactor())["stacks"]
    assert sorted(s["name"] for s in listed) == ["st-a", "st-b"]
    for stack in listed:
        assert stack["status"] == "CREATE_COMPLETE" and stack["resource_count"] == 2
        assert stack["created_at"] and stack["updated_at"] and stack["template_hash"]
