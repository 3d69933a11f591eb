"""Property validation reproduces Heat 27's rules and wording (schema.py)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.constraints import (
    AllowedPattern, AllowedValues, CustomConstraint, Length, Modulo, Range, constraint_from_facts)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.evaluation import UNKNOWN, validation_value
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import Attribute, Property, Rename, ResourceSchema
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.validation import format_path, validate_properties
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved

BASE = "resources.res.properties"


def heat_error(schema: ResourceSchema, props: dict, path: str = BASE, **kw) -> str:
    """Validate and return Heat's full message of the error raised."""
    with pytest.raises(PropertyError) as info:
        validate_properties(schema, props, path, **kw)
    return info.value.heat_message


def one(prop: Property, name: str = "p") -> ResourceSchema:
    return ResourceSchema("Test::One", {name: prop})


# ---- unknown / required ------------------------------------------------------------------
def test_unknown_property_is_reported_at_the_properties_level():
    schema = ResourceSchema("OS::Octavia::HealthMonitor", {"delay": Property("Integer")})
    with pytest.raises(PropertyError) as info:
        validate_properties(schema, {"delay": 3, "max_retries_down": 3}, "resources.monitor.properties",
                            file="t.yaml")
    err = info.value
    assert err.heat_message == "Property error: resources.monitor.properties: Unknown Property max_retries_down"
    assert err.path == "resources.monitor.properties"
    assert str(err) == "t.yaml: resources.monitor.properties: Unknown Property max_retries_down"


def test_unknown_keys_are_reported_before_any_value_error():
    schema = ResourceSchema("T", {"n": Property("Integer")})
    assert heat_error(schema, {"n": "x", "zzz": 1}).endswith("Unknown Property zzz")


def test_missing_required_top_level_property_names_the_properties_section():
    schema = ResourceSchema("T", {"name": Property("String", required=True)})
    assert heat_error(schema, {}) == "Property error: resources.res.properties: Property name not assigned"


def test_required_property_with_null_value_counts_as_present():
    schema = ResourceSchema("T", {"name": Property("String", required=True)})
    validate_properties(schema, {"name": None}, BASE)


def test_missing_nested_required_key_names_the_enclosing_property():
    workflow = Property("Map", required=True, schema={"name": Property("String", required=True),
                                                      "input": Property("Map")})
    schema = ResourceSchema("OS::Mistral::CronTrigger", {"workflow": workflow})
    assert heat_error(schema, {"workflow": {"input": {}}}) == (
        "Property error: resources.res.properties.workflow: Property name not assigned")


def test_get_attr_value_for_a_map_with_required_keys_fails_like_heat():
    # Heat sees null for get_attr of a resource not yet created; the Map becomes {} and its
    # required nested key is missing (corpus: hot/mistral/templates/autoscaling_using_mistral).
    workflow = Property("Map", required=True, schema={"name": Property("String", required=True)})
    schema = ResourceSchema("OS::Mistral::CronTrigger", {"workflow": workflow})
    value = Unresolved({"get_attr": ["wf", "data"]})
    assert heat_error(schema, {"workflow": value}, "resources.trigger_release_cpu.properties") == (
        "Property error: resources.trigger_release_cpu.properties.workflow: Property name not assigned")


def test_get_attr_value_for_a_plain_map_is_accepted():
    schema = one(Property("Map", required=True))
    validate_properties(schema, {"p": Unresolved({"get_attr": ["wf", "data"]})}, BASE)


def test_nested_unknown_key_in_list_item_has_indexed_path():
    item = Property("Map", schema={"port": Property("String"), "network": Property("String")})
    schema = ResourceSchema("T", {"networks": Property("List", schema=item)})
    msg = heat_error(schema, {"networks": [{"port": "a"}, {"prot": "b"}]})
    assert msg == "Property error: resources.res.properties.networks[1]: Unknown Property prot"


def test_nested_type_error_has_full_path():
    item = Property("Map", schema={"min": Property("Integer")})
    schema = ResourceSchema("T", {"classes": Property("List", schema=item)})
    msg = heat_error(schema, {"classes": [{"min": "x"}]})
    assert msg == "Property error: resources.res.properties.classes[0].min: Value 'x' is not an integer"


