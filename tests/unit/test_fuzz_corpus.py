"""Fuzz test: mutated corpus templates give a result or a clean HeatlikeError, nothing else.

Templates come from ``../shared/corpus/heat-templates`` (the test skips when it is absent, except under CI=true: tests/unit/conftest.py),
with the parameters Heat was given (``synthesized_parameters`` of the expected file) and the
``<stem>_env.yaml`` environment when there is one.  Hypothesis mutates the parsed template
(drop / duplicate / rename / retype keys, swap values, change function arguments, truncate
lists, inject odd scalars, change the template version) or its YAML text (cut it, insert
characters), then calls ``stack.load_stack``.  Allowed outcomes: a ``ResolvedStack`` whose
``to_info()`` is JSON-able, or an ``errors.HeatlikeError`` whose message is one line.
Anything else fails the test with the mutation steps and the offending input.

Deterministic (``derandomize=True``) and bounded (200 examples per test, no deadline).
``python tests/unit/test_fuzz_corpus.py [COUNT] [SEED]`` runs a longer random campaign and
prints each distinct unexpected exception once (for reports; not part of the suite).
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import os
import random
import re
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from ansible_collections.heatlike.cloud.plugins.module_utils.common import errors
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import stack

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("HEATLIKE_CORPUS", REPO.parent / "shared" / "corpus"))
TEMPLATES_DIR = CORPUS / "heat-templates"
EXPECTED_DIR = CORPUS / "expected" / "heat-templates"

FUNCTION_NAMES = frozenset({
    "get_param", "get_resource", "get_attr", "get_file", "str_replace", "str_replace_strict",
    "str_replace_vstrict", "list_join", "repeat", "digest", "str_split", "map_merge", "map_replace",
    "yaql", "if", "equals", "not", "and", "or", "contains", "filter", "make_url", "list_concat",
    "list_concat_unique", "resource_facade", "Ref", "Fn::GetAtt", "Fn::Join", "Fn::Select", "Fn::Split",
    "Fn::Replace", "Fn::Base64", "Fn::GetAZs", "Fn::MemberListToMap", "Fn::ResourceFacade", "Fn::FindInMap",
    "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or",
})
WEIRD_SCALARS: tuple[Any, ...] = (
    "", " ", "x" * 5000, "ünïcödé ☃ \u202e", "$param", "%s%n%d", "{get_param: x}", "\x00\x07",
    None, 0, -1, 2 ** 64, -(2 ** 63), 3.5, 1e308, float("inf"), float("nan"), True, False, "yes", "no",
    datetime.date(2013, 5, 23), datetime.datetime(2020, 1, 1, 12, 0), "2016-10-14", "OS::Heat::None",
    "../../etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x", [], {}, [[]], {"": None},
    {"get_param": "no_such_param"}, {"get_resource": "no_such_resource"}, {"get_attr": []},
    {"get_attr": ["no_such_resource", "x"]}, {"Ref": 5}, {"list_join": 7}, {"get_file": None},
    {"str_replace": {"template": 1, "params": []}}, {"if": [True]}, {"repeat": {"for_each": 3}},
)
VERSIONS: tuple[Any, ...] = (
    datetime.date(2013, 5, 23), "2014-10-16", "2015-04-30", "2015-10-15", "2016-04-08", "2016-10-14",
    "2017-02-24", "2017-09-01", "2018-03-02", "2018-08-31", "2021-04-16", "newton", "wallaby",
    "2099-01-01", "", None, 2013, "2012-12-12",
)
INSERTS = ("\n", ":", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:os.system ", "\t",
           "'", '"', "#", "|", ">", "%", "@", "? ", "---\n", "...\n", "\\", "\ufeff")


# --- the corpus ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def corpus_templates() -> tuple[tuple[Path, dict[str, Any], Path | None], ...]:
    """(template path, parameters, environment path or None) for every template Heat answered."""
    found = []
    for expected in sorted(EXPECTED_DIR.rglob("*.json")):
        rel = expected.relative_to(EXPECTED_DIR).as_posix()[: -len(".json")]
        template = TEMPLATES_DIR / rel
        if not template.is_file():
            continue
        params = json.loads(expected.read_text()).get("synthesized_parameters") or {}
        env = template.with_name(template.stem + "_env.yaml")
        found.append((template, params, env if env.is_file() else None))
    return tuple(found)


def _as_heat_reads(value: Any) -> Any:
    """PyYAML's dates back to strings: Heat reads ``2013-05-23`` as a string, not a date."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {_as_heat_reads(k): _as_heat_reads(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_heat_reads(v) for v in value]
    return value


