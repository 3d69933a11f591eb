"""scripts/integration counts a skipped target as failed (issue 10: skipped = failed).

Each test runs the real script from a throwaway copy of the collection (galaxy.yml, meta/,
scripts/integration and dummy targets) with an empty clouds.yaml: ansible-test decides to skip
a target before anything touches a cloud, and the dummy targets never talk to one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent  # the virtualenv the tests run in has ansible-test


def _target(root: Path, name: str, aliases: str, *, tasks: str | None = None, runme: str | None = None) -> None:
    target = root / "tests" / "integration" / "targets" / name
    target.mkdir(parents=True)
    (target / "aliases").write_text(aliases)
    if tasks is not None:
        (target / "tasks").mkdir()
        (target / "tasks" / "main.yml").write_text(tasks)
    if runme is not None:
        (target / "runme.sh").write_text(runme)
        (target / "runme.sh").chmod(0o755)


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    assert (VENV / "bin" / "ansible-test").exists(), f"no ansible-test in {VENV} (scripts/bootstrap installs it)"
    root = tmp_path / "cloud"
    (root / "scripts").mkdir(parents=True)
    (root / "meta").mkdir()
    shutil.copy(REPO / "scripts" / "integration", root / "scripts" / "integration")
    shutil.copy(REPO / "galaxy.yml", root / "galaxy.yml")
    shutil.copy(REPO / "meta" / "runtime.yml", root / "meta" / "runtime.yml")
    (root / ".venv").symlink_to(VENV)
    return root


def _integration(root: Path, *targets: str, runner: str | None = None) -> subprocess.CompletedProcess:
    clouds = root.parent / "clouds.yaml"
    clouds.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEATLIKE_", "ANSIBLE_"))}
    env.update(OS_CLIENT_CONFIG_FILE=str(clouds), HOME=str(root.parent))
    if runner:
        env["HEATLIKE_INTEGRATION_RUNNER"] = runner
    return subprocess.run([str(root / "scripts" / "integration"), *targets], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_a_target_ansible_test_skips_fails_the_run(collection: Path) -> None:
    _target(collection, "dummy_disabled", "disabled\ncontext/controller\n",
            tasks="- ansible.builtin.fail:\n    msg: a disabled target must not run\n")
    proc = _integration(collection)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "=== dummy_disabled: FAILED" in out and "All targets skipped" in out, out
    assert "integration: 0 passed, 1 failed" in out, out


def test_a_target_ansible_test_runs_still_passes(collection: Path) -> None:
    _target(collection, "dummy_ok", "context/controller\n", tasks="- ansible.builtin.debug:\n    msg: ran\n")
    proc = _integration(collection, "dummy_ok")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "=== dummy_ok: passed" in out, out


def test_the_playbook_runner_fails_runme_targets_by_name(collection: Path) -> None:
    # one script-only target and one with both tasks/ and runme.sh: neither may be dropped or run in part
    _target(collection, "dummy_script", "context/controller\n", runme="#!/bin/sh\nexit 0\n")
    _target(collection, "dummy_both", "context/controller\n", tasks="- ansible.builtin.debug:\n    msg: ran\n",
            runme="#!/bin/sh\nexit 0\n")
    proc = _integration(collection, runner="playbook")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "integration: targets: dummy_both dummy_script" in out, out
    for name in ("dummy_script", "dummy_both"):
        assert f"=== {name}: FAILED" in out and "runme.sh target" in out, out
    assert "failed targets: dummy_both dummy_script" in out, out
