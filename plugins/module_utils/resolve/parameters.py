"""Template parameters: schemas, type conversion and constraints, as Heat does them.

HOT types: ``string``, ``number``, ``json``, ``comma_delimited_list``, ``boolean``; CFN types
``String``, ``Number``, ``CommaDelimitedList``, ``Json``, ``Boolean``.  Constraints: length,
range, modulo (2017-02-24+), allowed_values, allowed_pattern; custom constraints need a cloud
and are recorded as skipped offline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    ParameterError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK

HOT_TYPES = {"string": "string", "number": "number", "json": "json",
             "comma_delimited_list": "list", "boolean": "boolean"}
CFN_TYPES = {"String": "string", "Number": "number", "Json": "json",
             "CommaDelimitedList": "list", "Boolean": "boolean"}
HOT_KEYS = {"type", "description", "default", "schema", "constraints", "hidden", "label",
            "immutable"}
HOT_KEYS_20180302 = HOT_KEYS | {"tags"}
CFN_KEYS = {"Type", "Default", "NoEcho", "AllowedValues", "AllowedPattern", "MaxLength",
            "MinLength", "MaxValue", "MinValue", "Description", "ConstraintDescription",
            "Label"}
CONSTRAINT_KEYS = {"length", "range", "allowed_values", "allowed_pattern", "custom_constraint",
                   "description"}
TRUE_STRINGS = ("1", "t", "true", "on", "y", "yes")
FALSE_STRINGS = ("0", "f", "false", "off", "n", "no")


@dataclass
class Constraint:
    """One parameter constraint (kind: length/range/modulo/allowed_values/allowed_pattern/custom)."""

    kind: str
    spec: Any
    description: str | None = None


@dataclass
class ParamSchema:
    """One parameter's declaration."""

    name: str
    type: str  # string|number|json|list|boolean
    type_name: str
    default: Any = None
    has_default: bool = False
    hidden: bool = False
    label: str | None = None
    description: str | None = None
    immutable: bool = False
    tags: list = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)


def _num(v: Any) -> Any:
    """Heat's str_to_num: numbers stay, text is int() else float()."""
    if isinstance(v, (int, float)):
        return v
    if not isinstance(v, str):
        raise TypeError("%r is not a number" % (v,))
    try:
        return int(v)
    except ValueError:
        return float(v)


