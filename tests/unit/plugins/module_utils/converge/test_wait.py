"""The module's ``wait`` and ``timeout`` (openstack.cloud's meaning) over a slow in-memory Cinder.

``wait: false`` returns once each create or delete nothing else needs was accepted; a resource
others depend on is still waited for. ``timeout`` bounds one wait instead of ``resource_timeout``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import base

from ..conftest import NotFound, Obj

_ids = itertools.count(1)
_sleep = time.sleep


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    """Polls of a wait sleep a millisecond (the deadlines still run on the real clock)."""
    monkeypatch.setattr(base.time, "sleep", lambda _seconds: _sleep(0.001))


class SlowCinder:
    """Volumes stay ``creating`` (or ``deleting``) for ``looks`` reads of the volume; None: forever."""

    def __init__(self, looks: int | None = 2, outcome: str = "available") -> None:
        self.looks = looks
        self.outcome = outcome
        self.db: dict[str, Obj] = {}
        self.reads: dict[str, int] = {}

    def volumes(self, **_: Any) -> list:
        return list(self.db.values())

    def create_volume(self, **body: Any) -> Obj:
        vol = Obj(id=f"vol-{next(_ids)}", status="creating", size=body.get("size"), name=body.get("name"),
                  description=None, metadata=dict(body.get("metadata") or {}), attachments=[])
        self.db[vol.id] = vol
        self.reads[vol.id] = 0
        return vol

    def get_volume(self, vid: str) -> Obj:
        if vid not in self.db:
            raise NotFound(vid)
        vol = self.db[vid]
        self.reads[vid] += 1
        if self.looks is not None and self.reads[vid] > self.looks:
            if vol.status == "deleting":
                del self.db[vid]
                raise NotFound(vid)
            vol.status = self.outcome
        return vol

    def delete_volume(self, vid: str) -> None:
        self.db[vid].status = "deleting"
        self.reads[vid] = 0


TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "leaf": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
        "base": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
        "on_base": {"type": "OS::Cinder::Volume", "depends_on": ["base"], "properties": {"size": 1}},
    },
}


def run(tmp_path: Any, cinder: SlowCinder, state: str = "present", **opts: Any) -> Any:
    conn = Obj(block_storage=cinder)
    options = Options(state_dir=str(tmp_path / "state"), retry_base=0, **opts)
    if state == "absent":
        return destroy(conn, "st", options, Redactor())
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(TEMPLATE))
    return converge(conn, "st", load_stack(str(path), stack_name="st"), options, Redactor())


def status_of(cinder: SlowCinder, result: Any, name: str) -> str:
    return cinder.db[result["resources"][name]["physical_id"]].status


def test_wait_true_returns_every_volume_available(tmp_path):
    cinder = SlowCinder()
    result = run(tmp_path, cinder)
    assert result.error is None
    assert {status_of(cinder, result, n) for n in TEMPLATE["resources"]} == {"available"}
    assert {r["status"] for r in result["resources"].values()} == {"CREATE_COMPLETE"}


def test_wait_false_returns_while_a_volume_nothing_needs_is_still_creating(tmp_path):
    cinder = SlowCinder()
    result = run(tmp_path, cinder, wait=False)
    assert result.error is None
    # nothing depends on leaf and on_base: their create was only accepted
    for name in ("leaf", "on_base"):
        assert status_of(cinder, result, name) == "creating"
        assert result["resources"][name]["status"] == "CREATE_IN_PROGRESS"
    # on_base depends on base: base was waited for
    assert status_of(cinder, result, "base") == "available"
    assert result["resources"]["base"]["status"] == "CREATE_COMPLETE"
    assert any(e["resource"] == "leaf" and "not waited for" in e.get("reason", "") for e in result["events"])


def test_the_next_run_waits_for_what_wait_false_left_building(tmp_path):
    cinder = SlowCinder()
    run(tmp_path, cinder, wait=False)
    again = run(tmp_path, cinder)
    assert again.error is None
    assert sorted(p["resource"] for p in again["plan"]) == ["leaf", "on_base"]
    assert {status_of(cinder, again, n) for n in TEMPLATE["resources"]} == {"available"}
    assert run(tmp_path, cinder)["changed"] is False


def test_wait_false_does_not_await_the_outcome_and_the_next_run_fails_on_it(tmp_path):
    cinder = SlowCinder(looks=0, outcome="error")  # Cinder fails every volume at once
    result = run(tmp_path, cinder, wait=False)
    # only base was waited for (on_base needs it): its error fails the run, naming it
    assert result.error and "resources.base (OS::Cinder::Volume): create failed: volume " in result.error
    assert "volume status error" in result.error
    leaf = run(tmp_path, cinder, wait=False)
    # a leaf is never judged while not waited for
    assert "resources.leaf" not in leaf.error
    assert leaf["resources"]["leaf"]["status"] == "CREATE_IN_PROGRESS"
    waited = run(tmp_path, cinder)
    # waiting (the default), the leaf's failure is found and reported with the run's
    assert waited.error.endswith("(and 1 more failure(s): leaf)")


def test_wait_false_delete_returns_while_the_volume_is_still_deleting(tmp_path):
    cinder = SlowCinder()
    run(tmp_path, cinder)
    gone = run(tmp_path, cinder, state="absent", wait=False)
    assert gone.error is None
    # base is deleted after on_base, so on_base's deletion was waited for; leaf and base were not
    assert sorted(v.status for v in cinder.db.values()) == ["deleting", "deleting"]


def test_wait_true_delete_returns_once_every_volume_is_gone(tmp_path):
    cinder = SlowCinder()
    run(tmp_path, cinder)
    gone = run(tmp_path, cinder, state="absent")
    assert gone.error is None and cinder.db == {}


@pytest.mark.parametrize("opts", [{"timeout": 0.2}, {"resource_timeout": 0.2}],
                         ids=["timeout", "resource_timeout when timeout is unset"])
def test_a_wait_longer_than_the_timeout_fails_naming_the_resource(tmp_path, opts):
    cinder = SlowCinder(looks=None)
    result = run(tmp_path, cinder, **opts)
    assert result.error is not None
    assert "resources." in result.error and "(OS::Cinder::Volume): create failed: timed out waiting for volume" \
        in result.error


def test_timeout_replaces_resource_timeout(tmp_path):
    cinder = SlowCinder(looks=3)
    # a generous timeout wins over a tiny resource_timeout
    result = run(tmp_path, cinder, timeout=30, resource_timeout=0.01)
    assert result.error is None
