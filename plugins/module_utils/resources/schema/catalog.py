"""Offline catalog of Heat 27 resource types.

The facts live in :mod:`catalog_data` (generated from Heat by ``tools/gen_catalog.py``: names,
types, required, defaults, update_allowed, constraints, nested schemas, attribute names); this
module turns them into :class:`~.schema.ResourceSchema` objects on first use and resolves the
type aliases of Heat's default global environment (``OS::Ceilometer::Alarm`` ->
``OS::Aodh::Alarm``, ``OS::Quantum*`` -> ``OS::Neutron*``).
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.catalog_data import (
    ALIASES, CATALOG, HEAT_VERSION)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.constraints import constraint_from_facts
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import (
    Attribute, Property, Rename, ResourceSchema)

__all__ = ["HEAT_VERSION", "UNKNOWN_TYPE_MESSAGE", "UNKNOWN_ATTRIBUTE_MESSAGE", "canonical_type", "get",
           "type_names", "property_from_facts", "schema_from_facts", "provider_schema"]

#: Heat's wording when a template names a type nobody provides
UNKNOWN_TYPE_MESSAGE = "The Resource Type (%s) could not be found."

#: Heat's wording when ``get_attr`` names an attribute the type does not have
UNKNOWN_ATTRIBUTE_MESSAGE = "The Referenced Attribute (%s %s) is incorrect."

_cache: dict[str, ResourceSchema] = {}

#: HOT and CFN parameter types -> the property type Heat gives a provider template's facade
_PARAMETER_TYPES = {
    "string": "String", "number": "Number", "comma_delimited_list": "List", "commadelimitedlist": "List",
    "json": "Map", "boolean": "Boolean",
}
_PARAMETER_CONSTRAINT_KEYS = {
    "allowed_values": "allowed_values", "allowed_pattern": "allowed_pattern", "length": "length",
    "range": "range", "modulo": "modulo", "custom_constraint": "custom_constraint",
}


def property_from_facts(facts: Mapping[str, Any]) -> Property:
    """Build a :class:`Property` from the catalog's compact form (see tools/gen_catalog.py)."""
    nested = facts.get("s")
    schema: Any = None
    if nested is not None:
        if facts["t"] == "List":
            schema = property_from_facts(nested["*"])
        else:
            schema = {k: property_from_facts(v) for k, v in nested.items()}
    return Property(
        facts["t"],
        required=facts.get("r", False),
        default=facts.get("d"),
        update_allowed=facts.get("u", False),
        immutable=facts.get("i", False),
        implemented=not facts.get("x", False),
        support_status=facts.get("st", "SUPPORTED"),
        allow_conversion=facts.get("conv", False),
        constraints=[constraint_from_facts(c) for c in facts.get("c", ())],
        schema=schema,
    )


def _renames(rules: Any) -> list[Rename]:
    """Heat's translation rules about deprecated keys, as :class:`Rename` objects.

    Rules that move values between levels are not reproduced (validation is then looser).
    A conditional Add rule's trigger is the conditionally deleted key of the same type.
    """
    out = []
    rules = list(rules or ())
    triggers = [r[1] for r in rules if r[0] == "Delete" and len(r) > 5 and r[5]]
    for rule in rules:
        kind, path, value_path, value_name = rule[:4]
        custom = rule[4] if len(rule) > 4 else None
        when_set = bool(rule[5]) if len(rule) > 5 else False
        if custom:
            continue
        if kind == "Delete":
            out.append(Rename(path[:-1], None, path[-1], when_set=when_set))
        elif kind == "Replace" and value_name:
            out.append(Rename(path[:-1], path[-1], value_name, when_set=when_set))
        elif kind == "Replace" and value_path and len(path) == 1 and len(value_path) == 1:
            out.append(Rename((), path[0], value_path[0], when_set=when_set))
        elif kind == "Add" and when_set and len(triggers) == 1 and len(path) == 1 and len(triggers[0]) == 1:
            out.append(Rename((), path[0], triggers[0][0], kind="add", when_set=True))
    return out


#: types whose ``value`` property takes the declared type of their ``type`` property
#: (Heat maps the HOT parameter type to a property type)
_TYPED_VALUES = {
    "OS::Heat::Value": ("type", "value", {"string": "String", "number": "Number",
                                          "comma_delimited_list": "List", "json": "Map",
                                          "boolean": "Boolean"}),
}