@functools.lru_cache(maxsize=None)
def parsed(index: int) -> Any:
    """The parsed form of corpus template ``index`` (YAML 1.1 as Heat reads it)."""
    return _as_heat_reads(yaml.safe_load(corpus_templates()[index][0].read_text()))


def _require_corpus() -> None:
    if not TEMPLATES_DIR.is_dir() or not corpus_templates():
        pytest.skip(f"corpus not found at {CORPUS}")


# --- mutations (driven by a chooser so hypothesis and the campaign share them) ---------------

class Chooser:
    """Source of choices: ``integer(lo, hi)`` inclusive and ``pick(seq)``."""

    def __init__(self, integer: Callable[[int, int], int]) -> None:
        self.integer = integer

    def pick(self, seq: Any) -> Any:
        seq = list(seq)
        return seq[self.integer(0, len(seq) - 1)]


def _positions(tree: Any) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in ``tree``, depth first, containers before children."""
    out: list[tuple[Any, Any]] = []
    todo = [tree]
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key in list(node):
                out.append((node, key))
                todo.append(node[key])
        elif isinstance(node, list):
            for i, item in enumerate(node):
                out.append((node, i))
                todo.append(item)
    return out


def _contains(outer: Any, inner: Any) -> bool:
    todo = [outer]
    while todo:
        node = todo.pop()
        if node is inner:
            return True
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return False


def _retyped(value: Any, ch: Chooser) -> Any:
    if isinstance(value, dict):
        return ch.pick([list(value.values()), list(value), json.dumps(value, default=str)[:200], None])
    if isinstance(value, list):
        return ch.pick([{str(i): v for i, v in enumerate(value)}, ",".join(map(str, value))[:200], len(value)])
    if isinstance(value, bool):
        return ch.pick([str(value).lower(), int(value), [value]])
    if isinstance(value, (int, float)):
        return ch.pick([str(value), [value], {"value": value}, bool(value)])
    if isinstance(value, str):
        return ch.pick([len(value), [value], {value: value}, value.split()[:3], True])
    return ch.pick(["None", 0, [], {}])


def m_drop(tree: Any, ch: Chooser) -> str:
    node, key = ch.pick(_positions(tree))
    del node[key]
    return f"drop {key!r}"


def m_duplicate(tree: Any, ch: Chooser) -> str:
    node, key = ch.pick(_positions(tree))
    if isinstance(node, dict):
        new = ch.pick([f"{key}_dup", f"{key}".upper(), f"{key} ", "0"])
        node[new] = copy.deepcopy(node[key])
        return f"duplicate {key!r} as {new!r}"
    node.insert(key, copy.deepcopy(node[key]))
    return f"duplicate item {key}"


def m_rename(tree: Any, ch: Chooser) -> str:
    node, key = ch.pick(_positions(tree))
    if not isinstance(node, dict):
        return "rename (no-op on list)"
    new = ch.pick(["type", "properties", "depends_on", "Type", "get_param", "value", "resources",
                   "condition", "", "x" * 300, 7, None, True, "Fn::Join", "list_join"])
    value = node.pop(key)
    node[new] = value
    return f"rename {key!r} -> {new!r}"


def m_retype(tree: Any, ch: Chooser) -> str:
    node, key = ch.pick(_positions(tree))
    node[key] = _retyped(node[key], ch)
    return f"retype {key!r} -> {type(node[key]).__name__}"


def m_swap(tree: Any, ch: Chooser) -> str:
    positions = _positions(tree)
    (n1, k1), (n2, k2) = ch.pick(positions), ch.pick(positions)
    v1, v2 = n1[k1], n2[k2]
    if v1 is v2 or _contains(v1, n2) or _contains(v2, n1):
        return "swap (skipped: nested)"
    n1[k1], n2[k2] = v2, v1
    return f"swap {k1!r} <-> {k2!r}"


def m_function_args(tree: Any, ch: Chooser) -> str:
    calls = [(n, k) for n, k in _positions(tree)
             if isinstance(n[k], dict) and len(n[k]) == 1 and next(iter(n[k])) in FUNCTION_NAMES]
    if not calls:
        return m_weird(tree, ch)
    node, key = ch.pick(calls)
    name, arg = next(iter(node[key].items()))
    choice = ch.integer(0, 7)
    if choice == 0:
        new: Any = [arg]
    elif choice == 1:
        new = arg[0] if isinstance(arg, list) and arg else arg
    elif choice == 2:
        new = (arg + [ch.pick(WEIRD_SCALARS)]) if isinstance(arg, list) else [arg, ch.pick(WEIRD_SCALARS)]
    elif choice == 3:
        new = arg[:-1] if isinstance(arg, list) else {}
    elif choice == 4:
        new = ch.pick(WEIRD_SCALARS)
    elif choice == 5:
        new = {"x": arg} if not isinstance(arg, dict) else {k: ch.pick(WEIRD_SCALARS) for k in arg}
    elif choice == 6:
        other = ch.pick(sorted(FUNCTION_NAMES))
        node[key] = {other: arg}
        return f"function {name} -> {other}"
    else:
        new = {name: arg}  # the function applied to itself
    node[key] = {name: new}
    return f"function {name} args #{choice}"


def m_truncate(tree: Any, ch: Chooser) -> str:
    lists = [(n, k) for n, k in _positions(tree) if isinstance(n[k], list) and n[k]]
    if not lists:
        return m_drop(tree, ch)
    node, key = ch.pick(lists)
    cut = ch.integer(0, len(node[key]) - 1)
    node[key] = node[key][:cut]
    return f"truncate {key!r} to {cut}"


def m_weird(tree: Any, ch: Chooser) -> str:
    node, key = ch.pick(_positions(tree))
    node[key] = copy.deepcopy(ch.pick(WEIRD_SCALARS))
    return f"weird {key!r} = {node[key]!r:.60}"


def m_version(tree: Any, ch: Chooser) -> str:
    key = "AWSTemplateFormatVersion" if "AWSTemplateFormatVersion" in tree else "heat_template_version"
    tree[key] = ch.pick(VERSIONS)
    return f"version {tree[key]!r}"


MUTATIONS = (m_drop, m_duplicate, m_rename, m_retype, m_swap, m_function_args, m_truncate, m_weird, m_version)


def mutate_tree(tree: Any, ch: Chooser, steps: int) -> list[str]:
    """Apply ``steps`` mutations to ``tree`` in place; return what was done."""
    done = []
    for _step in range(steps):
        if not isinstance(tree, dict) or not _positions(tree):
            break
        done.append(ch.pick(MUTATIONS)(tree, ch))
    return done


def mutate_text(text: str, ch: Chooser, steps: int) -> tuple[str, list[str]]:
    """Cut the text or insert odd characters at chosen places."""
    done = []
    for _step in range(steps):
        pos = ch.integer(0, len(text))
        if ch.integer(0, 3) == 0:
            text = text[:pos]
            done.append(f"cut at {pos}")
        else:
            piece = ch.pick(INSERTS)
            text = text[:pos] + piece + text[pos:]
            done.append(f"insert {piece!r} at {pos}")
    return text, done


# --- the oracle ------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()  # Ansible's module JSON encoder accepts dates too
    raise TypeError(f"not JSON-able in to_info(): {type(value).__name__}: {value!r:.200}")


def check_outcome(template: Any, index: int, **kwargs: Any) -> str:
    """Call load_stack; anything but a result or a clean one-line HeatlikeError raises AssertionError.

    Returns the outcome: ``"result"`` or the HeatlikeError class name.
    """
    path, params, env = corpus_templates()[index]
    kwargs.setdefault("parameters", dict(params))
    if env is not None:
        kwargs.setdefault("environment_files", [str(env)])
    try:
        result = stack.load_stack(template, **kwargs)
        json.dumps(result.to_info(), default=_json_default)
    except errors.HeatlikeError as err:
        message = str(err)
        assert message.strip() and "\n" not in message, f"HeatlikeError not one line: {message!r}"
        return type(err).__name__
    except RecursionError:
        raise AssertionError(f"RecursionError on mutated {path}") from None
    except Exception as err:  # noqa: BLE001 - this is the property under test
        raise AssertionError(
            f"{type(err).__name__} (not a HeatlikeError) on mutated {path}: {err!s:.300}\n"
            + "".join(traceback.format_exc(limit=-8))
        ) from None
    return "result"


def _dict_kwargs(index: int) -> dict[str, Any]:
    path = corpus_templates()[index][0]
    return {"allowed_roots": [str(path.parent)]}


# --- tests -----------------------------------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_unmutated_corpus_gives_result_or_clean_error() -> None:
    _require_corpus()
    for index, (path, _params, _env) in enumerate(corpus_templates()):
        check_outcome(str(path), index)


@FUZZ
@given(st.data())
def test_mutated_template_tree_gives_result_or_clean_error(data: st.DataObject) -> None:
    _require_corpus()
    ch = Chooser(lambda lo, hi: data.draw(st.integers(lo, hi)))
    index = ch.integer(0, len(corpus_templates()) - 1)
    tree = copy.deepcopy(parsed(index))
    steps = mutate_tree(tree, ch, ch.integer(1, 4))
    note(f"template {corpus_templates()[index][0]}: {steps}")
    event(check_outcome(tree, index, **_dict_kwargs(index)))


@FUZZ
@given(st.data())
def test_mutated_template_text_gives_result_or_clean_error(data: st.DataObject) -> None:
    _require_corpus()
    ch = Chooser(lambda lo, hi: data.draw(st.integers(lo, hi)))
    index = ch.integer(0, len(corpus_templates()) - 1)
    path = corpus_templates()[index][0]
    text, steps = mutate_text(path.read_text(), ch, ch.integer(1, 3))
    note(f"template {path}: {steps}")
    with tempfile.TemporaryDirectory(prefix="heatlike-fuzz-") as tmp:
        target = Path(tmp) / path.name
        target.write_text(text)
        event(check_outcome(str(target), index))


@FUZZ
@given(st.data())
def test_odd_parameter_values_give_result_or_clean_error(data: st.DataObject) -> None:
    """Values given by the user (the module's ``parameters``) of any type and shape."""
    _require_corpus()
    ch = Chooser(lambda lo, hi: data.draw(st.integers(lo, hi)))
    index = ch.integer(0, len(corpus_templates()) - 1)
    path, params, _env = corpus_templates()[index]
    declared = parsed(index).get("parameters") or parsed(index).get("Parameters") or {}
    names = sorted(str(n) for n in declared) or ["unknown_parameter"]
    values = dict(params)
    for _step in range(ch.integer(1, 3)):
        values[ch.pick(names + ["unknown_parameter"])] = copy.deepcopy(ch.pick(WEIRD_SCALARS))
    note(f"template {path}: parameters {values!r:.500}")
    event(check_outcome(str(path), index, parameters=values))


ENV_SECTIONS = ("parameters", "parameter_defaults", "resource_registry", "event_sinks",
                "parameter_merge_strategies", "encrypted_param_names", "no_such_section")
REGISTRY_TARGETS: tuple[Any, ...] = (
    "OS::Heat::None", "OS::Nova::Server", "missing.yaml", "../outside.yaml", "file:///etc/passwd",
    "http://127.0.0.1:9/x.yaml", None, 5, {"a": 1}, ["OS::Heat::None"],
)


def odd_environment(tree: Any, ch: Chooser) -> dict[str, Any]:
    """An environment with odd sections, registry entries and parameter values for ``tree``."""
    names = sorted(map(str, tree.get("parameters") or tree.get("Parameters") or {})) + ["no_such_param"]
    resources = sorted(map(str, tree.get("resources") or tree.get("Resources") or {})) + ["no_such_res"]
    env: dict[str, Any] = {}
    for _step in range(ch.integer(1, 4)):
        section = ch.pick(ENV_SECTIONS)
        if ch.integer(0, 5) == 0:
            env[section] = copy.deepcopy(ch.pick(WEIRD_SCALARS))
            continue
        if not isinstance(env.get(section), dict):
            env[section] = {}
        if section == "resource_registry":
            key = ch.pick(["OS::Nova::Server", "OS::Heat::None", "My::Type", "OS::*", "resources"])
            if key == "resources":
                env[section]["resources"] = {ch.pick(resources): {
                    ch.pick(["OS::Nova::Server", "hooks", "x.yaml"]): ch.pick(REGISTRY_TARGETS + ("pre-create",))}}
            else:
                env[section][key] = ch.pick(REGISTRY_TARGETS)
        elif section == "parameter_merge_strategies":
            env[section][ch.pick(names + ["default"])] = ch.pick(["merge", "overwrite", "deep_merge", "bogus", 5])
        else:
            env[section][ch.pick(names)] = copy.deepcopy(ch.pick(WEIRD_SCALARS))
    return env


@FUZZ
@given(st.data())
def test_odd_environment_gives_result_or_clean_error(data: st.DataObject) -> None:
    _require_corpus()
    ch = Chooser(lambda lo, hi: data.draw(st.integers(lo, hi)))
    index = ch.integer(0, len(corpus_templates()) - 1)
    env = odd_environment(parsed(index), ch)
    note(f"template {corpus_templates()[index][0]}: environment {env!r:.800}")
    event(check_outcome(str(corpus_templates()[index][0]), index, environment=env))


_V = "2018-08-31"
_NONE = {"type": "OS::Heat::None"}
#: Minimal forms of what the fuzzer found, each of which once raised a non-Heatlike exception:
#: name -> (template, True when Heat rejects it so a HeatlikeError is required).
FUZZ_FINDINGS: dict[str, tuple[dict[Any, Any], bool]] = {
    "parameter_type_is_a_map": ({"heat_template_version": _V, "parameters": {"p": {"type": {"a": 1}}}}, True),
    "parameter_type_is_a_list": ({"heat_template_version": _V, "parameters": {"p": {"type": ["string"]}}}, True),
    "parameter_group_member_is_a_map": ({
        "heat_template_version": _V, "parameters": {"p": {"type": "string", "default": "x"}},
        "parameter_groups": [{"parameters": [{"a": 1}]}]}, True),
    "allowed_pattern_is_not_a_regex": ({
        "heat_template_version": _V,
        "parameters": {"p": {"type": "string", "default": "x", "constraints": [{"allowed_pattern": "[a-%]"}]}}}, True),
    "allowed_pattern_unknown_extension": ({
        "heat_template_version": _V,
        "parameters": {"p": {"type": "string", "default": "x", "constraints": [{"allowed_pattern": "(?[a)"}]}}}, True),
    "str_replace_empty_placeholder": ({"heat_template_version": _V, "resources": {"net": {
        "type": "OS::Neutron::Net",
        "properties": {"name": {"str_replace": {"template": "abc", "params": {"": "x"}}}}}}}, False),
    "resource_names_int_and_str": ({"heat_template_version": _V, "resources": {5: _NONE, "b": _NONE}}, False),
    "resource_name_null_disabled": ({
        "heat_template_version": "2017-02-24", "conditions": {"off": False},
        "resources": {None: {**_NONE, "condition": "off"}, "b": {**_NONE, "condition": "off"}}}, False),
}


@pytest.mark.parametrize("name", sorted(FUZZ_FINDINGS))
def test_fuzz_findings_give_result_or_clean_error(name: str) -> None:
    template, must_fail = copy.deepcopy(FUZZ_FINDINGS[name])
    template.setdefault("resources", {})
    try:
        json.dumps(stack.load_stack(template).to_info(), default=_json_default)
    except errors.HeatlikeError as err:
        assert "\n" not in str(err), str(err)
    else:
        assert not must_fail, f"{name}: Heat rejects this template, load_stack accepted it"


def test_mutations_change_the_template() -> None:
    """The mutators really mutate (guards against a fuzz test that tests nothing)."""
    _require_corpus()
    rng = random.Random(1)
    ch = Chooser(rng.randint)
    changed = 0
    for index in range(min(20, len(corpus_templates()))):
        tree = copy.deepcopy(parsed(index))
        mutate_tree(tree, ch, 2)
        changed += tree != parsed(index)
    assert changed >= 15


# --- longer campaign for reports ---------------------------------------------------------------

def campaign(count: int, seed: int) -> int:
    """Run ``count`` random tree and text mutations; print each distinct failure once."""
    rng = random.Random(seed)
    ch = Chooser(rng.randint)
    seen: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    run: Callable[[], str]
    workdir = tempfile.TemporaryDirectory(prefix="heatlike-fuzz-")
    for i in range(count):
        index = ch.integer(0, len(corpus_templates()) - 1)
        if i % 3 == 2:
            path, params, _env = corpus_templates()[index]
            declared = parsed(index).get("parameters") or parsed(index).get("Parameters") or {}
            values = dict(params)
            for _step in range(ch.integer(1, 3)):
                values[ch.pick(sorted(map(str, declared)) + ["unknown_parameter"])] = copy.deepcopy(ch.pick(WEIRD_SCALARS))
            steps = [f"parameters {values!r:.300}"]
            run = functools.partial(check_outcome, str(path), index, parameters=values)
            shown = f"(parameters of {path})"
        elif i % 3 == 1:
            tree = copy.deepcopy(parsed(index))
            steps = mutate_tree(tree, ch, ch.integer(1, 4))
            run = functools.partial(check_outcome, tree, index, **_dict_kwargs(index))
            shown = yaml.safe_dump(tree, sort_keys=False, default_flow_style=None)[:3000] if isinstance(tree, dict) else repr(tree)
        else:
            path = corpus_templates()[index][0]
            text, steps = mutate_text(path.read_text(), ch, ch.integer(1, 3))
            target = Path(workdir.name) / path.name
            target.write_text(text)
            run = functools.partial(check_outcome, str(target), index)
            shown = f"(text mutation of {path})"
        try:
            outcome = run()
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        except AssertionError as err:
            first = str(err).splitlines()[0]
            frames = re.findall(r'File "[^"]*/(module_utils/[^"]+)", line (\d+), in (\S+)', str(err))
            where = ":".join(frames[-1]) if frames else "?"
            key = first.split(" on mutated ")[0] + " @ " + where
            seen[key] = seen.get(key, 0) + 1
            if seen[key] == 1:
                print(f"=== #{i} {corpus_templates()[index][0]} steps={steps}\n{err}\n--- input:\n{shown}\n")
    workdir.cleanup()
    print(f"{count} mutations, {sum(seen.values())} failures, {len(seen)} distinct; outcomes {outcomes}")
    for key, n in sorted(seen.items(), key=lambda kv: -kv[1]):
        print(f"{n:5d}  {key}")
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(campaign(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, int(sys.argv[2]) if len(sys.argv) > 2 else 0))
