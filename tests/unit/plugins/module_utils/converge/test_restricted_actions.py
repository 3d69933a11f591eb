"""``restricted_actions`` in the environment's resource_registry refuse the plan before any write."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack


def template(value: str, replace_value: str = "r1") -> dict:
    return {"heat_template_version": "2018-08-31", "resources": {
        "bar": {"type": "OS::Heat::TestResource",
                "properties": {"value": value, "update_replace_value": replace_value}},
        "other": {"type": "OS::Heat::TestResource", "properties": {"value": value}},
    }}


def run(tmp_path: Any, conn: Any, state_dir: str, tmpl: dict, env: dict | None = None, **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    envs = []
    if env is not None:
        env_path = tmp_path / "env.yaml"
        env_path.write_text(yaml.safe_dump(env))
        envs = [str(env_path)]
    resolved = load_stack(str(path), environment_files=envs, stack_name="st")
    return converge(conn, "st", resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())


def restrict(pattern: str, actions: Any) -> dict:
    return {"resource_registry": {"resources": {pattern: {"restricted_actions": actions}}}}


def test_create_is_never_restricted(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, template("a"), restrict("bar", ["update", "replace"]))
    assert first.error is None and first["changed"] is True


def test_restricted_update_fails_before_any_write_and_names_the_resource(tmp_path, conn, state_dir):
    first = run(tmp_path, conn, state_dir, template("a"))
    record = LocalBackend(state_dir).load("st")
    for check_mode in (True, False):
        with pytest.raises(Exception) as err:
            run(tmp_path, conn, state_dir, template("b"), restrict("bar", "update"), check_mode=check_mode)
        assert "resources.bar: update is restricted for resource" in str(err.value)
        assert "other" not in str(err.value)
    # nothing changed: the record (and so the resources) are as after the first run
    assert LocalBackend(state_dir).load("st")["resources"] == record["resources"]
    # the same change without the restriction goes through and keeps the ids
    again = run(tmp_path, conn, state_dir, template("b"))
    assert again.error is None
    assert again["resources"]["bar"]["physical_id"] == first["resources"]["bar"]["physical_id"]


def test_restricted_replace_by_glob_pattern_while_update_stays_allowed(tmp_path, conn, state_dir):
    run(tmp_path, conn, state_dir, template("a"))
    upd = run(tmp_path, conn, state_dir, template("b"), restrict("*ar", "replace"))
    assert upd.error is None and {p["resource"]: p["action"] for p in upd["plan"]}["bar"] == "update"
    with pytest.raises(Exception) as err:
        run(tmp_path, conn, state_dir, template("b", replace_value="r2"), restrict("*ar", "replace"))
    assert "resources.bar: replace is restricted for resource" in str(err.value)
    assert type(err.value).kind == "ResourceActionRestricted"


def test_unknown_restricted_action_is_a_clear_environment_error(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(template("a")))
    env_path = tmp_path / "env.yaml"
    env_path.write_text(yaml.safe_dump(restrict("bar", ["delete"])))
    with pytest.raises(TemplateError) as err:
        load_stack(str(path), environment_files=[str(env_path)], stack_name="st")
    assert "resource_registry.resources.bar.restricted_actions" in str(err.value)
    assert "'delete' is not a restricted action" in str(err.value)
