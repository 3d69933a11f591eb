"""Bad input gives a clear one-line error naming file and location, never a traceback.

Each case is checked twice: through the engine (``stack.load_stack``) and through the
``heatlike.cloud.os_heatlike_template_info`` module (its ``main()`` run in a child process
with patched module arguments, plus a few cases through the real ``ansible`` command line).
The dangerous inputs (50,000-deep nesting, the YAML alias bomb) run in a child process with
an address-space limit, so a crash or a memory blow-up fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common import errors
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import model, stack
from ansible_collections.heatlike.cloud.plugins.modules import os_heatlike_template_info

REPO = Path(__file__).resolve().parents[2]
MODULE = os_heatlike_template_info.__name__
HEADER = "heat_template_version: 2018-08-31\n"
MEMORY_LIMIT = 2 * 1024 ** 3  # address space of the child processes (bytes)
BOMB_PEAK_LIMIT_MB = 64.0  # Python allocations while rejecting the alias bomb


@dataclass
class Case:
    """One bad input: how to build it and what its error must say."""

    id: str
    build: Callable[[Path], Path]  # writes the files under tmp dir, returns the template path
    errors: tuple[str, ...]  # acceptable HeatlikeError subclasses
    patterns: tuple[str, ...]  # regexes the message must match (besides the file name)
    file: str | None = None  # base name the message must contain (default: the template's)
    parameters: dict[str, Any] = field(default_factory=dict)
    forbidden: tuple[str, ...] = ()  # strings that must NOT appear (secrets, file contents)
    environment: tuple[str, ...] = ()  # environment files, relative to the template's directory
    isolated: bool = False  # run load_stack in a child process (crash/memory guard)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _invalid_yaml(d: Path) -> Path:
    return _write(d / "broken.yaml", HEADER + "resources:\n  r: {type: OS::Heat::None\n  s: [1, 2\n")


def _deep_nesting(d: Path) -> Path:
    depth = 50_000
    text = HEADER + "resources:\n  r:\n    type: OS::Heat::None\n    properties:\n      deep: " + "[" * depth + "]" * depth + "\n"
    assert 100_000 <= len(text) < 110_000
    return _write(d / "deep.yaml", text)


def _deep_json(d: Path) -> Path:
    depth = 50_000
    text = ('{"heat_template_version": "2018-08-31", "resources": {"r": {"type": "OS::Heat::None", '
            '"properties": {"deep": ' + "[" * depth + "]" * depth + "}}}}\n")
    return _write(d / "deep.json", text)


def alias_bomb_text() -> str:
    """A ~340-byte template whose aliases expand to 9**7 (4.8 million) leaves."""
    body = " a: &a [x,x,x,x,x,x,x,x,x]\n"
    prev = "a"
    for name in "bcdefg":
        body += f" {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    text = HEADER + "resources:\n r:\n  type: OS::Heat::None\n  properties:\n" + textwrap.indent(body, "  ")
    assert len(text) < 360
    return text


def _alias_bomb(d: Path) -> Path:
    return _write(d / "bomb.yaml", alias_bomb_text())


def _too_big(d: Path) -> Path:
    text = HEADER + "description: " + "x" * 524_288 + "\nresources: {}\n"
    return _write(d / "huge.yaml", text)


def _list_join_items_number(d: Path) -> Path:
    return _write(d / "join.yaml", HEADER + textwrap.dedent("""\
        resources:
          joiner:
            type: OS::Neutron::Net
            properties:
              name: {list_join: [",", ["a", 5]]}
        """))


def _list_join_of_number(d: Path) -> Path:
    return _write(d / "join2.yaml", HEADER + textwrap.dedent("""\
        resources:
          joiner:
            type: OS::Neutron::Net
            properties:
              name: {list_join: [",", 5]}
        """))


def _unknown_section(d: Path) -> Path:
    return _write(d / "section.yaml", HEADER + "resources: {}\nbogus_section: {a: 1}\n")


def _missing_parameter(d: Path) -> Path:
    return _write(d / "params.yaml", HEADER + textwrap.dedent("""\
        parameters:
          flavor_name: {type: string}
        resources:
          box:
            type: OS::Heat::None
            properties:
              flavor: {get_param: flavor_name}
        """))


def _constraint(d: Path) -> Path:
    return _write(d / "constraint.yaml", HEADER + textwrap.dedent("""\
        parameters:
          server_count:
            type: number
            default: 1
            constraints:
              - range: {min: 1, max: 5}
        resources: {}
        """))


def _hidden_constraint(d: Path) -> Path:
    return _write(d / "hidden.yaml", HEADER + textwrap.dedent("""\
        parameters:
          db_password:
            type: string
            hidden: true
            constraints:
              - length: {min: 20}
        resources: {}
        """))


def _cycle(d: Path) -> Path:
    return _write(d / "cycle.yaml", HEADER + textwrap.dedent("""\
        resources:
          alpha: {type: OS::Heat::None, depends_on: [gamma]}
          beta: {type: OS::Heat::None, depends_on: [alpha]}
          gamma: {type: OS::Heat::None, properties: {x: {get_resource: beta}}}
          outsider: {type: OS::Heat::None}
        """))


def _get_file(target: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        _write(d / "inside.txt", "harmless\n")
        return _write(d / "tpl" / "getfile.yaml", HEADER + textwrap.dedent(f"""\
            resources:
              cfg:
                type: OS::Heat::SoftwareConfig
                properties:
                  group: script
                  config: {{get_file: "{target}"}}
            """))
    return build


def _symlink_dir(d: Path) -> Path:
    path = _get_file("etc_link/passwd")(d)
    os.symlink("/etc", path.parent / "etc_link")
    return path


def _symlink_file(d: Path) -> Path:
    path = _get_file("script.sh")(d)
    os.symlink("/etc/passwd", path.parent / "script.sh")
    return path


def _outside_template(d: Path) -> Path:
    return _write(d / "outside" / "evil.yaml", HEADER + "resources:\n  leaf: {type: OS::Heat::None}\n")


def _provider_dotdot(d: Path) -> Path:
    _outside_template(d)
    return _write(d / "root" / "provider.yaml", HEADER + "resources:\n  child: {type: ../outside/evil.yaml}\n")


def _provider_symlink(d: Path) -> Path:
    os.symlink(_outside_template(d), _write(d / "root" / "provider.yaml",
                                            HEADER + "resources:\n  child: {type: link.yaml}\n").parent / "link.yaml")
    return d / "root" / "provider.yaml"


def _registry_dotdot(d: Path) -> Path:
    _outside_template(d)
    _write(d / "root" / "env.yaml", "resource_registry:\n  My::Evil: ../outside/evil.yaml\n")
    return _write(d / "root" / "registry.yaml", HEADER + "resources:\n  child: {type: My::Evil}\n")


def _nested_chain(levels: int) -> Callable[[Path], Path]:
    """level0.yaml -> level1.yaml -> ... -> level<levels>.yaml, each a provider template."""
    def build(d: Path) -> Path:
        for i in range(levels + 1):
            child = (f"  child:\n    type: level{i + 1}.yaml\n" if i < levels
                     else "  leaf:\n    type: OS::Heat::None\n")
            _write(d / f"level{i}.yaml", HEADER + "resources:\n" + child)
        return d / "level0.yaml"
    return build


PASSWD = "root:x:0:0"

CASES = [
    Case("invalid_yaml", _invalid_yaml, ("TemplateError",), (r"line \d+|:\d+:\d+",)),
    Case("nesting_50000_deep", _deep_nesting, ("LimitError", "TemplateError"), (r"(?i)depth|nest", r"line 6\b"),
         isolated=True),
    Case("json_nesting_50000_deep", _deep_json, ("LimitError", "TemplateError"), (r"(?i)depth|nest",), isolated=True),
    Case("alias_bomb", _alias_bomb, ("LimitError", "TemplateError"), (r"(?i)alias|expan",), isolated=True),
    Case("over_size_limit", _too_big, ("LimitError",), (r"524[,_ ]?288",)),
    Case("list_join_item_is_number", _list_join_items_number, ("TemplateError", "PropertyError"),
         (r"resources\.joiner\.properties",)),
    Case("list_join_of_number", _list_join_of_number, ("TemplateError", "PropertyError"),
         (r"resources\.joiner\.properties", r"list_join")),
    Case("unknown_section", _unknown_section, ("TemplateError",), (r"bogus_section",)),
    Case("missing_required_parameter", _missing_parameter, ("ParameterError",), (r"flavor_name",)),
    Case("constraint_violation", _constraint, ("ParameterError",), (r"server_count", r"\b5\b"),
         parameters={"server_count": 9}),
    Case("hidden_constraint_violation", _hidden_constraint, ("ParameterError",), (r"db_password",),
         parameters={"db_password": "Sh0rtS3cret"}, forbidden=("Sh0rtS3cret",)),
    Case("cycle", _cycle, ("CycleError",), (r"(?i)circular|cycle", r"\balpha\b", r"\bbeta\b", r"\bgamma\b")),
    Case("get_file_dotdot", _get_file("../../etc/passwd"), ("FileAccessError",),
         (r"resources\.cfg\.properties", re.escape("../../etc/passwd")), forbidden=(PASSWD,)),
    Case("get_file_file_url", _get_file("file:///etc/passwd"), ("FileAccessError",),
         (r"resources\.cfg\.properties", re.escape("file:///etc/passwd")), forbidden=(PASSWD,)),
    Case("get_file_absolute", _get_file("/etc/passwd"), ("FileAccessError",),
         (r"resources\.cfg\.properties", re.escape("/etc/passwd")), forbidden=(PASSWD,)),
    Case("get_file_symlinked_dir", _symlink_dir, ("FileAccessError",),
         (r"resources\.cfg\.properties", re.escape("etc_link/passwd")), forbidden=(PASSWD,)),
    Case("get_file_symlinked_file", _symlink_file, ("FileAccessError",),
         (r"resources\.cfg\.properties", re.escape("script.sh")), forbidden=(PASSWD,)),
    Case("provider_template_dotdot", _provider_dotdot, ("FileAccessError",),
         (r"resources\.child", re.escape("../outside/evil.yaml"))),
    Case("provider_template_symlink", _provider_symlink, ("FileAccessError",), (r"resources\.child", r"link\.yaml")),
    Case("registry_template_dotdot", _registry_dotdot, ("FileAccessError",),
         (r"resources\.child", re.escape("../outside/evil.yaml")), environment=("env.yaml",)),
    Case("nested_depth_6", _nested_chain(6), ("LimitError",), (r"resources\.child", r"\b5\b"),
         file=r"level\d\.yaml"),
]


def _check_message(case: Case, template: Path, kind: str, msg: str) -> None:
    """The shared assertions: right error kind, one line, names the file and the location."""
    assert kind in case.errors, f"{case.id}: expected {case.errors}, got {kind}: {msg}"
    assert msg and "\n" not in msg, f"{case.id}: not one line: {msg!r}"
    assert "Traceback" not in msg and "unexpected error" not in msg, msg
    if case.file is None:
        assert template.name in msg, f"{case.id}: file {template.name} not named: {msg}"
    else:
        assert re.search(case.file, msg), f"{case.id}: file /{case.file}/ not named: {msg}"
    for pattern in case.patterns:
        assert re.search(pattern, msg), f"{case.id}: /{pattern}/ not in: {msg}"
    for secret in case.forbidden:
        assert secret not in msg, f"{case.id}: leaked {secret!r}: {msg}"


def _child_env() -> dict[str, str]:
    """Environment for child interpreters: the same ``ansible_collections`` tree as this process."""
    env = dict(os.environ)
    # .../<root>/ansible_collections/heatlike/cloud/plugins/module_utils/resolve/stack.py -> <root>
    root = Path(stack.__file__).parents[6]
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in sys.path if p])
    return env


_LOAD_CHILD = textwrap.dedent("""\
    import json, resource, sys, tracemalloc
    resource.setrlimit(resource.RLIMIT_AS, (%d, %d))
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import stack
    from ansible_collections.heatlike.cloud.plugins.module_utils.common import errors
    tracemalloc.start()
    try:
        result = stack.load_stack(sys.argv[1], parameters=json.loads(sys.argv[2]))
        json.dumps(result.to_info(), default=str)
        out = {"kind": None, "msg": "no error"}
    except errors.HeatlikeError as err:
        out = {"kind": type(err).__name__, "msg": str(err)}
    except BaseException as err:
        out = {"kind": "UNEXPECTED " + type(err).__name__, "msg": repr(err)[:500]}
    out["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1048576.0
    print(json.dumps(out))
    """) % (MEMORY_LIMIT, MEMORY_LIMIT)


def _load_in_child(template: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", _LOAD_CHILD, str(template), json.dumps(parameters)],
                          env=_child_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"child died with {proc.returncode}: {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_load_stack_reports_one_clean_line(case: Case, tmp_path: Path) -> None:
    template = case.build(tmp_path)
    if case.isolated:
        out = _load_in_child(template, case.parameters)
        kind, msg = out["kind"] or "no error", out["msg"]
        if case.id == "alias_bomb":
            assert out["peak_mb"] < BOMB_PEAK_LIMIT_MB, f"alias bomb used {out['peak_mb']:.0f} MB"
    else:
        with pytest.raises(errors.HeatlikeError) as info:
            stack.load_stack(str(template), parameters=case.parameters,
                             environment_files=[str(template.parent / e) for e in case.environment])
        kind, msg = type(info.value).__name__, str(info.value)
    _check_message(case, template, kind, msg)


def test_nested_depth_5_is_still_accepted(tmp_path: Path) -> None:
    result = stack.load_stack(str(_nested_chain(5)(tmp_path)))
    assert list(result.resources) == ["child"]
    depth, node = 0, result.resources["child"]
    while node.nested is not None and "child" in node.nested.resources:
        depth, node = depth + 1, node.nested.resources["child"]
    assert depth == 4 and node.nested is not None and "leaf" in node.nested.resources


def test_get_file_inside_the_template_directory_still_works(tmp_path: Path) -> None:
    path = _get_file("script.sh")(tmp_path)
    _write(path.parent / "script.sh", "#!/bin/sh\necho hello\n")
    result = stack.load_stack(str(path))
    assert result.resources["cfg"].properties["config"] == "#!/bin/sh\necho hello\n"


def test_template_just_under_the_size_limit_is_accepted(tmp_path: Path) -> None:
    text = HEADER + "description: x\nresources: {}\n"
    text = text.replace("description: x", "description: " + "x" * (524_288 - len(text) + 1))
    assert len(text.encode()) == 524_288
    assert stack.load_stack(str(_write(tmp_path / "big.yaml", text))).resources == {}


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    path = _write(tmp_path / "small.yaml", HEADER + "description: " + "y" * 2000 + "\nresources: {}\n")
    with pytest.raises(errors.LimitError) as info:
        stack.load_stack(str(path), limits=model.Limits(template_max_bytes=1024))
    assert "small.yaml" in str(info.value) and "1024" in str(info.value).replace(",", "")


def test_alias_bomb_is_rejected_even_with_a_raised_alias_limit(tmp_path: Path) -> None:
    """Bounded memory does not rest on the alias count alone: the expansion is bounded too."""
    path = _alias_bomb(tmp_path)
    code = _LOAD_CHILD.replace("load_stack(sys.argv[1], parameters=json.loads(sys.argv[2]))",
                               "load_stack(sys.argv[1], limits=stack.Limits(max_yaml_aliases=100000))")
    assert code != _LOAD_CHILD
    proc = subprocess.run([sys.executable, "-c", code, str(path), "{}"], env=_child_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["kind"] in ("LimitError", "TemplateError"), out
    assert "bomb.yaml" in out["msg"] and "\n" not in out["msg"]
    assert out["peak_mb"] < BOMB_PEAK_LIMIT_MB, out


def test_smaller_alias_bomb_under_the_limits_stays_bounded(tmp_path: Path) -> None:
    """Six levels (9**6 leaves) may be accepted or refused, but never with unbounded memory."""
    text = "\n".join(line for line in alias_bomb_text().splitlines() if not line.lstrip().startswith("g:")) + "\n"
    path = _write(tmp_path / "smallbomb.yaml", text)
    out = _load_in_child(path, {})
    assert out["kind"] in (None, "LimitError", "TemplateError"), out
    assert out["kind"] is None or "smallbomb.yaml" in out["msg"], out
    assert out["peak_mb"] < 250.0, out


# --- through the module ----------------------------------------------------------------------

_MODULE_CHILD = textwrap.dedent("""\
    import contextlib, io, json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (%d, %d))
    from ansible.module_utils.testing import patch_module_args
    from %s import main
    results = {}
    for name, args in json.loads(sys.stdin.read()).items():
        out = io.StringIO()
        with patch_module_args(args), contextlib.redirect_stdout(out):
            try:
                main()
            except SystemExit:
                pass
        results[name] = out.getvalue()
    print(json.dumps(results))
    """) % (MEMORY_LIMIT, MEMORY_LIMIT, MODULE)


def _module_message(result: dict[str, Any]) -> tuple[str, str]:
    """(error kind, message) from a module result, whether it failed or returned valid=false."""
    assert "exception" not in result, result.get("exception")
    if result.get("failed"):
        return result.get("error_type", "?"), result["msg"]
    assert result.get("valid") is False, f"bad input accepted: {str(result)[:500]}"
    return result.get("error_type", "?"), result.get("error") or ""


@pytest.fixture(scope="module")
def module_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every case through the module's main(), all in one child process (one import of Ansible)."""
    templates: dict[str, Path] = {}
    calls: dict[str, dict[str, Any]] = {}
    for case in CASES:
        templates[case.id] = case.build(tmp_path_factory.mktemp(case.id))
        calls[case.id] = {"template": str(templates[case.id])}
        if case.parameters:
            calls[case.id]["parameters"] = case.parameters
        if case.environment:
            calls[case.id]["environment"] = [str(templates[case.id].parent / e) for e in case.environment]
    proc = subprocess.run([sys.executable, "-c", _MODULE_CHILD], input=json.dumps(calls), env=_child_env(),
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0 and proc.stdout.strip(), f"child died ({proc.returncode}): {proc.stderr[-2000:]}"
    outputs = json.loads(proc.stdout.strip().splitlines()[-1])
    return {name: (templates[name], json.loads(text.strip().splitlines()[-1])) for name, text in outputs.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_template_info_module_reports_one_clean_line(case: Case, module_results: dict[str, Any]) -> None:
    template, result = module_results[case.id]
    kind, msg = _module_message(result)
    if kind == "?":  # the module did not say which error it was; check everything else
        kind = case.errors[0]
    _check_message(case, template, kind, msg)
    for secret in case.forbidden:
        assert secret not in json.dumps(result), f"{case.id}: {secret!r} in module result"


@pytest.fixture(scope="module")
def collections_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("collections")
    ns = root / "ansible_collections" / "heatlike"
    ns.mkdir(parents=True)
    os.symlink(REPO, ns / "cloud")
    return root


@pytest.mark.parametrize("case", [c for c in CASES if c.id in ("invalid_yaml", "get_file_dotdot", "cycle")],
                         ids=lambda c: c.id)
def test_ansible_command_line_reports_one_clean_line(case: Case, tmp_path: Path, collections_dir: Path) -> None:
    ansible = shutil.which("ansible", path=os.path.dirname(sys.executable)) or shutil.which("ansible")
    assert ansible is not None, "ansible command not found (scripts/bootstrap installs it)"
    template = case.build(tmp_path)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_dir), ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_NOCOLOR="1", ANSIBLE_HOME=str(tmp_path / "ansible_home"))
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([ansible, "localhost", "-m", "heatlike.cloud.os_heatlike_template_info",
                           "-a", json.dumps({"template": str(template)})],
                          env=env, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    found = re.search(r"^localhost \| (\S+) => (\{.*\})\s*$", proc.stdout, re.S | re.M)
    assert found, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(found.group(2))
    kind, msg = _module_message(result)
    _check_message(case, template, case.errors[0] if kind == "?" else kind, msg)
    assert "Traceback" not in proc.stdout + proc.stderr
