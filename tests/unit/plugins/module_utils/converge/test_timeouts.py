"""resource_timeout and stack_timeout bound the waits of a run (OS::Heat::TestResource delays)."""

from __future__ import annotations

from typing import Any

import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack


def slow_template(create: float = 0.0, delete: float = 0.0, after: bool = False) -> dict:
    res: dict = {"slow": {"type": "OS::Heat::TestResource",
                          "properties": {"value": "v", "action_wait_secs": {"create": create, "delete": delete}}}}
    if after:
        res["after"] = {"type": "OS::Heat::Value", "depends_on": ["slow"], "properties": {"value": "x"}}
    return {"heat_template_version": "2018-08-31", "resources": res}


def run(tmp_path: Any, conn: Any, state_dir: str, template: dict, **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(template))
    resolved = load_stack(str(path), parameters={}, stack_name="st")
    return converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())


def test_resource_slower_than_resource_timeout_fails_naming_resource_and_phase(tmp_path, conn, state_dir):
    failed = run(tmp_path, conn, state_dir, slow_template(create=30), resource_timeout=0.2)
    assert failed.error is not None
    assert "resources.slow (OS::Heat::TestResource): create failed" in failed.error
    assert "resource_timeout 0.2 s reached" in failed.error
    assert failed["resources"]["slow"]["status"] == "CREATE_FAILED"


def test_rerun_with_enough_resource_time_converges(tmp_path, conn, state_dir):
    tmpl = slow_template(create=0.4)
    assert run(tmp_path, conn, state_dir, tmpl, resource_timeout=0.1).error is not None
    fixed = run(tmp_path, conn, state_dir, tmpl, resource_timeout=30)
    assert fixed.error is None
    assert fixed["resources"]["slow"]["status"] == "CREATE_COMPLETE"


def test_resource_running_past_the_stack_timeout_fails_naming_the_stack_timeout(tmp_path, conn, state_dir):
    failed = run(tmp_path, conn, state_dir, slow_template(create=30, after=True), stack_timeout=0.3,
                 resource_timeout=600)
    assert failed.error is not None
    assert "resources.slow (OS::Heat::TestResource): create failed" in failed.error
    assert "stack_timeout 0.3 s reached" in failed.error
    assert failed["resources"]["after"]["status"] == "NOT_CREATED"


def test_actions_not_started_by_the_stack_timeout_are_named_as_such(tmp_path, conn, state_dir):
    failed = run(tmp_path, conn, state_dir, slow_template(), stack_timeout=0)
    assert failed.error is not None
    assert "stack_timeout (0 s) reached before every action had started" in failed.error