def schema_from_facts(type_name: str, entry: Mapping[str, Any]) -> ResourceSchema:
    """Build a :class:`ResourceSchema` from one catalog entry."""
    return ResourceSchema(
        type_name,
        {name: property_from_facts(p) for name, p in entry.get("p", {}).items()},
        {name: Attribute(t) for name, t in entry.get("a", {}).items()},
        support_status=entry.get("st", "SUPPORTED"),
        accepts_any=bool(entry.get("any")),
        renames=_renames(entry.get("tr")),
        provider=bool(entry.get("provider")),
        update_policy={name: property_from_facts(p) for name, p in entry.get("up", {}).items()},
        dynamic_attributes=bool(entry.get("dyn")),
        typed_value=_TYPED_VALUES.get(type_name),
    )


def _parameter_constraints(spec: Mapping[str, Any]) -> list:
    """Constraints of one HOT (``constraints:``) or CFN (``AllowedValues``...) parameter."""
    out: list = []
    for item in spec.get("constraints") or ():
        if not isinstance(item, Mapping):
            continue
        for key, value in item.items():
            if key not in _PARAMETER_CONSTRAINT_KEYS:
                continue
            if key in ("length", "range") and isinstance(value, Mapping):
                out.append([key, value.get("min"), value.get("max")])
            elif key == "modulo" and isinstance(value, Mapping):
                out.append([key, value.get("step"), value.get("offset")])
            else:
                out.append([key, value])
    # CFN keys, in the order Heat builds their constraints
    if "MinValue" in spec or "MaxValue" in spec:
        out.append(["range", spec.get("MinValue"), spec.get("MaxValue")])
    if "MinLength" in spec or "MaxLength" in spec:
        out.append(["length", spec.get("MinLength"), spec.get("MaxLength")])
    if "AllowedValues" in spec:
        out.append(["allowed_values", spec["AllowedValues"]])
    if "AllowedPattern" in spec:
        out.append(["allowed_pattern", spec["AllowedPattern"]])
    return out


def provider_schema(type_name: str, template: Mapping[str, Any]) -> ResourceSchema:
    """The schema Heat gives a provider template (a nested stack used as a type).

    Properties are the template's parameters (required when there is no default, update
    allowed, ``comma_delimited_list``/``json`` also accept a string), attributes its outputs.
    ``template`` is the parsed template (HOT or CFN).
    """
    params = template.get("parameters") or template.get("Parameters") or {}
    outputs = template.get("outputs") or template.get("Outputs") or {}
    props = {}
    for name, spec in params.items() if isinstance(params, Mapping) else ():
        spec = spec if isinstance(spec, Mapping) else {}
        raw_type = str(spec.get("type", spec.get("Type", "string"))).lower()
        ptype = _PARAMETER_TYPES.get(raw_type, "Map")
        has_default = "default" in spec or "Default" in spec
        props[name] = property_from_facts({
            "t": ptype, "r": not has_default, "u": True, "conv": ptype in ("List", "Map"),
            "c": _parameter_constraints(spec)})
    attrs = {name: Attribute() for name in (outputs if isinstance(outputs, Mapping) else ())}
    return ResourceSchema(type_name, props, attrs, provider=True)


def canonical_type(type_name: str) -> str | None:
    """The catalog type ``type_name`` stands for (aliases resolved), or None when unknown."""
    if not isinstance(type_name, str):
        return None
    if type_name in CATALOG:
        return type_name
    target = ALIASES.get(type_name)
    if target is None:
        for pattern, replacement in ALIASES.items():
            if pattern.endswith("*") and type_name.startswith(pattern[:-1]) and replacement.endswith("*"):
                target = replacement[:-1] + type_name[len(pattern) - 1:]
                break
    return target if target in CATALOG else None


def get(type_name: str) -> ResourceSchema | None:
    """The schema of ``type_name`` (aliases resolved), or None when Heat has no such type.

    For an alias the returned schema's ``type_name`` is the type it stands for.
    """
    canonical = canonical_type(type_name)
    if canonical is None:
        return None
    schema = _cache.get(canonical)
    if schema is None:
        schema = _cache[canonical] = schema_from_facts(canonical, CATALOG[canonical])
    return schema


def type_names() -> list[str]:
    """Every type in the catalog (aliases not included), sorted."""
    return sorted(CATALOG)