def test_property_holding_an_unresolved_value_skips_nested_unknown_keys_and_constraints():
    # Heat validates such a property without constraints and without nested key checks.
    item = Property("Map", schema={"port": Property("String"), "size": Property("Integer", constraints=[Range(1, 2)])})
    schema = ResourceSchema("T", {"networks": Property("List", schema=item)})
    port = Unresolved({"get_resource": "port"})
    validate_properties(schema, {"networks": [{"port": port, "extra": 1, "size": 99}]}, BASE)


def test_errors_inside_a_property_with_unresolved_values_are_reported_at_the_property():
    item = Property("Map", schema={"port": Property("String"), "size": Property("Integer")})
    schema = ResourceSchema("T", {"networks": Property("List", schema=item)})
    port = Unresolved({"get_resource": "port"})
    msg = heat_error(schema, {"networks": [{"port": port, "size": "big"}]})
    assert msg == "Property error: resources.res.properties.networks: Value 'big' is not an integer"


def test_not_implemented_property_is_refused():
    schema = one(Property("String", implemented=False))
    assert heat_error(schema, {"p": "x"}) == "Property error: resources.res.properties: Property p not implemented yet"


def test_cfn_path_is_kept_as_given():
    schema = ResourceSchema("AWS::EC2::Instance", {"ImageId": Property("String", required=True)})
    assert heat_error(schema, {}, "Resources.WebServer.Properties") == (
        "Property error: Resources.WebServer.Properties: Property ImageId not assigned")


def test_properties_that_are_not_a_map_are_a_clean_error():
    with pytest.raises(PropertyError) as info:
        validate_properties(one(Property("String")), ["a"], BASE)
    assert "is not a map" in str(info.value)


def test_none_properties_mean_empty():
    validate_properties(one(Property("String")), None, BASE)
    assert "Property p not assigned" in heat_error(one(Property("String", required=True)), None)


# ---- type conversions ---------------------------------------------------------------------
@pytest.mark.parametrize("value", [8, "8", " 8", 8.7, True, None])
def test_integer_accepts_what_heat_accepts(value):
    validate_properties(one(Property("Integer")), {"p": value}, BASE)


@pytest.mark.parametrize("value, message", [
    ("", "Value '' is not an integer"),
    ("8.5", "Value '8.5' is not an integer"),
    ("eight", "Value 'eight' is not an integer"),
])
def test_integer_refuses_non_integer_strings(value, message):
    assert heat_error(one(Property("Integer")), {"p": value}) == "Property error: %s.p: %s" % (BASE, message)


def test_integer_refuses_a_list_with_pythons_conversion_message():
    msg = heat_error(one(Property("Integer")), {"p": [1]})
    assert msg.startswith("Property error: resources.res.properties.p: int() argument must be")
    assert "'list'" in msg


def test_random_string_length_empty_string_matches_the_corpus_error():
    length = Property("Integer", default=32, constraints=[Range(1, 512)])
    schema = ResourceSchema("OS::Heat::RandomString", {"length": length})
    assert heat_error(schema, {"length": ""}, "resources.random.properties") == (
        "Property error: resources.random.properties.length: Value '' is not an integer")


@pytest.mark.parametrize("value", [1, 1.5, "1.5", "2", "1e3"])
def test_number_accepts_numbers_and_numeric_strings(value):
    validate_properties(one(Property("Number")), {"p": value}, BASE)


def test_number_refuses_text():
    assert heat_error(one(Property("Number")), {"p": "abc"}).endswith("could not convert string to float: 'abc'")


@pytest.mark.parametrize("value", [True, False, "true", "False", "TRUE"])
def test_boolean_accepts_bools_and_true_false_strings(value):
    validate_properties(one(Property("Boolean")), {"p": value}, BASE)


@pytest.mark.parametrize("value, message", [
    ("yes", '"yes" is not a valid boolean'),
    ("On", '"on" is not a valid boolean'),
    (1, '"1" is not a valid boolean'),
])
def test_boolean_refuses_other_values(value, message):
    assert heat_error(one(Property("Boolean")), {"p": value}).endswith("p: " + message)


@pytest.mark.parametrize("value", ["x", 5, True, None])
def test_string_accepts_strings_ints_and_bools(value):
    validate_properties(one(Property("String")), {"p": value}, BASE)


@pytest.mark.parametrize("value, message", [
    (1.5, "Value must be a string; got 1.5"),
    (["a"], "Value must be a string; got ['a']"),
    ({"a": 1}, "Value must be a string; got {'a': 1}"),
])
def test_string_refuses_floats_lists_and_maps(value, message):
    assert heat_error(one(Property("String")), {"p": value}).endswith("p: " + message)


