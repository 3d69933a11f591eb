"""The offline catalog of Heat 27 resource types and the registry (catalog.py, __init__.py)."""

from __future__ import annotations

import glob
import json
import os

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils import resources
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError, TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema import catalog, catalog_data
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.constraints import (
    AllowedValues, CustomConstraint, Range)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import Property, ResourceSchema
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))))
CORPUS = os.path.realpath(os.path.join(REPO, "..", "shared", "corpus"))
EXPECTED = os.path.join(CORPUS, "expected", "heat-templates")
TEMPLATES = os.path.join(CORPUS, "heat-templates")
needs_corpus = pytest.mark.skipif(not os.path.isdir(EXPECTED), reason="../shared/corpus is absent")

#: functions whose template form the corpus keeps when a value needs a created resource
FUNCTIONS = {"get_resource", "get_attr", "Ref", "Fn::GetAtt", "str_replace", "str_replace_strict",
             "str_replace_vstrict", "list_join", "Fn::Join", "Fn::Replace", "Fn::Base64", "digest", "yaql",
             "if", "map_merge", "map_replace", "repeat", "Fn::Select", "str_split", "list_concat",
             "list_concat_unique", "filter", "make_url", "Fn::Split", "Fn::MemberListToMap"}

FACT_KEYS_TYPE = {"p", "a", "st", "any", "tr", "provider", "dyn", "up"}
FACT_KEYS_PROP = {"t", "r", "d", "u", "i", "x", "st", "s", "c", "conv"}


def expected_files() -> list[str]:
    return sorted(glob.glob(os.path.join(EXPECTED, "**", "*.json"), recursive=True))


def environment_registry(expected: dict) -> dict:
    """The resource_registry of the environment files Heat was given for this template."""
    registry: dict = {}
    for env in expected.get("environment_files") or ():
        with open(os.path.join(TEMPLATES, env), encoding="utf-8") as fh:
            registry.update((yaml.safe_load(fh) or {}).get("resource_registry") or {})
    return registry


