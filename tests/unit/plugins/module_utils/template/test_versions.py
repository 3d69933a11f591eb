"""Versions: detection, sections and the function table of each version."""

from __future__ import annotations

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.template.versions import HOT_ALIASES, HOT_DATES, HOT_SPECS


def test_every_heat_27_version_and_alias_is_known():
    assert HOT_DATES == ("2013-05-23", "2014-10-16", "2015-04-30", "2015-10-15", "2016-04-08",
                         "2016-10-14", "2017-02-24", "2017-09-01", "2018-03-02", "2018-08-31",
                         "2021-04-16")
    for alias, date in HOT_ALIASES.items():
        assert HOT_SPECS[alias] is HOT_SPECS[date]
    assert set(HOT_ALIASES) == {"newton", "ocata", "pike", "queens", "rocky", "wallaby"}


@pytest.mark.parametrize("version,name,cls", [
    ("2013-05-23", "Fn::Join", fn.Join),
    ("2013-05-23", "get_attr", fn.GetAtt),
    ("2014-10-16", "Fn::Join", fn.Removed),
    ("2015-04-30", "repeat", fn.Repeat),
    ("2015-10-15", "list_join", fn.JoinMultiple),
    ("2015-10-15", "Fn::Select", fn.Removed),
    ("2015-10-15", "get_attr", fn.GetAttAll),
    ("2016-04-08", "map_merge", fn.MapMerge),
    ("2016-10-14", "if", fn.If),
    ("2016-10-14", "yaql", fn.Yaql),
    ("2017-02-24", "str_replace_strict", fn.ReplaceJsonStrict),
    ("2017-09-01", "make_url", fn.MakeURL),
    ("2017-09-01", "repeat", fn.RepeatWithNestedLoop),
    ("2021-04-16", "list_concat_unique", fn.ListConcatUnique),
])
def test_function_table(version, name, cls):
    assert HOT_SPECS[version].functions[name] is cls


@pytest.mark.parametrize("version,absent", [
    ("2013-05-23", "digest"), ("2014-10-16", "repeat"), ("2015-04-30", "str_split"),
    ("2015-10-15", "map_merge"), ("2016-04-08", "if"), ("2016-10-14", "filter"),
    ("2017-02-24", "contains"),
])
def test_function_added_later_is_plain_data(load, version, absent):
    rs = load("""
        heat_template_version: %s
        outputs:
          o: {value: {%s: [1, 2]}}
        """ % (version, absent))
    assert rs.outputs["o"] == {absent: [1, 2]}


def test_removed_function_is_an_error(load):
    with pytest.raises(TemplateError, match="not supported in this version"):
        load("""
            heat_template_version: 2014-10-16
            outputs:
              o: {value: {"Fn::Join": ["", ["a"]]}}
            """)


def test_conditions_section_needs_2016_10_14(load):
    with pytest.raises(TemplateError, match="section is invalid: conditions"):
        load("heat_template_version: 2016-04-08\nconditions: {}\n")
    assert load("heat_template_version: newton\nconditions: {c: true}\n").conditions == {"c": True}


def test_unknown_version_and_section(load):
    with pytest.raises(TemplateError, match="template version is invalid"):
        load("heat_template_version: 2099-01-01\n")
    with pytest.raises(TemplateError) as err:
        load("heat_template_version: 2013-05-23\nfoo: 1\n")
    assert "t.yaml: foo: The template section is invalid: foo" in str(err.value)


def test_missing_version(load):
    with pytest.raises(TemplateError, match="version not found"):
        load("resources: {}\n")


def test_unknown_resource_keyword(load):
    with pytest.raises(TemplateError, match='"condition" is not a valid keyword'):
        load("""
            heat_template_version: 2016-04-08
            resources:
              a: {type: OS::Heat::None, condition: true}
            """)