def test_map_refuses_a_list_with_heats_wording():
    schema = ResourceSchema("OS::Heat::StructuredConfig", {"config": Property("Map")})
    assert heat_error(schema, {"config": ["recipe[nginx-pkg]"]}, "resources.structured_config.properties") == (
        "Property error: resources.structured_config.properties.config: \"['recipe[nginx-pkg]']\" is not a map")


def test_list_refuses_a_string_with_heats_wording():
    assert heat_error(one(Property("List")), {"p": "abc"}).endswith("p: \"'abc'\" is not a list")


def test_list_refuses_a_map():
    assert heat_error(one(Property("List")), {"p": {"a": 1}}).endswith("p: \"{'a': 1}\" is not a list")


def test_list_with_conversion_accepts_a_comma_delimited_string():
    schema = one(Property("List", allow_conversion=True, constraints=[Length(2, 2)]))
    validate_properties(schema, {"p": "a, b"}, BASE)
    assert heat_error(schema, {"p": "a"}).endswith("length (1) is out of range (min: 2, max: 2)")


def test_map_with_conversion_accepts_a_string_and_a_list():
    schema = one(Property("Map", allow_conversion=True))
    validate_properties(schema, {"p": "{}"}, BASE)
    validate_properties(schema, {"p": [1, 2]}, BASE)


def test_json_accepts_json_text_and_structures_but_not_bad_json():
    schema = one(Property("Json"))
    validate_properties(schema, {"p": '{"a": 1}'}, BASE)
    validate_properties(schema, {"p": [1]}, BASE)
    assert "Value must be valid JSON" in heat_error(schema, {"p": "{bad"})


def test_any_accepts_everything():
    validate_properties(one(Property("Any")), {"p": object()}, BASE)


# ---- constraints --------------------------------------------------------------------------
def test_allowed_values_wording():
    schema = one(Property("String", constraints=[AllowedValues(["PING", "TCP"])]))
    validate_properties(schema, {"p": "PING"}, BASE)
    assert heat_error(schema, {"p": "UDP"}) == (
        'Property error: resources.res.properties.p: "UDP" is not an allowed value ["PING", "TCP"]')


def test_allowed_values_compare_in_the_property_type():
    schema = one(Property("Integer", constraints=[AllowedValues([4, 6])]))
    validate_properties(schema, {"p": "6"}, BASE)
    assert heat_error(schema, {"p": 5}).endswith("p: 5 is not an allowed value [4, 6]")


def test_allowed_values_of_a_list_checks_every_item():
    schema = one(Property("List", constraints=[AllowedValues(["a", "b"])]))
    validate_properties(schema, {"p": ["a", "b", "a"]}, BASE)
    assert heat_error(schema, {"p": ["a", "c"]}).endswith('p: ["a", "c"] is not an allowed value ["a", "b"]')


def test_length_wording():
    schema = one(Property("String", constraints=[Length(1, 3)]))
    assert heat_error(schema, {"p": "abcde"}).endswith("p: length (5) is out of range (min: 1, max: 3)")
    assert heat_error(schema, {"p": ""}).endswith("p: length (0) is out of range (min: 1, max: 3)")


def test_range_wording_and_string_numbers():
    schema = one(Property("Integer", constraints=[Range(1, 10)]))
    validate_properties(schema, {"p": "10"}, BASE)
    assert heat_error(schema, {"p": 11}).endswith("p: 11 is out of range (min: 1, max: 10)")
    assert heat_error(one(Property("Number", constraints=[Range(min=0)])), {"p": -0.5}).endswith(
        "p: -0.5 is out of range (min: 0, max: None)")


def test_allowed_pattern_must_match_the_whole_value():
    schema = one(Property("String", constraints=[AllowedPattern("[0-9]+")]))
    validate_properties(schema, {"p": "123"}, BASE)
    assert heat_error(schema, {"p": "12a"}).endswith('p: "12a" does not match pattern "[0-9]+"')


def test_modulo_wording():
    schema = one(Property("Integer", constraints=[Modulo(2, 1)]))
    validate_properties(schema, {"p": 3}, BASE)
    assert heat_error(schema, {"p": 4}).endswith("p: 4 is not a multiple of 2 with an offset of 1")


