"""Intrinsic functions: results, unresolved template forms, argument errors."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError


def out(load, version, expr, params="", resources=""):
    rs = load("heat_template_version: %s\n%s%s\noutputs:\n  o:\n    value: %s\n"
              % (version, params, resources, expr))
    return rs.outputs["o"]


RES = "resources:\n  port: {type: OS::Heat::None}\n"


def test_get_param_with_path(load):
    params = "parameters:\n  m: {type: json, default: {a: [1, {b: x}]}}\n"
    assert out(load, "2015-10-15", "{get_param: [m, a, 1, b]}", params) == "x"
    assert out(load, "2015-10-15", "{get_param: [m, nope]}", params) == ""


def test_get_param_unknown_is_an_error(load):
    with pytest.raises(TemplateError, match=r"The Parameter \(nope\) was not provided"):
        out(load, "2013-05-23", "{get_param: nope}")


def test_get_attr_stays_template_form(load):
    assert out(load, "2013-05-23", "{get_attr: [port, fixed_ips, 0, ip_address]}", resources=RES) == {
        "get_attr": ["port", "fixed_ips", 0, "ip_address"]}


def test_str_replace_with_unresolved_keeps_whole_expression_with_args_resolved(load):
    params = "parameters:\n  p: {type: string, default: pv}\n"
    v = out(load, "2013-05-23", "{str_replace: {template: a_b, params: {a: {get_param: p}, b: {get_resource: port}}}}",
            params, RES)
    assert v == {"str_replace": {"template": "a_b", "params": {"a": "pv", "b": {"get_resource": "port"}}}}


def test_str_replace_longest_key_first_and_no_rescan(load):
    assert out(load, "2013-05-23", "{str_replace: {template: 'ab a', params: {a: b, ab: a}}}") == "a b"


def test_str_replace_json_values_since_2015_10_15(load):
    assert out(load, "2015-10-15", "{str_replace: {template: X, params: {X: {a: 1}}}}") == '{"a": 1}'
    with pytest.raises(TemplateError, match="must be strings or numbers"):
        out(load, "2015-04-30", "{str_replace: {template: X, params: {X: {a: 1}}}}")


def test_str_replace_strict_and_vstrict(load):
    with pytest.raises(TemplateError, match="not found in the template"):
        out(load, "2017-02-24", "{str_replace_strict: {template: a, params: {z: b}}}")
    with pytest.raises(TemplateError, match="empty value"):
        out(load, "2017-09-01", "{str_replace_vstrict: {template: a, params: {a: ''}}}")


def test_list_join_rejects_numbers(load):
    with pytest.raises(TemplateError, match="Items to join must be"):
        out(load, "2015-10-15", "{list_join: [',', [1, 2]]}")


def test_list_join_multiple_lists_and_json_items(load):
    assert out(load, "2015-10-15", "{list_join: [',', [a, b], [c, {d: 1}]]}") == 'a,b,c,{"d": 1}'
    with pytest.raises(TemplateError, match="list_join"):
        out(load, "2015-04-30", "{list_join: [',', [a], [b]]}")


def test_digest(load):
    assert out(load, "2015-04-30", "{digest: [sha256, abc]}") == hashlib.sha256(b"abc").hexdigest()


def test_repeat_permutations(load):
    v = out(load, "2017-09-01",
            "{repeat: {for_each: {'%a%': ['1', '2'], '%b%': [x, y]}, template: '%a%-%b%', permutations: false}}")
    assert v == ["1-x", "2-y"]
    v = out(load, "2015-04-30", "{repeat: {for_each: {'<p>': ['80', '443']}, template: {port: '<p>'}}}")
    assert v == [{"port": "80"}, {"port": "443"}]
    v = out(load, "2016-10-14", "{repeat: {for_each: {'<k>': {a: 1, b: 2}}, template: 'x<k>'}}")
    assert v == ["xa", "xb"]


def test_repeat_with_non_string_values_fails_like_heat(load):
    with pytest.raises(TemplateError, match="replacements must be strings"):
        out(load, "2015-04-30", "{repeat: {for_each: {'<p>': [80]}, template: '<p>'}}")
    with pytest.raises(TemplateError, match="should be equal"):
        out(load, "2017-09-01", "{repeat: {for_each: {a: [x], b: [y, z]}, template: ab, permutations: false}}")


def test_str_split_map_merge_map_replace(load):
    assert out(load, "2015-10-15", "{str_split: [',', 'a,b,c', 1]}") == "b"
    assert out(load, "2016-04-08", "{map_merge: [{a: 1, b: 1}, {b: 2}]}") == {"a": 1, "b": 2}
    assert out(load, "2016-10-14", "{map_replace: [{a: x, b: y}, {keys: {a: c}, values: {y: z}}]}") == {
        "c": "x", "b": "z"}


def test_yaql(load):
    assert out(load, "2016-10-14", "{yaql: {expression: '$.data.l.select($ * 2)', data: {l: [1, 2]}}}") == [2, 4]


def test_filter_concat_contains_make_url(load):
    assert out(load, "2017-02-24", "{filter: [[b], [a, b, c]]}") == ["a", "c"]
    assert out(load, "2017-09-01", "{list_concat: [[a], [b, a]]}") == ["a", "b", "a"]
    # like Heat, list_concat_unique keeps the last occurrence of a repeated item
    assert out(load, "2017-09-01", "{list_concat_unique: [[a], [b, a]]}") == ["b", "a"]
    assert out(load, "2017-09-01", "{contains: [a, [a, b]]}") is True
    assert out(load, "2017-09-01", "{make_url: {scheme: http, host: h, port: 80, path: /x, query: {a: b}}}") == \
        "http://h:80/x?a=b"
    assert out(load, "2017-09-01", "{make_url: {scheme: https, host: '::1', username: u, password: 'p@', path: x}}") == \
        "https://u:p%40@[::1]/x"
    with pytest.raises(TemplateError, match="Invalid URL port"):
        out(load, "2017-09-01", "{make_url: {host: h, port: 70000}}")


def test_str_replace_strict_counts_keys_consumed_by_longer_ones_as_missing(load):
    with pytest.raises(TemplateError, match="not found in the template: a"):
        out(load, "2017-02-24", "{str_replace_strict: {template: ab, params: {ab: x, a: y}}}")


def test_map_replace_key_collision(load):
    with pytest.raises(TemplateError, match="collides with a key in the input map"):
        out(load, "2016-10-14", "{map_replace: [{a: 1, b: 2}, {keys: {a: b}}]}")


def test_get_param_path_semantics(load):
    params = "parameters:\n  l: {type: comma_delimited_list, default: 'x,y'}\n"
    assert out(load, "2015-10-15", "{get_param: [l, '1']}", params) == "y"
    assert out(load, "2015-10-15", "{get_param: [l, 5]}", params) == ""
    with pytest.raises(TemplateError, match="parsed into an integer"):
        out(load, "2015-10-15", "{get_param: [l, one]}", params)


def test_cfn_functions(load):
    rs = load("""
        AWSTemplateFormatVersion: '2010-09-09'
        Parameters:
          P: {Type: String, Default: 'a,b'}
        Mappings:
          M: {k: {v: found}}
        Resources:
          R: {Type: 'OS::Heat::None'}
        Outputs:
          join: {Value: {'Fn::Join': ['-', [x, {Ref: P}]]}}
          sel: {Value: {'Fn::Select': ['1', {'Fn::Split': [',', {Ref: P}]}]}}
          find: {Value: {'Fn::FindInMap': [M, k, v]}}
          rep: {Value: {'Fn::Replace': [{X: y}, aXa]}}
          b64: {Value: {'Fn::Base64': plain}}
          azs: {Value: {'Fn::GetAZs': ''}}
          ref: {Value: {Ref: R}}
          stack: {Value: {Ref: 'AWS::StackName'}}
          att: {Value: {'Fn::GetAtt': [R, Attr]}}
        """, stack_name="st")
    assert rs.outputs == {"join": "x-a,b", "sel": "b", "find": "found", "rep": "aya", "b64": "plain",
                          "azs": ["nova"], "ref": {"Ref": "R"}, "stack": "st",
                          "att": {"Fn::GetAtt": ["R", "Attr"]}}
    assert rs.outputs_unresolved == ["att", "ref"]


def test_hot_2013_still_accepts_cfn_functions(load):
    assert out(load, "2013-05-23", "{'Fn::Join': ['', [a, b]]}") == "ab"


def test_reference_to_unknown_resource_names_location(load):
    with pytest.raises(TemplateError) as err:
        load("""
            heat_template_version: 2013-05-23
            resources:
              a: {type: OS::Heat::None, properties: {x: {get_resource: nope}}}
            """)
    assert "t.yaml: resources.a.properties.x.get_resource:" in str(err.value)


def test_resolve_with_runtime(load):
    rs = load("""
        heat_template_version: 2015-10-15
        resources:
          a: {type: OS::Heat::None}
          b: {type: OS::Heat::None, properties: {x: {list_join: ['-', [{get_resource: a}, {get_attr: [a, ip]}]]}}}
        outputs:
          o: {value: {get_attr: [b, name]}}
        """)

    class Runtime:
        def get_resource(self, name):
            return "id-" + name

        def get_attr(self, name, attr, *path):
            return "%s.%s" % (name, attr)

    assert rs.resources["b"].resolve_properties(Runtime()) == {"x": "id-a-a.ip"}
    assert rs.resolve_outputs(Runtime()) == {"o": "b.name"}


def test_cfn_conditions_and_fn_if(load):
    rs = load("""
        AWSTemplateFormatVersion: '2010-09-09'
        Parameters:
          Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
        Conditions:
          IsProd: {'Fn::Equals': [{Ref: Env}, prod]}
          IsDev: {'Fn::Not': [IsProd]}
        Resources:
          A: {Type: 'OS::Heat::None', Condition: IsDev}
          B: {Type: 'OS::Heat::None', Properties: {size: {'Fn::If': [IsProd, big, small]}}}
        Outputs:
          O: {Value: {'Fn::If': [IsDev, {Ref: A}, none]}}
        """)
    assert rs.conditions == {"IsProd": True, "IsDev": False}
    assert rs.disabled_resources == ["A"]
    assert rs.resources["B"].properties == {"size": "big"}
    assert rs.outputs == {"O": "none"}


def test_cfn_condition_ref_to_a_resource_is_an_error(load):
    with pytest.raises(TemplateError):
        load("""
            AWSTemplateFormatVersion: '2010-09-09'
            Conditions:
              C: {'Fn::Equals': [{Ref: R}, x]}
            Resources:
              R: {Type: 'OS::Heat::None'}
            """)


def test_heat_template_format_has_no_conditions(load):
    with pytest.raises(TemplateError, match="section is invalid: Conditions"):
        load("HeatTemplateFormatVersion: '2012-12-12'\nConditions: {}\n")
    rs = load("HeatTemplateFormatVersion: '2012-12-12'\nOutputs:\n  o: {Value: {'Fn::Join': ['', [a, b]]}}\n")
    assert rs.outputs == {"o": "ab"}


def test_function_not_allowed_in_conditions(load):
    with pytest.raises(TemplateError, match="invalid in this context"):
        load("""
            heat_template_version: 2016-10-14
            conditions:
              c: {equals: [{list_join: ['', [a]]}, a]}
            """)


def test_member_list_to_map(load):
    rs = load("""
        AWSTemplateFormatVersion: '2010-09-09'
        Outputs:
          o:
            Value:
              Fn::MemberListToMap: [Name, Value, ['.member.0.Name=key', '.member.0.Value=door',
                                                  '.member.1.Name=colour', '.member.1.Value=green',
                                                  'member.2.Name=ignored']]
        """)
    assert rs.outputs == {"o": {"key": "door", "colour": "green"}}
    with pytest.raises(TemplateError, match="must be strings"):
        load("AWSTemplateFormatVersion: '2010-09-09'\nOutputs:\n  o: {Value: {'Fn::MemberListToMap': [a, b, [1]]}}\n")