def parse_schemas(section: Any, *, cfn: bool, version: str, file: str | None) -> dict[str, ParamSchema]:
    """Read the parameters section into schemas; raise TemplateError on bad declarations."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise TemplateError("The parameters section must be a map", file=file, path="parameters")
    out: dict[str, ParamSchema] = {}
    keys = CFN_KEYS if cfn else (HOT_KEYS_20180302 if version >= "2018-03-02" else HOT_KEYS)
    types = CFN_TYPES if cfn else HOT_TYPES
    ckeys = CONSTRAINT_KEYS | ({"modulo"} if (not cfn and version >= "2017-02-24") else set())
    for name, decl in section.items():
        path = "parameters.%s" % name
        if not isinstance(name, str):
            raise TemplateError("Parameter names must be strings, found %r" % (name,),
                                file=file, path="parameters")
        if not isinstance(decl, dict):
            raise TemplateError("Invalid parameter schema for %s: must be a map" % name,
                                file=file, path=path)
        for k in decl:
            if k not in keys:
                raise TemplateError("Invalid key '%s' for parameter (%s)" % (k, name),
                                    file=file, path=path)
        tkey = "Type" if cfn else "type"
        if tkey not in decl:
            raise TemplateError("Missing parameter type for parameter: %s" % name,
                                file=file, path=path)
        tname = decl[tkey]
        if not isinstance(tname, str) or tname not in types:
            raise TemplateError("Invalid type (%s)" % tname, file=file, path=path + "." + tkey)
        s = ParamSchema(name=name, type=types[tname], type_name=tname)
        if cfn:
            s.default = decl.get("Default")
            s.has_default = s.default is not None
            s.hidden = str(decl.get("NoEcho", "false")).lower() == "true"
            s.description = decl.get("Description")
            s.label = decl.get("Label")
            cd = decl.get("ConstraintDescription")
            if "AllowedValues" in decl:
                s.constraints.append(Constraint("allowed_values", decl["AllowedValues"], cd))
            if "AllowedPattern" in decl:
                s.constraints.append(Constraint("allowed_pattern", decl["AllowedPattern"], cd))
            if "MinLength" in decl or "MaxLength" in decl:
                s.constraints.append(Constraint("length", {"min": decl.get("MinLength"),
                                                           "max": decl.get("MaxLength")}, cd))
            if "MinValue" in decl or "MaxValue" in decl:
                s.constraints.append(Constraint("range", {"min": decl.get("MinValue"),
                                                          "max": decl.get("MaxValue")}, cd))
        else:
            s.default = decl.get("default")
            s.has_default = s.default is not None
            hidden = decl.get("hidden", False)
            s.hidden = hidden is True or str(hidden).lower() == "true"
            s.description = decl.get("description")
            s.label = decl.get("label")
            s.immutable = bool(decl.get("immutable", False))
            s.tags = decl.get("tags") or []
            cons = decl.get("constraints") or []
            if not isinstance(cons, list):
                raise TemplateError("Invalid parameter constraints for parameter %s, expected a"
                                    " list" % name, file=file, path=path + ".constraints")
            for i, c in enumerate(cons):
                cpath = "%s.constraints[%d]" % (path, i)
                if not isinstance(c, dict):
                    raise TemplateError("Invalid parameter constraints, expected a map",
                                        file=file, path=cpath)
                desc = c.get("description")
                kinds = [k for k in c if k != "description"]
                for k in kinds:
                    if k not in ckeys:
                        raise TemplateError("Invalid key '%s' for parameter constraints" % k,
                                            file=file, path=cpath)
                if len(kinds) != 1:
                    raise TemplateError("Each constraint needs exactly one kind", file=file,
                                        path=cpath)
                kind = kinds[0]
                s.constraints.append(Constraint(kind if kind != "custom_constraint" else "custom",
                                                c[kind], desc))
        _check_constraint_types(s, file, path)
        out[name] = s
    return out


def _check_constraint_types(s: ParamSchema, file: str | None, path: str) -> None:
    for c in s.constraints:
        if c.kind in ("range", "modulo") and s.type != "number":
            raise TemplateError("%s constraint invalid for Type %s" % (c.kind, s.type_name),
                                file=file, path=path)
        if c.kind == "length" and s.type not in ("string", "list", "json"):
            raise TemplateError("length constraint invalid for Type %s" % s.type_name,
                                file=file, path=path)
        if c.kind == "allowed_pattern" and s.type != "string":
            raise TemplateError("allowed_pattern constraint invalid for Type %s" % s.type_name,
                                file=file, path=path)
        if c.kind == "allowed_values" and not isinstance(c.spec, list):
            raise TemplateError("allowed_values must be a list", file=file, path=path)
        if c.kind in ("length", "range") and not isinstance(c.spec, dict):
            raise TemplateError("%s constraint must be a map" % c.kind, file=file, path=path)


def convert(schema: ParamSchema, value: Any) -> Any:
    """Convert a raw value to the parameter's type as Heat does; ValueError when impossible."""
    t = schema.type
    if t == "string":
        if isinstance(value, (dict, list)):
            raise ValueError("Value must be a string")
        if isinstance(value, bool):
            return str(value)
        return "" if value is None else str(value)
    if t == "number":
        if isinstance(value, bool):
            return value
        try:
            return _num(value)
        except (ValueError, TypeError):
            raise ValueError("Value '%s' is not a number" % (value,)) from None
    if t == "boolean":
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in TRUE_STRINGS:
            return True
        if s in FALSE_STRINGS:
            return False
        raise ValueError("Unrecognized value '%s', acceptable values are: %s"
                         % (value, ", ".join(sorted(TRUE_STRINGS + FALSE_STRINGS))))
    if t == "list":
        # Heat: a list stays a list (items as text); a string is split on "," (no strip)
        if value is None:
            return []
        if isinstance(value, list):
            return [v if isinstance(v, str) else str(v) for v in value]
        if not isinstance(value, str):
            raise ValueError("Value must be a comma-delimited list string: %r" % (value,))
        return [] if value == "" else value.split(",")
    # json: non-strings go through a JSON round trip, an empty string stays as given
    try:
        text = value if isinstance(value, str) else json.dumps(value)
        return json.loads(text) if text else value
    except (ValueError, TypeError) as exc:
        raise ValueError("Value must be valid JSON: %s" % exc) from None


