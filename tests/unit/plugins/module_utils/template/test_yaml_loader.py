"""Safe loading: Heat's YAML reading and the limits."""

from __future__ import annotations

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LimitError, TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import PyLoader, load_text

BOMB = "\n".join(
    ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    + ["%s: &%s [%s]" % (c, c, ",".join(["*" + p] * 9)) for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


def test_version_date_stays_a_string_and_yes_no_are_booleans():
    data = load_text("heat_template_version: 2013-05-23\na: yes\nb: no\nc: on\nd: 2013-05-23T10:00:00")
    assert data == {"heat_template_version": "2013-05-23", "a": True, "b": False, "c": True,
                    "d": "2013-05-23T10:00:00"}


def test_json_template_is_read_as_json():
    assert load_text('{"AWSTemplateFormatVersion": "2010-09-09", "x": [1]}') == {
        "AWSTemplateFormatVersion": "2010-09-09", "x": [1]}


def test_50000_deep_list_is_a_limit_error_not_a_crash():
    with pytest.raises(LimitError) as err:
        load_text("a: " + "[" * 50000 + "]" * 50000, "deep.yaml")
    assert str(err.value).startswith("deep.yaml: ")


def test_alias_bomb_is_a_limit_error():
    assert len(BOMB) < 400
    with pytest.raises(LimitError, match="expands to more than"):
        load_text(BOMB, "bomb.yaml")


def test_alias_count_limit():
    text = "a: &x 1\nb: [" + ",".join(["*x"] * 20) + "]"
    with pytest.raises(LimitError, match="more than 10 aliases"):
        load_text(text, max_aliases=10)
    assert load_text(text)["b"] == [1] * 20


def test_depth_limit_is_configurable():
    text = "a: " + "[" * 30 + "]" * 30
    with pytest.raises(LimitError):
        load_text(text, max_depth=10)
    assert load_text(text, max_depth=100)["a"] == [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]


def test_pure_python_loader_reads_like_heat():
    loader = PyLoader("v: 2016-10-14\nb: off")
    try:
        assert loader.get_single_data() == {"v": "2016-10-14", "b": False}
    finally:
        loader.dispose()


def test_invalid_yaml_names_file_and_line():
    with pytest.raises(TemplateError) as err:
        load_text("a: [b\nc: d", "bad.yaml")
    assert str(err.value).startswith("bad.yaml: line ")
    assert "\n" not in str(err.value)


def test_template_over_size_limit(load):
    with pytest.raises(LimitError, match="exceeds maximum allowed size"):
        load("heat_template_version: 2013-05-23\ndescription: '%s'\n" % ("x" * 2000),
             limits=Limits(template_max_bytes=1000))


def test_invalid_json(load):
    with pytest.raises(TemplateError, match="invalid JSON"):
        load('{"a": }')


def test_fast_and_guarded_loaders_read_the_corpus_identically():
    import glob
    import os

    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "..", "shared", "corpus", "heat-templates")
    paths = sorted(glob.glob(os.path.join(root, "**", "*.yaml"), recursive=True))
    if not paths:
        pytest.skip("corpus not available")
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        loader = PyLoader(text)
        try:
            guarded = loader.get_single_data()
        finally:
            loader.dispose()
        assert load_text(text) == guarded, path
    assert len(paths) > 100


def test_text_with_an_alias_takes_the_guarded_path_and_still_works():
    assert load_text("a: &x [1, 2]\nb: *x\nc: '*not an alias'") == {"a": [1, 2], "b": [1, 2], "c": "*not an alias"}


def test_dict_template_with_a_date_version_is_accepted(tmp_path):
    import datetime
    import gc

    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    rs = load_stack({"heat_template_version": datetime.date(2016, 10, 14)}, allowed_roots=[str(tmp_path)])
    assert rs.version == "heat_template_version: 2016-10-14"
    assert gc.isenabled()


@pytest.mark.parametrize("text", [
    "a: 0x10\nb: 1_000\nc: .5\nd: ~\ne: Yes\nf: 2013-05-23\ng: !!str 5\nh: [1, {x: y}]\ni: !!binary aGk=",
    "a: !!set {x, y}\nb: 1",
    "a: {b: 1}\nc:\n  <<: {b: 1}\n  d: 2",
    "- 1\n- [a, b]\n- {c: null}",
    "just a string",
    "",
])
def test_direct_tree_builder_equals_pyyaml_constructor(text):
    loader = PyLoader(text)
    try:
        expected = loader.get_single_data()
    finally:
        loader.dispose()
    assert load_text(text) == expected


def test_unknown_tag_is_a_clean_error():
    with pytest.raises(TemplateError, match="invalid YAML"):
        load_text("a: !python/object:os.system ls", "t.yaml")
