"""The collection skeleton: metadata files agree with each other and with what Ansible does.

The playbook tests run the real ``ansible-playbook`` of the test virtualenv against the
collection through a temporary collections path (no cloud needed).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONNECTION_OPTIONS = (
    "cloud",
    "auth",
    "auth_type",
    "region_name",
    "interface",
    "validate_certs",
    "ca_cert",
    "client_cert",
    "client_key",
    "api_timeout",
    "sdk_log_path",
    "sdk_log_level",
)
MODULES_DIR = ROOT / "plugins" / "modules"
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")

#: every module design.md lists; the action group names them before they land
DESIGNED_MODULES = {
    "os_heatlike_stack",
    "os_heatlike_stack_info",
    "os_heatlike_template_info",
    "os_heatlike_alarm",
    "os_heatlike_alarm_info",
    "os_heatlike_trust",
    "os_heatlike_trust_info",
    "os_heatlike_alarm_migrate",
}


def load_yaml(relative: str):
    return yaml.safe_load((ROOT / relative).read_text())


def existing_modules() -> set[str]:
    return {p.stem for p in MODULES_DIR.glob("*.py") if p.stem != "__init__"}


def test_galaxy_metadata_names_the_collection_and_its_licence():
    galaxy = load_yaml("galaxy.yml")
    assert (galaxy["namespace"], galaxy["name"]) == ("heatlike", "cloud")
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert "GNU GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text()[:200]
    assert (ROOT / galaxy["readme"]).is_file()


def test_runtime_requires_ansible_and_extends_openstack_cloud_group():
    runtime = load_yaml("meta/runtime.yml")
    assert runtime["requires_ansible"].startswith(">=2.1")
    group = runtime["action_groups"]["openstack"]
    metadata = [entry["metadata"] for entry in group if isinstance(entry, dict)]
    assert metadata == [{"extend_group": ["openstack.cloud.openstack"]}]


def test_action_group_lists_every_module_of_the_collection():
    group = {e for e in load_yaml("meta/runtime.yml")["action_groups"]["openstack"] if isinstance(e, str)}
    assert group == DESIGNED_MODULES
    assert existing_modules() <= group, "a module in plugins/modules is missing from the action group"


def documented_options(module: str, collections: Path) -> set[str]:
    ansible_doc = Path(sys.executable).with_name("ansible-doc")
    assert ansible_doc.exists(), f"{ansible_doc} is missing (scripts/bootstrap installs ansible-core)"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections))
    proc = subprocess.run(
        [str(ansible_doc), "-t", "module", "--json", f"heatlike.cloud.{module}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"ansible-doc cannot render {module}: {proc.stderr.strip()[:500]}"
    return set(json.loads(proc.stdout)[f"heatlike.cloud.{module}"]["doc"]["options"])


@pytest.mark.parametrize("module", sorted(existing_modules() & DESIGNED_MODULES))
def test_every_module_of_the_group_takes_the_connection_options(module, collections_path):
    """module_defaults for group/heatlike.cloud.openstack hands these options to every member;
    a member without them fails with "Unsupported parameters"."""
    options = documented_options(module, collections_path)
    missing = set(CONNECTION_OPTIONS) - options
    assert not missing, f"{module} lacks connection options {sorted(missing)}"


#: openstack.cloud's wait options: only a module that waits for something may take them
WAIT_OPTIONS = {"wait", "timeout"}
WAITING_MODULES = {"os_heatlike_stack"}


@pytest.mark.parametrize("module", sorted(existing_modules() & DESIGNED_MODULES))
def test_only_a_module_that_waits_documents_wait_and_timeout(module, collections_path):
    """A documented option no code reads is a lie: wait/timeout only where the module waits."""
    options = documented_options(module, collections_path)
    if module in WAITING_MODULES:
        assert WAIT_OPTIONS <= options
    else:
        assert not WAIT_OPTIONS & options, f"{module} documents {sorted(WAIT_OPTIONS & options)} but never waits"


def test_readme_lists_exactly_the_connection_options():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("Every module takes the same connection options as `openstack.cloud`")
    listed = set(re.findall(r"`([a-z_]+)`", readme[start:readme.index(").", start)]))
    assert listed == set(CONNECTION_OPTIONS)


def test_readme_opens_with_the_two_commands():
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.strip()]
    assert lines[0] == "# heatlike.cloud"
    assert lines[1] == "```sh"
    assert lines[2].startswith("./scripts/main-job")
    assert lines[3].startswith("./scripts/test")
    assert lines[4] == "```"


def test_ci_runs_exactly_the_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line for line in ci if line.strip() and not line.startswith("#")]
    assert commands[-1] == "exec ./scripts/test"
    for script in (".ci/run", "scripts/test", "scripts/main-job", "scripts/bootstrap"):
        assert os.access(ROOT / script, os.X_OK), script


def test_execution_environment_points_at_existing_dependency_files():
    ee = load_yaml("meta/execution-environment.yml")
    for key in ("python", "system"):
        assert (ROOT / ee["dependencies"][key]).is_file()
    requirements = (ROOT / "requirements.txt").read_text()
    assert "openstacksdk" in requirements


def test_dev_requirements_pin_ansible_core_2_19():
    pins = [line for line in (ROOT / "requirements-dev.txt").read_text().splitlines() if line.startswith("ansible-core")]
    assert len(pins) == 1 and pins[0].startswith("ansible-core==2.19.")


def test_no_sanity_ignore_entries():
    for ignore in (ROOT / "tests" / "sanity").glob("ignore-*.txt"):
        assert not ignore.read_text().strip(), f"{ignore.name} has entries"


# ---------------------------------------------------------------- real ansible-playbook runs

ECHO_MODULE = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule

def main():
    module = AnsibleModule(argument_spec=dict(region_name=dict(type="str"), cloud=dict(type="raw")))
    module.exit_json(changed=False, region_name=module.params["region_name"], cloud=module.params["cloud"])

if __name__ == "__main__":
    main()
'''


@pytest.fixture
def collections_path(tmp_path: Path) -> Path:
    """A collections path holding this collection and a minimal stand-in openstack.cloud.

    The stand-in has only what matters here: an action group ``openstack`` with one module
    that echoes its connection options.
    """
    root = tmp_path / "collections" / "ansible_collections"
    (root / "heatlike").mkdir(parents=True)
    (root / "heatlike" / "cloud").symlink_to(ROOT)
    other = root / "openstack" / "cloud"
    (other / "meta").mkdir(parents=True)
    (other / "plugins" / "modules").mkdir(parents=True)
    (other / "meta" / "runtime.yml").write_text(
        yaml.safe_dump({"requires_ansible": ">=2.16.0", "action_groups": {"openstack": ["echo_args"]}})
    )
    (other / "plugins" / "modules" / "echo_args.py").write_text(ECHO_MODULE)
    return tmp_path / "collections"


def run_playbook(collections: Path, tmp_path: Path, tasks: list) -> dict:
    """Run ``tasks`` (each registered, errors ignored) and return their results by task name."""
    assert ANSIBLE_PLAYBOOK.exists(), f"{ANSIBLE_PLAYBOOK} is missing (scripts/bootstrap installs ansible-core)"
    out = tmp_path / "results.json"
    registered = []
    for index, task in enumerate(tasks):
        registered.append(dict(task, register=f"result_{index}", ignore_errors=True))
    summary = "{" + ", ".join(f"{json.dumps(t['name'])}: result_{i}" for i, t in enumerate(tasks)) + "}"
    registered.append(
        {"name": "save", "ansible.builtin.copy": {"content": "{{ " + summary + " | to_json }}", "dest": str(out)}}
    )
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/heatlike.cloud.openstack": {"region_name": "RegionFromGroup"}},
            "tasks": registered,
        }
    ]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
    )
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-c", "local", "-i", "localhost,", str(playbook)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or not out.exists():
        pytest.fail(f"ansible-playbook failed (rc {proc.returncode}): {proc.stdout[-3000:]} {proc.stderr[-2000:]}")
    return json.loads(out.read_text())


def test_our_group_defaults_reach_openstack_cloud_modules(collections_path, tmp_path):
    results = run_playbook(collections_path, tmp_path, [{"name": "echo", "openstack.cloud.echo_args": {}}])
    assert results["echo"]["region_name"] == "RegionFromGroup"


def test_our_group_defaults_reach_our_modules_and_config_errors_are_one_line(collections_path, tmp_path, monkeypatch):
    # the group's region_name is not among the cloud's regions: openstacksdk refuses it
    # before any API call, and the message proves the default reached our module
    clouds = tmp_path / "clouds.yaml"
    cloud = {
        "auth": {"auth_url": "http://127.0.0.1:9/v3", "username": "u", "password": "layout-pw", "project_name": "p"},
        "regions": ["RegionOne"],
    }
    clouds.write_text(yaml.safe_dump({"clouds": {"hl-layout-cloud": cloud}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    task = {"name": "trusts", "heatlike.cloud.os_heatlike_trust_info": {"cloud": "hl-layout-cloud"}}
    result = run_playbook(collections_path, tmp_path, [task])["trusts"]
    assert result["failed"] is True
    assert result["msg"].startswith("OpenStack configuration error: ")
    assert "RegionFromGroup" in result["msg"]
    assert "hl-layout-cloud" in result["msg"]
    assert "\n" not in result["msg"]
    assert "layout-pw" not in json.dumps(result)