def check_constraints(schema: ParamSchema, value: Any, skipped: list | None = None) -> None:
    """Raise ValueError on the first violated constraint; custom ones are recorded skipped."""
    for c in schema.constraints:
        desc = c.description
        if c.kind == "allowed_values":
            allowed = c.spec
            vals = value if isinstance(value, list) else [value]
            for v in vals:
                ok = v in allowed or (schema.type == "number" and _in_numbers(v, allowed)) or \
                    str(v) in [str(a) for a in allowed]
                if not ok:
                    raise ValueError(desc or '"%s" is not an allowed value %s'
                                     % (v, json.dumps(allowed, default=str)))
        elif c.kind == "allowed_pattern":
            if not isinstance(c.spec, str):
                raise ValueError("allowed_pattern must be a string")
            try:
                matched = re.match(c.spec + r"\Z", str(value))
            except re.error as exc:
                raise ValueError('Invalid allowed_pattern "%s": %s' % (c.spec, exc)) from None
            if not matched:
                raise ValueError(desc or '"%s" does not match pattern "%s"' % (value, c.spec))
        elif c.kind == "length":
            lo, hi = c.spec.get("min"), c.spec.get("max")
            n = len(value) if isinstance(value, (str, list, dict)) else len(str(value))
            if (lo is not None and n < int(lo)) or (hi is not None and n > int(hi)):
                raise ValueError(desc or "length (%d) is out of range (min: %s, max: %s)"
                                 % (n, lo, hi))
        elif c.kind == "range":
            lo, hi = c.spec.get("min"), c.spec.get("max")
            v = _num(value)
            if (lo is not None and v < _num(lo)) or (hi is not None and v > _num(hi)):
                raise ValueError(desc or "%s is out of range (min: %s, max: %s)" % (v, lo, hi))
        elif c.kind == "modulo":
            step, offset = c.spec.get("step"), c.spec.get("offset", 0)
            v = _num(value)
            if step and (v - _num(offset)) % _num(step) != 0:
                raise ValueError(desc or "%s is not a multiple of %s with an offset of %s"
                                 % (v, step, offset))
        elif c.kind == "custom" and skipped is not None:
            skipped.append({"parameter": schema.name, "constraint": c.spec, "value": value})


def _in_numbers(v: Any, allowed: list) -> bool:
    try:
        return _num(v) in [_num(a) for a in allowed]
    except (ValueError, TypeError):
        return False


PSEUDO_HOT = ("OS::stack_name", "OS::stack_id", "OS::project_id")
PSEUDO_CFN = ("AWS::StackName", "AWS::StackId", "AWS::Region")


def resolve_values(schemas: Mapping[str, ParamSchema], user: Mapping[str, Any],
                   defaults: Mapping[str, Any], *, file: str | None,
                   skipped: list | None = None) -> dict[str, Any]:
    """Final values: user value, else parameter_defaults, else the template default."""
    out: dict[str, Any] = {}
    for name, s in schemas.items():
        path = "parameters.%s" % name
        if s.has_default and s.default is not None:
            try:
                dv = convert(s, s.default)
                check_constraints(s, dv)
            except (ValueError, TypeError) as exc:
                raise ParameterError('Invalid default for parameter "%s": %s' % (name, exc),
                                     file=file, path=path) from None
        if name in user and user[name] is not None:
            raw, origin = user[name], "value"
        elif defaults.get(name) is not None:
            raw, origin = defaults[name], "default"
        elif s.has_default:
            raw, origin = s.default, "default"
        else:
            raise ParameterError("The Parameter (%s) was not provided." % name, file=file,
                                 path=path)
        try:
            value = convert(s, raw)
            check_constraints(s, value, skipped)
        except (ValueError, TypeError) as exc:
            shown = MASK if s.hidden else raw
            raise ParameterError('Parameter \'%s\' is invalid: %s (%s %r)'
                                 % (name, exc, origin, shown), file=file, path=path) from None
        out[name] = value
    for name in user:
        if name not in schemas and name not in PSEUDO_HOT + PSEUDO_CFN:
            raise ParameterError('The Parameter (%s) was not defined in template.' % name,
                                 file=file, path="parameters")
    return out
