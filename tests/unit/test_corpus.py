"""Corpus test: our offline engine against real Heat 27.0.1's answers.

For every ``../shared/corpus/expected/heat-templates/**.json`` the template is loaded with the
same parameters (``synthesized_parameters``) and environment (``<stem>_env.yaml``) and compared
on validity (+ error kind), parameters, conditions, disabled resources, each resource's
type/depends_on/properties, creation_order, outputs and which outputs stay unresolved.  Known differences are listed in KNOWN (mirrored in
docs/heat-compatibility.md).  Skips when ../shared is absent, except under CI=true (tests/unit/conftest.py).
"""

from __future__ import annotations

import glob
import json
import os

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    CycleError,
    FileAccessError,
    HeatlikeError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.realpath(os.path.join(REPO, "..", "shared", "corpus"))
TEMPLATES = os.path.join(CORPUS, "heat-templates")
EXPECTED = os.path.join(CORPUS, "expected", "heat-templates")

#: template path (relative to heat-templates/) -> why we differ from Heat
KNOWN: dict[str, str] = {}

pytestmark = pytest.mark.skipif(not os.path.isdir(EXPECTED),
                                reason="corpus (../shared/corpus) not available")


def _cases() -> list[str]:
    if not os.path.isdir(EXPECTED):
        return []
    return sorted(os.path.relpath(p, EXPECTED)[:-5]
                  for p in glob.glob(os.path.join(EXPECTED, "**", "*.json"), recursive=True))


def _norm(value):
    """Replace the corpus placeholder ``file://CORPUS/`` with the real corpus root."""
    text = json.dumps(value)
    return json.loads(text.replace("file://CORPUS/", "file://" + CORPUS + "/"))


def _kind_ok(expected: dict, exc: HeatlikeError) -> bool:
    etype, phase = expected.get("error_type"), expected.get("phase")
    if etype == "CircularDependencyException":
        return isinstance(exc, CycleError)
    if phase == "client_files" or "Could not fetch" in (expected.get("error") or ""):
        return isinstance(exc, FileAccessError)
    return not isinstance(exc, (CycleError, FileAccessError))


def compare(rel: str) -> list[str]:
    """Differences between our answer and Heat's for one corpus template (empty: equal)."""
    with open(os.path.join(EXPECTED, rel + ".json"), encoding="utf-8") as fh:
        exp = _norm(json.load(fh))
    tpath = os.path.join(TEMPLATES, rel)
    stem = os.path.splitext(tpath)[0]
    envs = [os.path.join(TEMPLATES, e) for e in exp.get("environment_files") or []]
    if not envs and os.path.exists(stem + "_env.yaml"):
        envs = [stem + "_env.yaml"]
    diffs: list[str] = []
    try:
        rs = load_stack(tpath, environment_files=envs,
                        parameters=exp.get("synthesized_parameters") or {},
                        allowed_roots=[TEMPLATES], stack_name="oracle")
    except HeatlikeError as exc:
        if exp["valid"]:
            return ["we reject a valid template: %s" % exc]
        if not _kind_ok(exp, exc):
            return ["wrong error kind %s (%s) for Heat's %s: %s"
                    % (type(exc).__name__, exc, exp.get("error_type"), exp.get("error"))]
        return []
    if not exp["valid"]:
        return ["we accept an invalid template; Heat: %s" % exp.get("error")]
    info = rs.to_info()
    if info["template_version"] != exp.get("template_version"):
        diffs.append("template_version: %s != %s" % (info["template_version"],
                                                     exp.get("template_version")))
    if info["parameters"] != exp["parameters"]:
        diffs.append("parameters: %s != %s" % (info["parameters"], exp["parameters"]))
    eres = exp.get("resources") or {}
    if set(info["resources"]) != set(eres):
        diffs.append("resource names: %s" % sorted(set(info["resources"]) ^ set(eres)))
    for name in sorted(set(info["resources"]) & set(eres)):
        ours, theirs = info["resources"][name], eres[name]
        for key in ("type", "depends_on", "properties", "implicit_depends_on"):
            if ours.get(key, []) != theirs.get(key, []):
                diffs.append("resources.%s.%s: %s != %s"
                             % (name, key, json.dumps(ours.get(key))[:400],
                                json.dumps(theirs.get(key))[:400]))
    if info["conditions"] != exp.get("conditions", {}):
        diffs.append("conditions: %s != %s" % (info["conditions"], exp.get("conditions")))
    if sorted(info["disabled_resources"]) != sorted(exp.get("disabled_resources") or []):
        diffs.append("disabled_resources: %s != %s" % (info["disabled_resources"],
                                                       exp.get("disabled_resources")))
    if sorted(info["outputs_unresolved"]) != sorted(exp.get("outputs_unresolved") or []):
        diffs.append("outputs_unresolved: %s != %s" % (info["outputs_unresolved"],
                                                       exp.get("outputs_unresolved")))
    if info["creation_order"] != exp.get("creation_order"):
        diffs.append("creation_order: %s != %s" % (info["creation_order"],
                                                   exp.get("creation_order")))
    if info["outputs"] != exp.get("outputs"):
        diffs.append("outputs: %s != %s" % (json.dumps(info["outputs"])[:400],
                                            json.dumps(exp.get("outputs"))[:400]))
    return diffs


@pytest.mark.parametrize("rel", _cases())
def test_corpus_template_matches_heat(rel: str) -> None:
    diffs = compare(rel)
    if rel in KNOWN:
        assert diffs, "%s is listed in KNOWN but now matches Heat: remove it" % rel
        pytest.xfail(KNOWN[rel])
    assert not diffs, "\n".join(diffs)


def test_corpus_match_rate_at_least_97_percent() -> None:
    cases = _cases()
    assert len(cases) == 145
    equal = sum(1 for rel in cases if not compare(rel))
    print("corpus: %d/%d templates equal to Heat" % (equal, len(cases)))
    assert equal >= 0.97 * len(cases)