def as_unresolved(value):
    """The corpus keeps values that need a resource in template form: wrap them as the engine does."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in FUNCTIONS:
            return Unresolved(value)
        return {k: as_unresolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_unresolved(v) for v in value]
    return value


# ---- coverage of the corpus ---------------------------------------------------------------
@needs_corpus
def test_every_type_in_the_corpus_expected_files_has_a_schema():
    missing = set()
    seen = 0
    for path in expected_files():
        with open(path, encoding="utf-8") as fh:
            expected = json.load(fh)
        registry = environment_registry(expected)
        for res in (expected.get("resources") or {}).values():
            type_name = res["type"]
            seen += 1
            target = registry.get(type_name)
            if isinstance(target, str) and target.endswith((".yaml", ".yml", ".template")) or "/" in type_name:
                continue  # a provider template: the engine loads it as a nested stack
            if isinstance(target, str):
                type_name = target  # a type alias of the template's environment
            if resources.get_schema(type_name) is None:
                missing.add(type_name)
    assert seen > 500
    assert missing == set()


@needs_corpus
def test_corpus_properties_validate_exactly_as_heat_did():
    """Heat's verdict on every resource's (resolved) properties, including its property errors."""
    mismatches = []
    property_errors = 0
    for path in expected_files():
        with open(path, encoding="utf-8") as fh:
            expected = json.load(fh)
        version = expected.get("template_version") or ""
        cfn = version.startswith(("AWSTemplateFormatVersion", "HeatTemplateFormatVersion"))
        with open(os.path.join(TEMPLATES, expected["template"]), encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        section = (raw.get("Resources") or raw.get("resources") or {}) if isinstance(raw, dict) else {}
        got = []
        for name, res in (expected.get("resources") or {}).items():
            schema = resources.get_schema(res["type"])
            if schema is None or (section.get(name) or {}).get("external_id") is not None:
                continue  # provider templates are the engine's; Heat skips external resources
            where = ("Resources.%s.Properties" if cfn else "resources.%s.properties") % name
            try:
                schema.validate(as_unresolved(res.get("properties") or {}), where)
            except PropertyError as exc:
                got.append(exc.heat_message)
        error = expected.get("error") or ""
        if not expected["valid"] and expected.get("phase") == "validate" and error.startswith("Property error"):
            property_errors += 1
            if error not in got:
                mismatches.append((expected["template"], error, got))
        elif got:
            mismatches.append((expected["template"], None, got))
    assert property_errors == 6
    assert mismatches == []


# ---- sample of types ----------------------------------------------------------------------
def test_server_facts():
    server = catalog.get("OS::Nova::Server")
    assert server.properties["flavor"].required and server.properties["flavor"].update_allowed
    assert CustomConstraint("nova.flavor") in server.properties["flavor"].constraints
    assert not server.properties["image"].required
    networks = server.properties["networks"]
    assert networks.type == "List" and networks.update_allowed
    assert {"network", "port", "fixed_ip", "subnet"} <= set(networks.item_schema.schema)
    assert server.properties["user_data_format"].default == "HEAT_CFNTOOLS"
    assert {"first_address", "networks", "addresses", "show"} <= set(server.attributes)


def test_port_and_subnet_accept_the_deprecated_network_id():
    port = catalog.get("OS::Neutron::Port")
    assert port.properties["network"].required
    port.validate({"network_id": "private"}, "resources.port.properties")
    with pytest.raises(PropertyError) as info:
        port.validate({"network_id": "a", "network": "b"}, "resources.port.properties")
    assert "Cannot define the following properties at the same time: network, network_id" in str(info.value)
    catalog.get("OS::Neutron::Subnet").validate({"network_id": "n", "cidr": "10.0.0.0/24"}, "p")


def test_random_string_facts():
    rs = catalog.get("OS::Heat::RandomString")
    assert rs.properties["length"] == Property("Integer", default=32, constraints=[Range(1, 512)])
    assert set(rs.attributes) == {"value", "show"}


def test_octavia_health_monitor_has_no_max_retries_down():
    hm = catalog.get("OS::Octavia::HealthMonitor")
    assert "max_retries_down" not in hm.properties
    assert AllowedValues(["PING", "TCP", "HTTP", "HTTPS", "UDP-CONNECT"]) in hm.properties["type"].constraints


def test_mistral_cron_trigger_workflow_name_is_required():
    workflow = catalog.get("OS::Mistral::CronTrigger").properties["workflow"]
    assert workflow.required and workflow.schema["name"].required


@pytest.mark.parametrize("type_name", [
    "OS::Aodh::Alarm", "OS::Aodh::EventAlarm", "OS::Aodh::CompositeAlarm", "OS::Aodh::PrometheusAlarm",
    "OS::Aodh::LBMemberHealthAlarm", "OS::Aodh::GnocchiResourcesAlarm",
    "OS::Aodh::GnocchiAggregationByMetricsAlarm", "OS::Aodh::GnocchiAggregationByResourcesAlarm",
    "OS::Keystone::Role", "OS::Keystone::Project", "OS::Keystone::User", "OS::Keystone::Group",
    "OS::Keystone::UserRoleAssignment", "OS::Keystone::GroupRoleAssignment", "OS::Keystone::Domain",
    "OS::Heat::AutoScalingGroup", "OS::Heat::ScalingPolicy", "OS::Heat::SoftwareDeployment",
    "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup", "OS::Zun::Container", "OS::Barbican::Secret",
])
def test_types_the_issues_name_are_in_the_catalog(type_name):
    schema = resources.get_schema(type_name)
    assert isinstance(schema, ResourceSchema) and schema.type_name == type_name
    assert schema.properties and "show" in schema.attributes


def test_prometheus_alarm_requires_query_and_threshold():
    alarm = catalog.get("OS::Aodh::PrometheusAlarm")
    assert alarm.required() == ["query", "threshold"]
    assert alarm.update_allowed("query")
    with pytest.raises(PropertyError) as info:
        alarm.validate({"query": "up"}, "resources.alarm.properties")
    assert info.value.heat_message == "Property error: resources.alarm.properties: Property threshold not assigned"


def test_composite_alarm_rule_operator_is_checked():
    alarm = catalog.get("OS::Aodh::CompositeAlarm")
    with pytest.raises(PropertyError) as info:
        alarm.validate({"composite_rule": {"operator": "xor", "rules": []}}, "resources.c.properties")
    assert info.value.heat_message == (
        'Property error: resources.c.properties.composite_rule.operator: "xor" is not an allowed value ["or", "and"]')


def test_keystone_role_assignment_roles_need_a_role():
    ura = catalog.get("OS::Keystone::UserRoleAssignment")
    with pytest.raises(PropertyError) as info:
        ura.validate({"user": "u", "roles": [{"project": "p"}]}, "resources.a.properties")
    assert info.value.heat_message == "Property error: resources.a.properties.roles[0]: Property role not assigned"


def test_heat_value_checks_the_value_against_its_declared_type():
    value = catalog.get("OS::Heat::Value")
    value.validate({"value": {"a": 1}}, "resources.v.properties")
    value.validate({"value": [1], "type": "comma_delimited_list"}, "resources.v.properties")
    value.validate({"value": {"a": 1}, "type": "json"}, "resources.v.properties")
    with pytest.raises(PropertyError) as info:  # Heat does not split a string here
        value.validate({"value": "a,b", "type": "comma_delimited_list"}, "resources.v.properties")
    assert info.value.heat_message == "Property error: resources.v.properties.value: \"'a,b'\" is not a list"
    with pytest.raises(PropertyError) as info:
        value.validate({"value": 8, "type": "comma_delimited_list"}, "resources.v.properties")
    assert info.value.heat_message == 'Property error: resources.v.properties.value: "8" is not a list'
    with pytest.raises(PropertyError) as info:
        value.validate({"value": "x", "type": "number"}, "resources.v.properties")
    assert "could not convert string to float" in info.value.heat_message
    with pytest.raises(PropertyError) as info:
        value.validate({"value": 1, "type": "float"}, "resources.v.properties")
    assert info.value.heat_message.endswith('type: "float" is not an allowed value '
                                            '["string", "number", "comma_delimited_list", "json", "boolean"]')


def test_heat_none_accepts_any_property():
    none = catalog.get("OS::Heat::None")
    assert none.accepts_any
    none.validate({"anything": {"goes": 1}}, "p")


def test_hidden_types_are_known_with_their_status():
    assert catalog.get("OS::Neutron::RouterGateway").support_status == "HIDDEN"
    assert catalog.get("OS::Aodh::Alarm").support_status == "DEPRECATED"
    assert catalog.get("OS::Neutron::Net").support_status == "SUPPORTED"


def test_provider_types_of_heats_global_environment():
    alarm = catalog.get("AWS::CloudWatch::Alarm")
    assert alarm.provider
    assert alarm.properties["AlarmActions"].allow_conversion
    assert {"MetricName", "ComparisonOperator"} <= set(alarm.required())
    rds = catalog.get("AWS::RDS::DBInstance")
    assert "Endpoint.Address" in rds.attributes


def test_update_policy_of_groups():
    group = catalog.get("OS::Heat::ResourceGroup")
    group.validate_update_policy({"rolling_update": {"max_batch_size": 2}}, "resources.g.update_policy")
    with pytest.raises(PropertyError) as info:
        group.validate_update_policy({"rolling_update": {"max_batch_size": "x"}}, "resources.g.update_policy")
    assert info.value.heat_message == (
        "Property error: resources.g.update_policy.rolling_update.max_batch_size: Value 'x' is not an integer")
    with pytest.raises(PropertyError) as info:
        catalog.get("OS::Nova::Server").validate_update_policy({"rolling_update": {}}, "resources.s.update_policy")
    assert info.value.heat_message == "Property error: resources.s.update_policy: Unknown Property rolling_update"


def test_attribute_names_are_checked_except_for_computed_ones():
    server = catalog.get("OS::Nova::Server")
    assert server.has_attribute("first_address") and not server.has_attribute("first_adress")
    group = catalog.get("OS::Heat::ResourceGroup")
    assert group.dynamic_attributes and group.has_attribute("resource.0.networks")


def test_update_action_follows_update_allowed_and_immutable():
    server = catalog.get("OS::Nova::Server")
    assert server.update_action([]) == "none"
    assert server.update_action(["name", "flavor"]) == "update"
    assert server.update_action(["name", "key_name"]) == "replace"
    immutable = [n for t in catalog.type_names() for n, p in catalog.get(t).properties.items() if p.immutable]
    assert immutable  # Heat marks some properties immutable
    schema = ResourceSchema("T", {"a": Property("String", immutable=True), "b": Property("String", update_allowed=True)})
    assert schema.update_action(["b", "a"]) == "immutable"


def test_provider_schema_from_hot_parameters_and_outputs():
    template = {
        "heat_template_version": "2018-08-31",
        "parameters": {
            "flavor": {"type": "string", "constraints": [{"allowed_values": ["m1.tiny", "m1.small"]}]},
            "count": {"type": "number", "default": 1, "constraints": [{"range": {"min": 1, "max": 3}}]},
            "names": {"type": "comma_delimited_list", "default": []},
            "extra": {"type": "json", "default": {}},
        },
        "outputs": {"ip": {"value": 1}},
    }
    schema = catalog.provider_schema("My::Server", template)
    assert schema.provider and schema.required() == ["flavor"]
    assert schema.update_allowed("count") and schema.has_attribute("ip") and schema.has_attribute("show")
    schema.validate({"flavor": "m1.tiny", "names": "a,b", "extra": '{"k": 1}'}, "resources.s.properties")
    with pytest.raises(PropertyError) as info:
        schema.validate({"flavor": "m1.huge"}, "resources.s.properties")
    assert info.value.heat_message.endswith('flavor: "m1.huge" is not an allowed value ["m1.tiny", "m1.small"]')
    with pytest.raises(PropertyError) as info:
        schema.validate({"flavor": "m1.tiny", "count": 5, "bogus": 1}, "resources.s.properties")
    assert info.value.heat_message.endswith("properties: Unknown Property bogus")


def test_provider_schema_from_cfn_parameters():
    template = {"Parameters": {"Size": {"Type": "String", "AllowedPattern": "[0-9]+", "MaxLength": 3}}}
    schema = catalog.provider_schema("My::Volume", template)
    with pytest.raises(PropertyError) as info:
        schema.validate({"Size": "1234"}, "Resources.V.Properties")
    assert info.value.heat_message == "Property error: Resources.V.Properties.Size: length (4) is out of range (min: None, max: 3)"


# ---- aliases and unknown types ------------------------------------------------------------
def test_aliases_of_heats_global_environment():
    assert catalog.canonical_type("OS::Ceilometer::Alarm") == "OS::Aodh::Alarm"
    assert resources.get_schema("OS::Ceilometer::Alarm") is catalog.get("OS::Aodh::Alarm")
    assert catalog.canonical_type("OS::Quantum::Net") == "OS::Neutron::Net"
    assert catalog.canonical_type("OS::Quantum::Nope") is None


def test_unknown_type_has_no_schema_and_heats_wording():
    assert resources.get_schema("Rackspace::Cloud::Server") is None
    assert catalog.get(None) is None  # type: ignore[arg-type]
    with pytest.raises(TemplateError) as info:
        resources.require_schema("Rackspace::Cloud::Server", file="t.yaml", path="resources.web")
    assert str(info.value) == "t.yaml: resources.web: The Resource Type (Rackspace::Cloud::Server) could not be found."
    assert info.value.heat_message == "The Resource Type (Rackspace::Cloud::Server) could not be found."


def test_registry_validate_helper():
    assert resources.validate("OS::Heat::RandomString", {"length": 8}, "resources.r.properties").type_name == (
        "OS::Heat::RandomString")
    with pytest.raises(PropertyError):
        resources.validate("OS::Heat::RandomString", {"length": 0}, "resources.r.properties")
    with pytest.raises(TemplateError):
        resources.validate("No::Such::Type", {}, "resources.r.properties")


def test_handler_types_get_a_schema():
    for type_name in resources.handler_types():
        schema = resources.get_schema(type_name)
        assert isinstance(schema, ResourceSchema), type_name
        assert resources.get_handler(type_name) is not None


# ---- the data itself ----------------------------------------------------------------------
def test_catalog_holds_only_facts():
    def walk(prop: dict) -> None:
        assert set(prop) <= FACT_KEYS_PROP, prop
        for nested in (prop.get("s") or {}).values():
            walk(nested)

    assert catalog_data.HEAT_VERSION == "27.0.1"
    assert len(catalog.type_names()) > 190
    for entry in catalog_data.CATALOG.values():
        assert set(entry) <= FACT_KEYS_TYPE
        for prop in entry["p"].values():
            walk(prop)


def test_every_catalog_entry_builds():
    for type_name in catalog.type_names():
        schema = catalog.get(type_name)
        assert schema.type_name == type_name and "show" in schema.attributes
