"""Planner and validation read one schema per type: the catalog's facts with the handler's overrides."""

from __future__ import annotations

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils import resources
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.handlers import HANDLERS
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema import catalog
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import (
    Override, apply_overrides)

TYPES = sorted(HANDLERS)


@pytest.mark.parametrize("type_name", TYPES)
def test_the_planners_update_or_replace_decision_is_the_schemas(type_name):
    cls = HANDLERS[type_name]
    schema = resources.get_schema(type_name)
    assert schema is not None and cls.schema() is schema
    for name, prop in schema.properties.items():
        assert cls.update_allowed(name) == schema.update_allowed(name) == prop.update_allowed, name
    handler = cls.__new__(cls)
    changed = set(schema.properties)
    if type(handler).change_notes is Handler.change_notes:
        notes = handler.change_notes(changed, {})
        assert {k for k, (replace, _note) in notes.items() if replace} == {
            k for k in changed if not schema.update_allowed(k)}


@pytest.mark.parametrize("type_name", TYPES)
def test_overrides_name_catalog_properties_with_a_reason_and_change_a_fact(type_name):
    cls = HANDLERS[type_name]
    heat = catalog.get(type_name)
    schema = resources.get_schema(type_name)
    for name, override in cls.schema_overrides.items():
        assert isinstance(override, Override) and override.reason.strip(), name
        assert name in heat.properties, name
        facts = override.facts()
        assert facts, name
        for fact, value in facts.items():
            assert getattr(heat.properties[name], fact) != value, (name, fact)  # a real difference
            assert getattr(schema.properties[name], fact) == value, (name, fact)
    if not cls.schema_overrides:
        assert schema is heat


@pytest.mark.parametrize("type_name", TYPES)
def test_handlers_keep_no_property_table_restating_the_catalog(type_name):
    cls = HANDLERS[type_name]
    assert not hasattr(cls, "properties")
    schema = cls.schema()
    for name in cls.applied_defaults:
        assert schema.properties[name].default is not None, name
    assert len(set(cls.applied_defaults)) == len(cls.applied_defaults)
    for name, override in cls.schema_overrides.items():
        if "default" in override.facts():
            assert name in cls.applied_defaults, name
    for name in cls.secret_properties:
        assert name in schema.properties, name


def test_validation_reads_the_same_schema_as_the_planner():
    schema = resources.get_schema("OS::Keystone::Project")
    assert not schema.update_allowed("domain")  # Keystone refuses to move a project
    assert catalog.get("OS::Keystone::Project").update_allowed("domain")
    assert resources.validate("OS::Keystone::Project", {"domain": "d"}, "resources.p.properties") is schema


def test_an_override_must_name_a_property_and_give_a_reason():
    heat = catalog.get("OS::Neutron::Port")
    with pytest.raises(ValueError):
        apply_overrides(heat, {"no_such": Override(update_allowed=True, reason="x")})
    with pytest.raises(ValueError):
        Override(update_allowed=True, reason=" ")
    changed = apply_overrides(heat, {"network": Override(required=False, reason="example")})
    assert not changed.properties["network"].required and heat.properties["network"].required
    assert apply_overrides(heat, {}) is heat