def test_constraints_of_a_default_are_checked_when_the_property_is_absent():
    schema = one(Property("Integer", default=99, constraints=[Range(1, 10)]))
    assert heat_error(schema, {}).endswith("p: 99 is out of range (min: 1, max: 10)")


def test_constraints_are_skipped_for_a_value_that_needs_a_resource():
    schema = one(Property("String", constraints=[AllowedValues(["a"])]))
    form = {"str_replace": {"template": "x-$id", "params": {"$id": {"get_resource": "r"}}}}
    validate_properties(schema, {"p": Unresolved(form)}, BASE)


def test_get_resource_is_the_resource_name_while_validating_as_in_heat():
    assert validation_value(Unresolved({"get_resource": "net"})) == "net"
    assert validation_value(Unresolved({"get_attr": ["net", "id"]})) is None
    assert validation_value(Unresolved({"yaql": {"expression": "1", "data": {"get_attr": ["a", "b"]}}})) is UNKNOWN
    msg = heat_error(one(Property("Integer")), {"p": Unresolved({"get_resource": "net"})})
    assert msg.endswith("p: Value 'net' is not an integer")


def test_string_functions_over_attributes_are_computed_as_heat_does():
    # Heat computes str_replace/list_join with an attribute of an uncreated resource as ''
    attr = {"get_attr": ["rand", "value"]}
    replaced = Unresolved({"str_replace": {"template": "x$a", "params": {"$a": attr}}})
    joined = Unresolved({"list_join": ["", [attr]]})
    assert validation_value(replaced) == "x"
    assert validation_value(joined) == ""
    assert validation_value(Unresolved({"Fn::Join": ["-", [{"Ref": "a"}, "b", attr]]})) == "a-b-"
    assert validation_value(Unresolved({"Fn::Replace": [{"%h%": {"Ref": "h"}}, "http://%h%/"]})) == "http://h/"
    schema = one(Property("Integer"))
    assert heat_error(schema, {"p": replaced}).endswith("p: Value 'x' is not an integer")
    assert heat_error(schema, {"p": joined}).endswith("p: Value '' is not an integer")
    validate_properties(one(Property("String")), {"p": replaced}, BASE)


def test_str_replace_uses_longest_keys_first_like_heat():
    form = {"str_replace": {"template": "$ab $a", "params": {"$a": "1", "$ab": {"get_resource": "r"}}}}
    assert validation_value(Unresolved(form)) == "r 1"


@pytest.mark.parametrize("form", [
    {"yaql": {"expression": "$.data", "data": {"get_attr": ["a", "b"]}}},
    {"list_join": [",", {"get_attr": ["a", "list"]}, [{"a": 1}]]},
    {"str_replace": {"template": "$x", "params": {"$x": [1]}}},
    {"str_replace_strict": {"template": "$x", "params": {"$y": {"get_attr": ["a", "b"]}}}},
    {"str_replace_vstrict": {"template": "$x", "params": {"$x": {"get_attr": ["a", "b"]}}}},
])
def test_other_expressions_over_resources_are_not_checked(form):
    assert validation_value(Unresolved(form)) is UNKNOWN
    validate_properties(one(Property("Integer")), {"p": Unresolved(form)}, BASE)


def test_cloud_custom_constraints_are_skipped_and_recorded():
    schema = one(Property("String", constraints=[CustomConstraint("nova.flavor")]))
    skipped: list = []
    validate_properties(schema, {"p": "m1.tiny"}, BASE, skipped=skipped)
    assert skipped == [{"constraint": "nova.flavor", "value": "m1.tiny", "path": ["p"]}]


def test_expiration_in_the_past_fails_with_heats_wording():
    schema = ResourceSchema("OS::Barbican::Secret", {
        "expiration": Property("String", constraints=[CustomConstraint("expiration")])})
    value = "2017-12-28T19:14:44.180394"
    assert heat_error(schema, {"expiration": value}, "resources.secret.properties") == (
        "Property error: resources.secret.properties.expiration: Error validating value "
        "'2017-12-28T19:14:44.180394': Expiration 2017-12-28T19:14:44.180394 is invalid: "
        "Expiration time is out of date.")


def test_expiration_in_the_future_passes():
    schema = one(Property("String", constraints=[CustomConstraint("expiration")]))
    now = datetime.datetime(2017, 1, 1, tzinfo=datetime.timezone.utc)
    validate_properties(schema, {"p": "2017-12-28T19:14:44.180394"}, BASE, now=now)
    validate_properties(schema, {"p": "2017-12-28T19:14:44Z"}, BASE, now=now)
    assert "is invalid" in heat_error(schema, {"p": "not a date"}, now=now)


