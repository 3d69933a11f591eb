"""Tests of the module bridge: argument spec, connection from auth options, secrets, error mapping.

Modules are driven the way Ansible drives them: arguments through ``ANSIBLE_MODULE_ARGS``, the
result read back as the JSON the module prints. Connections are real openstacksdk
``Connection`` objects built from real ``clouds.yaml`` files (no API call is made).
"""

from __future__ import annotations

import json
import os

import pytest
import yaml
from ansible.module_utils import basic

from ansible_collections.heatlike.cloud.plugins.doc_fragments.openstack import ModuleDocFragment
from ansible_collections.heatlike.cloud.plugins.module_utils import ansible_adapter
from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import (
    CONNECTION_OPTIONS,
    HeatlikeModule,
    connect,
    connection_identifiers,
    one_line,
    openstack_argument_spec,
    secret_strings,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import ParameterError, TemplateError

import keystoneauth1.exceptions as ksa
import openstack.exceptions as sdk_exceptions

CLOUDS_YAML = {
    "clouds": {
        "hl-unit-admin": {
            "auth": {
                "auth_url": "http://127.0.0.1:5999/v3",
                "username": "hl-unit-user",
                "password": "s3cr3t-Pa55",
                "project_name": "hl-unit-project",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": "HlUnitRegion",
            "interface": "internal",
            "identity_api_version": 3,
        },
        "hl-unit-other": {
            "auth": {
                "auth_url": "http://127.0.0.1:5998/v3",
                "username": "other",
                "password": "other-pw",
                "project_name": "other-project",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": "OtherRegion",
        },
        "hl-unit-multi": {
            "auth": {
                "auth_url": "http://127.0.0.1:5996/v3",
                "username": "multi",
                "password": "multi-pw",
                "project_name": "multi-project",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "regions": ["RegionOne", "RegionTwo"],
        },
    }
}


@pytest.fixture(autouse=True)
def clean_os_env(monkeypatch, tmp_path):
    """No OS_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def clouds_yaml(tmp_path, monkeypatch):
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(CLOUDS_YAML))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


def set_module_args(monkeypatch, args: dict) -> None:
    """Hand ``args`` to the next AnsibleModule exactly as Ansible does (JSON on the wire)."""
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")


def run_module(monkeypatch, capsys, args: dict, func, *, spec: dict | None = None, **kwargs) -> dict:
    """Build a HeatlikeModule with ``args``, run ``func`` and return the printed JSON result."""
    set_module_args(monkeypatch, args)
    module = HeatlikeModule(argument_spec=spec or {}, **kwargs)
    with pytest.raises(SystemExit):
        module.run(func)
    out = capsys.readouterr().out
    return json.loads(out)


# ---------------------------------------------------------------- argument spec and doc fragment


def test_argument_spec_has_every_openstack_cloud_connection_option():
    spec = openstack_argument_spec()
    assert set(spec) == set(CONNECTION_OPTIONS)
    assert spec["cloud"]["type"] == "raw" and spec["cloud"]["no_log"] is True
    assert spec["auth"]["type"] == "dict" and spec["auth"]["no_log"] is True


def test_argument_spec_matches_doc_fragment_names_types_aliases_defaults_and_choices():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = openstack_argument_spec()
    assert set(documented) == set(spec)
    for name, doc in documented.items():
        opt = spec[name]
        descriptions = doc["description"] if isinstance(doc["description"], list) else [doc["description"]]
        assert all(isinstance(line, str) for line in descriptions), name
        assert doc["type"] == opt["type"], name
        assert doc.get("aliases", []) == opt.get("aliases", []), name
        assert doc.get("default") == opt.get("default"), name
        assert doc.get("choices") == opt.get("choices"), name


def test_argument_spec_adds_module_options_and_refuses_to_redefine_connection_options():
    spec = openstack_argument_spec(template={"type": "path", "required": True})
    assert spec["template"] == {"type": "path", "required": True}
    with pytest.raises(ValueError, match="region_name"):
        openstack_argument_spec(region_name={"type": "int"})


def test_argument_spec_leaves_wait_and_timeout_to_the_modules_that_wait():
    """openstack.cloud's wait/timeout: a module that cannot honour them must not accept them."""
    spec = openstack_argument_spec()
    assert "wait" not in spec and "timeout" not in spec
    assert openstack_argument_spec(timeout={"type": "int"})["timeout"] == {"type": "int"}


def test_defaults_match_openstack_cloud(monkeypatch, capsys):
    result = run_module(monkeypatch, capsys, {}, lambda m: {"params": {k: m.params[k] for k in CONNECTION_OPTIONS}})
    params = result["params"]
    assert params["interface"] == "public"
    assert params["sdk_log_level"] == "INFO"
    assert params["validate_certs"] is None


def test_aliases_are_accepted(monkeypatch, capsys):
    args = {"verify": False, "cacert": "/tmp/ca.pem", "endpoint_type": "internal", "key": "/tmp/k.pem"}
    result = run_module(monkeypatch, capsys, args, lambda m: {"p": {k: m.params[k] for k in CONNECTION_OPTIONS}})
    assert result["p"]["validate_certs"] is False
    assert result["p"]["ca_cert"] == "/tmp/ca.pem"
    assert result["p"]["interface"] == "internal"
    assert result["p"]["client_key"] == "/tmp/k.pem"


def test_module_without_openstack_options_has_only_its_own(monkeypatch, capsys):
    set_module_args(monkeypatch, {"name": "x"})
    module = HeatlikeModule(argument_spec={"name": {"type": "str"}}, openstack_options=False)
    assert "cloud" not in module.params
    assert module.params["name"] == "x"


# ---------------------------------------------------------------- secrets


def test_secret_strings_walks_structures_and_skips_bools_none_and_empty():
    found = secret_strings({"a": ["pw1", {"b": "pw2"}], "n": 1234, "t": True, "z": None, "e": ""})
    assert found == {"pw1", "pw2", "1234"}


def test_cloud_name_and_auth_identifiers_are_not_secrets_but_passwords_are():
    params = {
        "cloud": "devcloud",
        "auth": {"username": "demo", "password": "pw", "project_name": "demo-project", "token": "tok"},
    }
    assert connection_identifiers(params) == {"devcloud", "demo", "demo-project"}


def test_identifier_equal_to_a_secret_stays_secret():
    params = {"auth": {"username": "same", "password": "same", "project_name": "p"}}
    assert connection_identifiers(params) == {"p"}


def test_cloud_dict_identifiers_are_found_inside_its_auth():
    params = {"cloud": {"auth": {"auth_url": "http://x:5000/v3", "application_credential_secret": "sec"}}}
    assert connection_identifiers(params) == {"http://x:5000/v3"}


def test_add_secret_masks_values_everywhere_in_the_result(monkeypatch, capsys):
    def body(module):
        module.add_secret(["hunter2-hidden", {"nested": "other-hidden"}])
        return {"outputs": {"password": "hunter2-hidden", "url": "http://u:other-hidden@h"}, "keep": "visible"}

    result = run_module(monkeypatch, capsys, {}, body)
    text = json.dumps(result)
    assert "hunter2-hidden" not in text
    assert "other-hidden" not in text
    assert result["keep"] == "visible"


def test_auth_password_never_appears_but_project_name_does(monkeypatch, capsys):
    args = {"auth": {"auth_url": "http://127.0.0.1:5999/v3", "username": "alice", "password": "Sup3r-secret"}}

    def body(module):
        return {"echo": "user alice uses Sup3r-secret", "auth_seen": module.params["auth"]}

    result = run_module(monkeypatch, capsys, args, body)
    text = json.dumps(result)
    assert "Sup3r-secret" not in text
    assert "user alice uses ********" == result["echo"]


def test_cloud_name_is_not_masked_in_other_strings(monkeypatch, capsys):
    result = run_module(monkeypatch, capsys, {"cloud": "admin"}, lambda m: {"roles": ["admin", "member"]})
    assert result["roles"] == ["admin", "member"]


def test_secret_in_an_error_message_is_masked(monkeypatch, capsys):
    def body(module):
        module.add_secret("t0ps3cret")
        raise ParameterError("value t0ps3cret does not match pattern", file="t.yaml", path="parameters.pw")

    result = run_module(monkeypatch, capsys, {}, body)
    assert result["failed"] is True
    assert "t0ps3cret" not in json.dumps(result)


# ---------------------------------------------------------------- error mapping


def test_success_result_defaults_changed_to_false(monkeypatch, capsys):
    result = run_module(monkeypatch, capsys, {}, lambda m: {"answer": 42})
    assert result["answer"] == 42
    assert result["changed"] is False
    assert "failed" not in result


def test_engine_error_becomes_one_line_fail_json_without_traceback(monkeypatch, capsys):
    def body(module):
        raise TemplateError("list_join: items must be strings,\nnot 3", file="t.yaml", path="outputs.o.value")

    result = run_module(monkeypatch, capsys, {}, body)
    assert result["failed"] is True
    assert result["msg"] == "t.yaml: outputs.o.value: list_join: items must be strings, not 3"
    assert result["error_type"] == "TemplateError"
    assert "exception" not in result


def test_subclass_execute_is_run(monkeypatch, capsys):
    class Echo(HeatlikeModule):
        def execute(self):
            return {"changed": True, "name": self.params["name"]}

    set_module_args(monkeypatch, {"name": "n1"})
    with pytest.raises(SystemExit):
        Echo(argument_spec={"name": {"type": "str", "required": True}}).run()
    result = json.loads(capsys.readouterr().out)
    assert result == {"changed": True, "name": "n1", "invocation": result["invocation"]}


def test_http_error_becomes_one_line_message_with_status(monkeypatch, capsys):
    def body(module):
        raise sdk_exceptions.ConflictException(message="Quota exceeded\nfor ports", details="limit 50")

    result = run_module(monkeypatch, capsys, {}, body)
    assert result["failed"] is True
    assert result["msg"].startswith("OpenStack API error")
    assert "\n" not in result["msg"]
    assert "Quota exceeded for ports" in result["msg"]
    assert "exception" not in result


def test_unknown_cloud_is_a_clean_configuration_error(monkeypatch, capsys, clouds_yaml):
    result = run_module(monkeypatch, capsys, {"cloud": "no-such-cloud"}, lambda m: {"c": m.connection() and 1})
    assert result["failed"] is True
    assert result["msg"].startswith("OpenStack configuration error:")
    assert "no-such-cloud" in result["msg"]
    assert "exception" not in result


def test_keystoneauth_error_is_mapped(monkeypatch, capsys):

    def body(module):
        raise ksa.ConnectFailure("Unable to establish connection to http://127.0.0.1:1/v3")

    result = run_module(monkeypatch, capsys, {}, body)
    assert result["msg"] == "OpenStack error: ConnectFailure: Unable to establish connection to http://127.0.0.1:1/v3"


def test_unexpected_error_is_one_line_and_traceback_stays_out_of_msg(monkeypatch, capsys):
    def body(module):
        raise KeyError("boom")

    result = run_module(monkeypatch, capsys, {}, body)
    assert result["failed"] is True
    assert result["msg"] == "unexpected error (please report it): KeyError: 'boom'"
    # ansible-core 2.19 adds the traceback only when the user enables error tracebacks
    assert "Traceback" in result.get("exception", "Traceback")


def test_missing_openstacksdk_fails_with_install_hint(monkeypatch, capsys):
    monkeypatch.setattr(ansible_adapter, "HAS_OPENSTACKSDK", False)
    result = run_module(monkeypatch, capsys, {}, lambda m: {"c": m.connection()})
    assert result["failed"] is True
    assert "openstacksdk" in result["msg"]


def test_one_line_collapses_whitespace():
    assert one_line("a\n  b\tc\n") == "a b c"


# ---------------------------------------------------------------- connection


def test_connect_uses_named_cloud_from_os_client_config_file(clouds_yaml):
    conn = connect({"cloud": "hl-unit-admin", "interface": "public"})
    assert conn.config.config["auth"]["auth_url"] == "http://127.0.0.1:5999/v3"
    assert conn.config.get_region_name() == "HlUnitRegion"
    assert conn.config.config["interface"] == "public"


def test_connect_honours_os_cloud(clouds_yaml, monkeypatch):
    monkeypatch.setenv("OS_CLOUD", "hl-unit-other")
    conn = connect({"interface": "public"})
    assert conn.config.config["auth"]["auth_url"] == "http://127.0.0.1:5998/v3"
    assert conn.config.get_region_name() == "OtherRegion"


def test_explicit_options_override_the_cloud_entry(clouds_yaml):
    params = {
        "cloud": "hl-unit-multi",
        "region_name": "RegionTwo",
        "interface": "admin",
        "validate_certs": False,
        "api_timeout": 7,
        "auth": {"project_name": "override-project"},
    }
    conn = connect(params)
    cfg = conn.config.config
    assert cfg["auth"]["auth_url"] == "http://127.0.0.1:5996/v3"
    assert conn.config.get_region_name() == "RegionTwo"
    assert cfg["interface"] == "admin"
    assert cfg["verify"] is False
    assert float(cfg["api_timeout"]) == 7
    assert cfg["auth"]["project_name"] == "override-project"


def test_cloud_dict_is_a_whole_cloud_entry():
    cloud = {
        "auth": {
            "auth_url": "http://127.0.0.1:5997/v3",
            "username": "u",
            "password": "p",
            "project_name": "pr",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": "DictRegion",
    }
    conn = connect({"cloud": cloud, "interface": "public"})
    assert conn.config.config["auth"]["auth_url"] == "http://127.0.0.1:5997/v3"
    assert conn.config.get_region_name() == "DictRegion"


def test_module_connection_is_opened_once_and_reused(monkeypatch, capsys, clouds_yaml):
    def body(module):
        first = module.connection()
        second = module.connection()
        return {"same": first is second, "region": first.config.get_region_name()}

    result = run_module(monkeypatch, capsys, {"cloud": "hl-unit-admin"}, body)
    assert result == {"same": True, "region": "HlUnitRegion", "changed": False, "invocation": result["invocation"]}


def test_sdk_log_path_writes_a_log_file(clouds_yaml, tmp_path):
    log = tmp_path / "sdk.log"
    connect({"cloud": "hl-unit-admin", "interface": "public", "sdk_log_path": str(log), "sdk_log_level": "DEBUG"})
    assert log.exists()


# ---------------------------------------------------------------- trust-scoped connections


class _FakeSession:
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.calls = 0
        self.auth = self

    def get_access(self, session):
        self.calls += 1
        if self.error is not None:
            raise self.error
        return object()


class _FakeConnection:
    def __init__(self, auth: dict, error: Exception | None = None) -> None:
        self.session = _FakeSession(error)
        self.config = type("Config", (), {"config": {"auth": auth}})()
        self.closed = False

    def close(self) -> None:
        self.closed = True


def _trust_unauthorized() -> Exception:
    return ksa.Unauthorized("The request you have made requires authentication. (HTTP 401)", http_status=401)


def test_a_dead_trust_fails_any_module_with_one_clear_line(monkeypatch, capsys):
    trust_id = "7" * 32
    conn = _FakeConnection({"username": "alt", "password": "alt-Pa55-word", "trust_id": trust_id},
                           _trust_unauthorized())
    monkeypatch.setattr(ansible_adapter, "connect", lambda params: conn)
    args = {"auth": {"auth_url": "http://127.0.0.1:5999/v3", "username": "alt", "password": "alt-Pa55-word",
                     "user_domain_name": "Default", "trust_id": trust_id}}
    result = run_module(monkeypatch, capsys, args, lambda module: {"never": module.connection()})
    assert result["failed"] is True
    assert result["msg"].startswith(f"authentication with trust {trust_id} failed: the trust was deleted,")
    assert "\n" not in result["msg"] and "Traceback" not in result["msg"]
    assert "alt-Pa55-word" not in json.dumps(result)
    assert result["error_type"] == "CloudError"
    assert conn.closed and conn.session.calls == 1


def test_a_live_trust_authenticates_once_and_the_connection_is_reused(monkeypatch, capsys):
    conn = _FakeConnection({"username": "alt", "trust_id": "8" * 32})
    monkeypatch.setattr(ansible_adapter, "connect", lambda params: conn)

    def body(module):
        return {"same": module.connection() is module.connection()}

    result = run_module(monkeypatch, capsys, {"cloud": "hl-unit-trustee"}, body)
    assert result["same"] is True and conn.session.calls == 1


def test_without_trust_id_the_connection_is_not_authenticated_eagerly(monkeypatch, capsys):
    conn = _FakeConnection({"username": "demo", "project_name": "demo"}, _trust_unauthorized())
    monkeypatch.setattr(ansible_adapter, "connect", lambda params: conn)
    result = run_module(monkeypatch, capsys, {"cloud": "hl-unit-admin"}, lambda module: {"ok": bool(module.connection())})
    assert result["ok"] is True and conn.session.calls == 0


@pytest.mark.parametrize("diff", [True, False])
def test_with_diff_keeps_the_diff_only_in_diff_mode(monkeypatch, capsys, diff):
    result = run_module(monkeypatch, capsys, {"_ansible_diff": diff},
                        lambda m: m.with_diff({"changed": True, "diff": {"before": "a", "after": "b"}}))
    assert result["changed"] is True
    assert ("diff" in result) is diff


def test_authenticate_authenticates_the_module_connection(monkeypatch, capsys):
    conn = object()
    seen = []
    monkeypatch.setattr(ansible_adapter, "authenticate", lambda c: seen.append(c) or "access")

    def body(module):
        module._connection = conn
        return {"access": module.authenticate()}

    result = run_module(monkeypatch, capsys, {}, body)
    assert result["access"] == "access"
    assert seen == [conn]