@pytest.mark.parametrize("name, good, bad", [
    ("ip_addr", "10.0.0.1", "10.0.0.300"),
    ("mac_addr", "fa:16:3e:00:00:01", "fa:16:3e"),
    ("iso_8601", "2020-01-01T00:00:00", "yesterday"),
    ("timezone", "Europe/Paris", "Mars/Olympus"),
    ("json_string", '{"a": 1}', "{a"),
])
def test_offline_custom_constraints_are_checked(name, good, bad):
    schema = one(Property("String", constraints=[CustomConstraint(name)]))
    validate_properties(schema, {"p": good}, BASE)
    assert heat_error(schema, {"p": bad}).startswith("Property error: resources.res.properties.p: Error validating value")


# ---- renames (Heat translation rules) -----------------------------------------------------
def port_schema() -> ResourceSchema:
    fixed = Property("Map", schema={"subnet": Property("String"), "subnet_id": Property("String")})
    return ResourceSchema("OS::Neutron::Port", {
        "network_id": Property("String"),
        "network": Property("String", required=True),
        "fixed_ips": Property("List", schema=fixed),
    }, renames=[Rename((), "network", "network_id"), Rename(("fixed_ips",), "subnet", "subnet_id")])


def test_deprecated_name_satisfies_the_required_new_name():
    validate_properties(port_schema(), {"network_id": "net"}, BASE)


def test_new_and_deprecated_names_together_are_refused():
    assert heat_error(port_schema(), {"network_id": "a", "network": "b"}) == (
        "Property error: resources.res.properties.network: Cannot define the following properties at the "
        "same time: network, network_id")


def test_renames_inside_list_items():
    validate_properties(port_schema(), {"network": "n", "fixed_ips": [{"subnet_id": "s"}]}, BASE)
    with pytest.raises(PropertyError) as info:
        validate_properties(port_schema(), {"network": "n", "fixed_ips": [{"subnet_id": "s", "subnet": "t"}]}, BASE)
    # Heat words this one without a location; ours keeps it in the path
    assert info.value.heat_message == (
        "Cannot define the following properties at the same time: fixed_ips.subnet, fixed_ips.subnet_id")
    assert info.value.path == "resources.res.properties.fixed_ips[0].subnet"


def test_deprecated_value_wins_when_the_new_name_is_empty():
    schema = ResourceSchema("OS::Neutron::RouterInterface", {
        "router": Property("String", required=True), "router_id": Property("String")},
        renames=[Rename((), "router", "router_id")])
    # Heat takes router_id's value (a string) over the empty map given as router
    validate_properties(schema, {"router": {}, "router_id": "r1"}, BASE)
    # and reads router_id through its type: a null attribute becomes '' and satisfies router
    validate_properties(schema, {"router_id": Unresolved({"get_attr": ["r", "id"]})}, BASE)
    assert heat_error(schema, {"router_id": [1]}) == (
        "Property error: resources.res.properties: Value must be a string; got [1]")


def random_string_schema() -> ResourceSchema:
    cls_item = Property("Map", schema={"class": Property("String", constraints=[AllowedValues(["digits"])]),
                                       "min": Property("Integer")})
    return ResourceSchema("OS::Heat::RandomString", {
        "sequence": Property("String", constraints=[AllowedValues(["digits", "letters"])]),
        "character_classes": Property("List", default=[{"class": "digits", "min": 1}], schema=cls_item),
    }, renames=[Rename((), "character_classes", "sequence", kind="add", when_set=True),
                Rename((), None, "sequence", when_set=True)])


def test_conditional_rules_apply_only_when_the_deprecated_property_is_set():
    schema = random_string_schema()
    validate_properties(schema, {"sequence": "anything"}, BASE)  # deleted, hence not checked
    assert heat_error(schema, {"sequence": ""}).endswith(
        'sequence: "" is not an allowed value ["digits", "letters"]')


def test_add_rule_refuses_what_heat_refuses():
    schema = random_string_schema()
    assert heat_error(schema, {"sequence": "digits", "character_classes": "x"}) == (
        "Property error: resources.res.properties.character_classes: Incorrect translation rule using - "
        "cannot resolve Add rule for non-list translation value \"character_classes\".")
    assert heat_error(schema, {"sequence": "digits", "character_classes": []}) == (
        "Property error: resources.res.properties.character_classes[0]: Incorrect translation rule using - "
        "cannot resolve Add rule for non-list translation value \"character_classes.0\".")


def test_rename_kind_is_checked():
    with pytest.raises(ValueError):
        Rename((), "a", "b", kind="merge")


def test_delete_rule_skips_the_deleted_property():
    schema = ResourceSchema("T", {"old": Property("Integer")}, renames=[Rename((), None, "old")])
    validate_properties(schema, {"old": "not a number"}, BASE)


# ---- declarations -------------------------------------------------------------------------
def test_accepts_any_schema_validates_nothing():
    schema = ResourceSchema("OS::Heat::None", {}, accepts_any=True)
    validate_properties(schema, {"whatever": [1, 2]}, BASE)
    assert schema.has_attribute("anything")


def test_every_schema_has_the_show_attribute():
    schema = ResourceSchema("T", {}, ["value"])
    assert schema.has_attribute("show") and schema.has_attribute("value")
    assert not schema.has_attribute("nope")
    assert schema.attributes["value"] == Attribute()


def test_update_allowed_and_required_helpers():
    schema = ResourceSchema("T", {"a": Property("String", update_allowed=True),
                                  "b": Property("String", required=True)})
    assert schema.update_allowed("a") and not schema.update_allowed("b") and not schema.update_allowed("zz")
    assert schema.required() == ["b"]


@pytest.mark.parametrize("kwargs", [
    {"type": "Str"},
    {"type": "String", "update_allowed": True, "immutable": True},
    {"type": "String", "schema": {"a": Property()}},
    {"type": "List", "schema": {"a": Property()}},
    {"type": "Map", "schema": Property()},
])
def test_invalid_declarations_are_refused(kwargs):
    with pytest.raises(ValueError):
        Property(**kwargs)


def test_list_schema_may_be_given_as_star_mapping():
    assert Property("List", schema={"*": Property("Integer")}).item_schema == Property("Integer")


@pytest.mark.parametrize("facts", [
    ["range", 1, 5], ["length", None, 3], ["modulo", 2, 0], ["allowed_values", ["a"]],
    ["allowed_pattern", "a+"], ["custom_constraint", "nova.flavor"],
])
def test_constraints_round_trip_through_facts(facts):
    assert constraint_from_facts(facts).facts() == facts


def test_unknown_constraint_kind_is_refused():
    with pytest.raises(ValueError):
        constraint_from_facts(["sorcery", 1])


def test_format_path_uses_brackets_for_indices():
    assert format_path("resources.s.properties", ["networks", 0, "port"]) == "resources.s.properties.networks[0].port"
    assert format_path("", ["a", 1]) == "a[1]"


# ---- robustness ---------------------------------------------------------------------------
def _json_like():
    from hypothesis import strategies as st

    leaves = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, width=16),
                       st.sampled_from(["", "8", "true", "x", "a,b", "10.0.0.1", "2017-12-28T19:14:44"]),
                       st.builds(Unresolved, st.sampled_from([
                           {"get_resource": "r"}, {"get_attr": ["r", "a"]}, {"yaql": {"expression": "1"}},
                           {"list_join": [",", [{"get_attr": ["r", "a"]}]]}])))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["name", "network", "port", "min", "x"]),
                                                     inner, max_size=3)), max_leaves=8)


def test_any_input_gives_a_result_or_a_property_error():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema import catalog
    types = ["OS::Nova::Server", "OS::Neutron::Port", "OS::Heat::RandomString", "OS::Mistral::CronTrigger",
             "OS::Heat::Value", "OS::Aodh::CompositeAlarm", "OS::Neutron::Router", "AWS::EC2::Instance"]

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(types), st.dictionaries(st.text(max_size=12), _json_like(), max_size=4),
           st.dictionaries(st.sampled_from(["name", "networks", "length", "value", "type", "workflow",
                                            "fixed_ips", "network_id", "sequence", "composite_rule"]),
                           _json_like(), max_size=4))
    def check(type_name, junk, known):
        schema = catalog.get(type_name)
        for props in (junk, known):
            try:
                validate_properties(schema, props, BASE)
            except PropertyError as exc:
                assert exc.heat_message and "\n" not in str(exc)

    check()
