"""Declarative resource-type schemas and Heat's property validation.

A resource type is a :class:`ResourceSchema`: its :class:`Property` declarations (Heat's
property types ``String``, ``Integer``, ``Number``, ``Boolean``, ``List``, ``Map`` plus
``Json`` and ``Any``; required, default, update_allowed, immutable, constraints, nested
schemas for list items and map keys) and its :class:`Attribute` declarations (always with
``show``).

:func:`validate_properties` checks a resource's ``properties`` the way Heat 27 does when a
stack is validated, with Heat's wording, for example::

    Property error: resources.monitor.properties: Unknown Property max_retries_down
    Property error: resources.trigger.properties.workflow: Property name not assigned
    Property error: resources.random.properties.length: Value '' is not an integer

Heat's rules reproduced here:

* unknown keys are reported first (in the order written), then every declared property in
  declaration order: its value is converted to the declared type (``"8"`` is a fine
  Integer, ``8.7`` becomes 8, booleans accept only ``true``/``false`` strings, an Integer or
  Boolean is a fine String, ...), then its constraints are checked;
* a value that needs a created resource (an :class:`~..values.Unresolved`) is what Heat sees
  while validating: ``get_resource`` gives the resource name, ``get_attr`` gives null (so a
  ``Map`` with required nested keys still fails, as in Heat), ``str_replace``/``list_join``/
  ``Fn::Join``/``Fn::Replace`` over those give the string Heat computes; other functions over
  such values are not checked. A property holding such a value anywhere is converted but its
  constraints (and nested unknown keys) are not checked, and errors inside it are reported at
  the property itself, as in Heat;
* Heat's translation rules for deprecated names (:class:`Rename`): ``network_id`` satisfies
  ``network``, giving both is an error, deleted names are not checked, Add rules;
* OS::Heat::Value's ``value`` is checked against the type its ``type`` names;
* custom constraints that need a cloud (``nova.flavor``, ``neutron.network``...) are skipped
  and recorded; the ones Heat checks without a cloud (``expiration``, ``iso_8601``,
  ``ip_addr``, ``mac_addr``, ``timezone``, ``json_string``) are checked.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Iterable

try:
    from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
except ImportError:  # pragma: no cover - only while the engine is not importable

    class PropertyError(Exception):  # type: ignore[no-redef]
        """Stand-in with the contract's constructor (errors.py not importable)."""

        def __init__(self, message: str, file: str | None = None, path: str | None = None) -> None:
            super().__init__(message)
            self.message, self.file, self.path = message, file, path

        def __str__(self) -> str:
            return ": ".join([p for p in (self.file, self.path) if p] + [self.message])


try:
    from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved as _Unresolved
except ImportError:  # pragma: no cover - only while the engine is not importable
    _Unresolved = None

TYPES = (STRING, INTEGER, NUMBER, BOOLEAN, LIST, MAP, JSON, ANY) = (
    "String", "Integer", "Number", "Boolean", "List", "Map", "Json", "Any",
)

#: support statuses Heat gives types and properties
SUPPORT_STATUSES = ("SUPPORTED", "DEPRECATED", "HIDDEN", "UNSUPPORTED", "UNKNOWN")

#: what a Heat error message starts with for property errors
ERROR_PREFIX = "Property error"


# --------------------------------------------------------------------------------------------
# internal signalling (mirrors Heat's two kinds of failure: a located one and a plain one)
class _Located(Exception):
    """A failure that already knows its path below the current level."""

    def __init__(self, message: str, path: list | None = None, bare: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.path = list(path or [])
        #: Heat reports this one without "Property error: <path>: " (nested rename conflicts)
        self.bare = bare


class _Plain(ValueError):
    """A conversion failure without a path (Heat's ValueError/TypeError)."""


class _Unknown:
    """Stands for a value Heat would compute from a not-yet-created resource (not checked)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()

#: functions whose result Heat computes as a string while the resource does not exist
_REF_FUNCTIONS = frozenset(("get_resource", "Ref"))
#: functions whose result is null while the resource does not exist
_ATTR_FUNCTIONS = frozenset(("get_attr", "Fn::GetAtt"))


def is_unresolved(value: Any) -> bool:
    """True for an engine ``Unresolved`` value (a value that needs a created resource)."""
    if _Unresolved is not None:
        return isinstance(value, _Unresolved)
    return type(value).__name__ == "Unresolved" and hasattr(value, "template_form")


_SCALARS = (str, int, float, bool, type(None))


def contains_unresolved(value: Any) -> bool:
    """True when ``value`` is or contains an Unresolved anywhere."""
    if type(value) in _SCALARS:
        return False
    stack = [value]
    while stack:
        v = stack.pop()
        if is_unresolved(v):
            return True
        if isinstance(v, Mapping):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


_JOIN_FUNCTIONS = frozenset(("list_join", "Fn::Join"))
_REPLACE_FUNCTIONS = frozenset(("str_replace", "str_replace_strict", "Fn::Replace"))


def _evaluate(form: Any) -> Any:
    """Heat's validation-time value of a template form over not-yet-created resources.

    Only the shapes whose result Heat computes without a cloud are evaluated: references
    (name), attributes (None) and string joins/replacements over them; anything else is
    :data:`UNKNOWN`.
    """
    if isinstance(form, Mapping) and len(form) == 1:
        (fn, args), = form.items()
        if fn in _REF_FUNCTIONS:
            return args if isinstance(args, str) else UNKNOWN
        if fn in _ATTR_FUNCTIONS:
            return None
        if fn in _JOIN_FUNCTIONS:
            return _evaluate_join(fn, args)
        if fn in _REPLACE_FUNCTIONS:
            return _evaluate_replace(fn, args)
        if isinstance(fn, str) and (fn.startswith("Fn::") or fn in _KNOWN_FUNCTION_NAMES):
            return UNKNOWN
    if isinstance(form, str) or form is None:
        return form
    return UNKNOWN


#: other function names that may appear in a template form (their result is not computed)
_KNOWN_FUNCTION_NAMES = frozenset((
    "get_param", "get_file", "str_replace_vstrict", "digest", "repeat", "str_split", "map_merge",
    "map_replace", "yaql", "if", "equals", "not", "and", "or", "contains", "filter", "make_url",
    "list_concat", "list_concat_unique", "resource_facade"))


def _evaluate_join(fn: str, args: Any) -> Any:
    if not isinstance(args, list) or len(args) < 2 or not isinstance(args[0], str):
        return UNKNOWN
    if fn == "Fn::Join" and len(args) != 2:
        return UNKNOWN
    items: list = []
    for part in args[1:]:
        part = _evaluate(part) if isinstance(part, Mapping) else part
        if part is None:
            continue
        if not isinstance(part, list):
            return UNKNOWN
        items.extend(part)
    out = []
    for item in items:
        item = _evaluate(item) if isinstance(item, Mapping) else item
        if item is None:
            item = ""
        if not isinstance(item, str):
            return UNKNOWN
        out.append(item)
    return args[0].join(out)


def _evaluate_replace(fn: str, args: Any) -> Any:
    if fn == "Fn::Replace":
        if not isinstance(args, list) or len(args) != 2:
            return UNKNOWN
        mapping, template = args
    else:
        if not isinstance(args, Mapping):
            return UNKNOWN
        mapping, template = args.get("params"), args.get("template")
    if not isinstance(template, str) or not isinstance(mapping, Mapping):
        return UNKNOWN
    values = {}
    for key, value in mapping.items():
        value = _evaluate(value) if isinstance(value, Mapping) else value
        if value is None:
            value = ""
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return UNKNOWN
        values[key] = str(value)
    if fn == "str_replace_strict" and any(key not in template for key in values):
        return UNKNOWN  # Heat's error about unused params is the engine's to report

    def replace(strings: list, keys: list) -> list:
        if not keys:
            return strings
        head, rest = keys[0], keys[1:]
        return [values[head].join(replace(text.split(head), rest)) for text in strings]

    return replace([template], sorted(sorted(values), key=len, reverse=True))[0]


def validation_value(value: Any) -> Any:
    """What Heat sees for an Unresolved value while validating.

    ``get_resource``/``Ref`` give the resource's name, ``get_attr``/``Fn::GetAtt`` give None,
    ``str_replace``/``list_join``/``Fn::Join``/``Fn::Replace`` over those give the string
    Heat computes (an attribute counts as empty); anything else is :data:`UNKNOWN` (not
    checked).
    """
    if not is_unresolved(value):
        return value
    return _evaluate(value.template_form)


def resolve_for_validation(value: Any) -> Any:
    """``value`` with every Unresolved inside replaced by :func:`validation_value` (a copy)."""
    if is_unresolved(value):
        return validation_value(value)
    if isinstance(value, Mapping):
        return {k: resolve_for_validation(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_for_validation(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# constraints
class Constraint:
    """Base of property constraints. ``check`` returns None or Heat's error message."""

    kind = ""
    #: property types the constraint applies to (as Heat declares)
    valid_types: tuple[str, ...] = ()

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        """Heat's error message when ``value`` (already converted) violates the constraint."""
        raise NotImplementedError

    def facts(self) -> list:
        """The constraint as a JSON-able list ``[kind, *args]``."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.facts() == self.facts()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(json.dumps(self.facts(), sort_keys=True, default=str))

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__, ", ".join(repr(a) for a in self.facts()[1:]))


def _str_to_num(value: Any) -> Any:
    """Heat's string to number conversion (int first, then float)."""
    if isinstance(value, numbers.Number):
        return value
    try:
        return int(value)
    except ValueError:
        return float(value)


class Range(Constraint):
    """``range: {min, max}`` for Integer and Number properties."""

    kind = "range"
    valid_types = (INTEGER, NUMBER)

    def __init__(self, min: float | None = None, max: float | None = None) -> None:  # noqa: A002
        if min is None and max is None:
            raise ValueError("a range constraint needs min and/or max")
        self.min, self.max = min, max

    def _ok(self, number: Any) -> bool:
        if self.min is not None and number < self.min:
            return False
        return not (self.max is not None and number > self.max)

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        if self._ok(_str_to_num(value)):
            return None
        return "%s is out of range (min: %s, max: %s)" % (value, self.min, self.max)

    def facts(self) -> list:
        return [self.kind, self.min, self.max]


class Length(Range):
    """``length: {min, max}`` for String, List and Map properties."""

    kind = "length"
    valid_types = (STRING, LIST, MAP)

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        if self._ok(len(value)):
            return None
        return "length (%d) is out of range (min: %s, max: %s)" % (len(value), self.min, self.max)


class Modulo(Constraint):
    """``modulo: {step, offset}`` for Integer and Number properties."""

    kind = "modulo"
    valid_types = (INTEGER, NUMBER)

    def __init__(self, step: int, offset: int) -> None:
        if not step:
            raise ValueError("step cannot be 0")
        self.step, self.offset = step, offset

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        if _str_to_num(value) % self.step == self.offset:
            return None
        return "%s is not a multiple of %s with an offset of %s" % (value, self.step, self.offset)

    def facts(self) -> list:
        return [self.kind, self.step, self.offset]


def _to_schema_type(value: Any, type_name: str) -> Any:
    """Heat's ``to_schema_type`` (used to compare allowed values)."""
    try:
        if type_name == INTEGER:
            num = _str_to_num(value)
            if isinstance(num, float):
                raise ValueError("%s is not an integer." % num)
            return num
        if type_name == NUMBER:
            return _str_to_num(value)
        if type_name == STRING:
            return str(value)
        if type_name == BOOLEAN:
            text = str(value).strip().lower()
            if text in ("1", "t", "true", "on", "y", "yes"):
                return True
            if text in ("0", "f", "false", "off", "n", "no"):
                return False
            raise ValueError(text)
    except (ValueError, TypeError):
        raise _Plain('Value "%s" is invalid for data type "%s".' % (value, type_name)) from None
    return value


class AllowedValues(Constraint):
    """``allowed_values: [...]``; a list value must have every item allowed."""

    kind = "allowed_values"
    valid_types = (STRING, INTEGER, NUMBER, BOOLEAN, LIST)

    def __init__(self, allowed: Iterable[Any]) -> None:
        if isinstance(allowed, str):
            raise ValueError("allowed values must be a list")
        self.allowed = tuple(allowed)

    def _ok(self, value: Any, prop: "Property") -> bool:
        if isinstance(value, list):
            return all(v in self.allowed for v in value)
        allowed = tuple(_to_schema_type(v, prop.type) for v in self.allowed)
        return _to_schema_type(value, prop.type) in allowed

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        if self._ok(value, prop):
            return None
        allowed = "[%s]" % ", ".join(json.dumps(a) for a in self.allowed)
        return "%s is not an allowed value %s" % (json.dumps(value, default=str), allowed)

    def facts(self) -> list:
        return [self.kind, list(self.allowed)]


class AllowedPattern(Constraint):
    """``allowed_pattern: regex``; the whole string must match."""

    kind = "allowed_pattern"
    valid_types = (STRING,)

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._match = re.compile(pattern).match

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        match = self._match(value)
        if match is not None and match.end() == len(value):
            return None
        return '"%s" does not match pattern "%s"' % (value, self.pattern)

    def facts(self) -> list:
        return [self.kind, self.pattern]


# ---- custom constraints Heat checks without a cloud ----------------------------------------
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _parse_iso(text: str) -> datetime.datetime:
    """ISO 8601 date/time (Heat uses iso8601.parse_date: UTC when no offset is given)."""
    short = _YEAR_MONTH.match(text)
    if short:  # iso8601 accepts a bare year or year-month
        return datetime.datetime(int(short.group(1)), int(short.group(2) or 1), 1, tzinfo=datetime.timezone.utc)
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _check_expiration(value: Any, ctx: "_Context") -> tuple[bool, str | None]:
    if not value:
        return True, None
    try:
        when = _parse_iso(str(value).strip())
        if when > ctx.now():
            return True, None
        reason = "Expiration time is out of date."
    except (ValueError, TypeError):
        reason = "Unable to parse date string %r" % (value,)
    return False, "Expiration %s is invalid: %s" % (value, reason)


def _check_iso_8601(value: Any, ctx: "_Context") -> tuple[bool, str | None]:
    try:
        _parse_iso(str(value))
    except (ValueError, TypeError):
        return False, None
    return True, None


def _check_ip_addr(value: Any, ctx: "_Context") -> tuple[bool, str | None]:
    if isinstance(value, str):
        try:
            ipaddress.ip_address(value)
            return True, None
        except ValueError:
            pass
    return False, "Invalid IP address"


_MAC = re.compile(r"^[0-9A-Fa-f]{2}([-:]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$")


def _check_mac_addr(value: Any, ctx: "_Context") -> tuple[bool, str | None]:
    return bool(isinstance(value, str) and _MAC.match(value)), "Invalid MAC address."


def _check_timezone(value: Any, ctx: "_Context") -> tuple[bool, str | None]:
    if not value:
        return True, None
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(value)
        return True, None
    except Exception as exc:  # noqa: BLE001 - any failure means "not a zone"
        return False, "Invalid timezone: %s" % exc


def _check_json_string(value: Any, ctx: "_Context") -> tuple[bool, str | None]:
    if not value:
        return True, None
    try:
        json.loads(value)
        return True, None
    except (ValueError, TypeError) as exc:
        return False, "JSON string %s is invalid: %s" % (value, exc)


#: custom constraints checked offline: name -> check(value, ctx) -> (ok, message)
OFFLINE_CUSTOM_CONSTRAINTS: dict[str, Callable[[Any, "_Context"], tuple[bool, str | None]]] = {
    "expiration": _check_expiration,
    "iso_8601": _check_iso_8601,
    "ip_addr": _check_ip_addr,
    "mac_addr": _check_mac_addr,
    "timezone": _check_timezone,
    "json_string": _check_json_string,
}


class CustomConstraint(Constraint):
    """A named constraint (``nova.flavor``, ``expiration``...).

    Those in :data:`OFFLINE_CUSTOM_CONSTRAINTS` are checked; the others need a cloud and are
    recorded as skipped (``validate_properties(..., skipped=[...])``).
    """

    kind = "custom_constraint"
    valid_types = (STRING, INTEGER, NUMBER, BOOLEAN, LIST)

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def offline(self) -> bool:
        """True when the constraint can be checked without a cloud."""
        return self.name in OFFLINE_CUSTOM_CONSTRAINTS

    def check(self, value: Any, prop: "Property", ctx: "_Context") -> str | None:
        checker = OFFLINE_CUSTOM_CONSTRAINTS.get(self.name)
        if checker is None:
            ctx.skip(self.name, value)
            return None
        ok, message = checker(value, ctx)
        if ok:
            return None
        if message:
            return "Error validating value '%s': %s" % (value, message)
        return "Error validating value '%s'" % (value,)

    def facts(self) -> list:
        return [self.kind, self.name]


_CONSTRAINT_KINDS: dict[str, Callable[..., Constraint]] = {
    "range": Range,
    "length": Length,
    "modulo": Modulo,
    "allowed_values": AllowedValues,
    "allowed_pattern": AllowedPattern,
    "custom_constraint": CustomConstraint,
}


def constraint_from_facts(facts: Sequence[Any]) -> Constraint:
    """Build a constraint from ``[kind, *args]`` (the catalog's format)."""
    kind, *args = facts
    try:
        return _CONSTRAINT_KINDS[kind](*args)
    except KeyError:
        raise ValueError("unknown constraint kind %r" % (kind,)) from None


# --------------------------------------------------------------------------------------------
# declarations
class Property:
    """One property declaration (facts as Heat declares them).

    ``schema`` is the nested schema: for a ``List`` the item :class:`Property` (or
    ``{"*": Property}``), for a ``Map`` a dict of key name -> :class:`Property`.
    """

    __slots__ = ("type", "required", "default", "update_allowed", "immutable", "constraints",
                 "schema", "implemented", "support_status", "allow_conversion", "_default_ok")

    def __init__(self, type: str = STRING, required: bool = False, default: Any = None,  # noqa: A002
                 update_allowed: bool = False, constraints: Iterable[Constraint] = (),
                 schema: "Property | Mapping[str, Property] | None" = None, immutable: bool = False,
                 implemented: bool = True, support_status: str = "SUPPORTED",
                 allow_conversion: bool = False) -> None:
        if type not in TYPES:
            raise ValueError("invalid property type %r (one of %s)" % (type, ", ".join(TYPES)))
        if update_allowed and immutable:
            raise ValueError("update_allowed and immutable cannot both be true")
        self.type = type
        self.required = bool(required)
        self.default = default
        self.update_allowed = bool(update_allowed)
        self.immutable = bool(immutable)
        self.constraints = tuple(constraints)
        self.implemented = bool(implemented)
        self.support_status = support_status
        self.allow_conversion = bool(allow_conversion)
        if isinstance(schema, Mapping) and set(schema) == {"*"} and type == LIST:
            schema = schema["*"]
        if schema is not None:
            if type == LIST and not isinstance(schema, Property):
                raise ValueError("a List schema is one item Property")
            if type == MAP and not isinstance(schema, Mapping):
                raise ValueError("a Map schema is a dict of Property")
            if type not in (LIST, MAP):
                raise ValueError("a nested schema is valid only for List or Map, not %s" % type)
        self.schema = dict(schema) if isinstance(schema, Mapping) else schema
        #: the default passed validation once (cached when no custom constraint can vary)
        self._default_ok = False

    @property
    def item_schema(self) -> "Property | None":
        """The schema of a List's items (None when undeclared)."""
        return self.schema if self.type == LIST else None

    def has_default(self) -> bool:
        """Heat treats a None default as no default."""
        return self.default is not None

    def __repr__(self) -> str:
        extra = []
        for name in ("required", "update_allowed", "immutable"):
            if getattr(self, name):
                extra.append("%s=True" % name)
        if self.default is not None:
            extra.append("default=%r" % (self.default,))
        if self.constraints:
            extra.append("constraints=%r" % (self.constraints,))
        if self.schema is not None:
            extra.append("schema=%r" % (self.schema,))
        return "Property(%s)" % ", ".join([repr(self.type)] + extra)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Property) and all(
            getattr(self, s) == getattr(other, s) for s in self.__slots__ if s != "_default_ok")

    __hash__ = None  # type: ignore[assignment]


class Attribute:
    """One attribute ``get_attr`` can read (``type`` as Heat declares it, may be None)."""

    __slots__ = ("type", "support_status")

    def __init__(self, type: str | None = None, support_status: str = "SUPPORTED") -> None:  # noqa: A002
        self.type = type
        self.support_status = support_status

    def __repr__(self) -> str:
        return "Attribute(%r)" % (self.type,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attribute) and (other.type, other.support_status) == (
            self.type, self.support_status)

    __hash__ = None  # type: ignore[assignment]


#: the attribute every resource has
SHOW = "show"


class Rename:
    """A Heat translation rule about a deprecated property.

    ``path`` is the names (no list indices) of the enclosing property, ``()`` at the top.

    * ``kind="rename"``: ``new`` takes the value of ``old`` when only ``old`` is given, and
      ``old``'s value wins when both are set but one is empty; both set is an error;
    * ``kind="delete"`` (``new`` None): ``old`` is dropped without being validated;
    * ``kind="add"``: ``old``'s value is appended to the list ``new`` (which must then be a
      list; Heat also refuses items of it that are not lists).

    ``when_set``: Heat declares the rule only when ``old`` (a top-level property) is set.
    """

    __slots__ = ("path", "new", "old", "kind", "when_set")

    def __init__(self, path: Sequence[str], new: str | None, old: str, *, kind: str | None = None,
                 when_set: bool = False) -> None:
        self.path, self.new, self.old = tuple(path), new, old
        self.kind = kind or ("delete" if new is None else "rename")
        if self.kind not in ("rename", "delete", "add"):
            raise ValueError("unknown rename kind %r" % (self.kind,))
        self.when_set = when_set

    def __repr__(self) -> str:
        flag = ", when_set=True" if self.when_set else ""
        return "Rename(%r, %r, %r, kind=%r%s)" % (self.path, self.new, self.old, self.kind, flag)


class ResourceSchema:
    """The declared shape of one resource type."""

    def __init__(self, type_name: str, properties: Mapping[str, Property] | None = None,
                 attributes: Mapping[str, Attribute] | Iterable[str] | None = None, *,
                 support_status: str = "SUPPORTED", accepts_any: bool = False,
                 renames: Iterable[Rename] = (), provider: bool = False,
                 update_policy: Mapping[str, Property] | None = None,
                 dynamic_attributes: bool = False,
                 typed_value: tuple[str, str, Mapping[str, str]] | None = None) -> None:
        self.type_name = type_name
        self.properties: dict[str, Property] = dict(properties or {})
        if attributes is None:
            attrs: dict[str, Attribute] = {}
        elif isinstance(attributes, Mapping):
            attrs = dict(attributes)
        else:
            attrs = {name: Attribute() for name in attributes}
        attrs.setdefault(SHOW, Attribute(MAP))
        self.attributes: dict[str, Attribute] = attrs
        self.support_status = support_status
        #: Heat's OS::Heat::None: every property accepted, nothing validated
        self.accepts_any = accepts_any
        #: a provider template (properties are its parameters)
        self.provider = provider
        self.renames: tuple[Rename, ...] = tuple(renames)
        #: the ``update_policy`` keys the type accepts (groups); empty: none accepted
        self.update_policy: dict[str, Property] = dict(update_policy or {})
        #: the type computes attributes beyond ``attributes`` (groups, nested stacks)
        self.dynamic_attributes = dynamic_attributes
        #: (type key, value key, {type: property type}): the value property's declared type
        #: follows the type property (OS::Heat::Value)
        self.typed_value = typed_value
        self._typed: dict[str, ResourceSchema] = {}

    def __repr__(self) -> str:
        return "ResourceSchema(%r, %d properties, %d attributes)" % (
            self.type_name, len(self.properties), len(self.attributes))

    def update_allowed(self, name: str) -> bool:
        """Whether a change of property ``name`` can be applied in place."""
        prop = self.properties.get(name)
        return bool(prop and prop.update_allowed)

    def immutable(self, name: str) -> bool:
        """Whether property ``name`` may never change (Heat refuses such an update)."""
        prop = self.properties.get(name)
        return bool(prop and prop.immutable)

    def update_action(self, changed: Iterable[str]) -> str:
        """How Heat applies a change of the ``changed`` properties.

        ``"none"`` when nothing changed, ``"update"`` when every changed property is
        update-allowed, ``"immutable"`` when one is immutable (Heat fails the update), else
        ``"replace"``.
        """
        names = list(changed)
        if not names:
            return "none"
        if any(self.immutable(n) for n in names):
            return "immutable"
        if all(self.update_allowed(n) for n in names):
            return "update"
        return "replace"

    def required(self) -> list[str]:
        """Names of the required properties, in declaration order."""
        return [n for n, p in self.properties.items() if p.required]

    def has_attribute(self, name: str) -> bool:
        """Whether ``get_attr`` may read ``name``.

        Always true for OS::Heat::None and for types whose attributes are computed (groups,
        nested stacks: ``dynamic_attributes``); else ``name`` must be declared.
        """
        return self.accepts_any or self.dynamic_attributes or name in self.attributes

    def validate_update_policy(self, policy: Mapping[str, Any] | None, path: str = "update_policy", *,
                               file: str | None = None) -> None:
        """Validate a resource's ``update_policy`` section as Heat does (same rules and wording).

        ``path`` locates the section, e.g. ``resources.asg.update_policy``.
        """
        if self.accepts_any or not policy:
            return
        validate_properties(ResourceSchema(self.type_name, self.update_policy), policy, path, file=file)

    def for_properties(self, props: Mapping[str, Any]) -> "ResourceSchema":
        """The schema that applies to ``props`` (a typed value's declared type, else self)."""
        if self.typed_value is None or not isinstance(props, Mapping):
            return self
        type_key, value_key, mapping = self.typed_value
        wanted = resolve_for_validation(props.get(type_key))
        if not isinstance(wanted, str) or wanted not in mapping:
            return self
        variant = self._typed.get(wanted)
        if variant is None:
            properties = dict(self.properties)
            properties[value_key] = Property(mapping[wanted], required=True, update_allowed=True)
            variant = ResourceSchema(self.type_name, properties, self.attributes,
                                     support_status=self.support_status, renames=self.renames,
                                     provider=self.provider, update_policy=self.update_policy,
                                     dynamic_attributes=self.dynamic_attributes)
            self._typed[wanted] = variant
        return variant

    def validate(self, props: Mapping[str, Any] | None, path: str = "properties", *,
                 file: str | None = None, skipped: list | None = None,
                 now: datetime.datetime | None = None) -> None:
        """Same as :func:`validate_properties` with this schema."""
        validate_properties(self, props, path, file=file, skipped=skipped, now=now)


# --------------------------------------------------------------------------------------------
# validation
class _Context:
    """What one validation run carries: renames, clock, skipped custom constraints."""

    __slots__ = ("renames", "replaced", "adds", "skipped", "_now", "path")

    def __init__(self, schema: ResourceSchema, props: Mapping[str, Any], skipped: list | None,
                 now: datetime.datetime | None) -> None:
        self.renames: dict[tuple, list[Rename]] = {}
        self.replaced: set[tuple] = set()
        #: list properties (names path) that get a value appended -> the appended value
        self.adds: dict[tuple, Any] = {}
        self._now = now
        self.path: list = []
        self.skipped = None  # reading triggers records nothing
        for rule in schema.renames:
            if rule.when_set:
                if rule.path:
                    continue  # Heat only declares these for top-level properties
                trigger = self._trigger(schema, props, rule.old)
                if not trigger:
                    continue
                if rule.kind == "add":
                    self.adds[rule.path + (rule.new,)] = trigger
                    continue
            elif rule.kind == "add":
                continue
            self.renames.setdefault(rule.path, []).append(rule)
            self.replaced.add(rule.path + (rule.old,))
        self.skipped = skipped

    def _trigger(self, schema: ResourceSchema, props: Mapping[str, Any], name: str) -> Any:
        """The value of top-level property ``name`` as Heat reads it to decide on a rule."""
        if name not in props:
            return None
        value = resolve_for_validation(props[name])
        prop = schema.properties.get(name)
        if prop is None or value is UNKNOWN:
            return value
        try:
            return _get_value(prop, value, False, self, (name,))
        except Exception:  # noqa: BLE001 - Heat would fail later, on the property itself
            return value

    def now(self) -> datetime.datetime:
        if self._now is None:
            return datetime.datetime.now(datetime.timezone.utc)
        if self._now.tzinfo is None:
            return self._now.replace(tzinfo=datetime.timezone.utc)
        return self._now

    def skip(self, name: str, value: Any) -> None:
        if self.skipped is not None:
            self.skipped.append({"constraint": name, "value": value, "path": list(self.path)})

    def rename_to(self, names: tuple, key: str) -> Rename | None:
        for rule in self.renames.get(names, ()):
            if rule.new == key:
                return rule
        return None


class _Level:
    """One Heat ``Properties`` object: declarations + data at one nesting level."""

    __slots__ = ("props", "data", "names", "ctx")

    def __init__(self, props: Mapping[Any, Property], data: Mapping, names: tuple,
                 ctx: _Context) -> None:
        self.props, self.data, self.names, self.ctx = props, data, names, ctx

    def _child_names(self, key: Any) -> tuple:
        return self.names if isinstance(key, int) else self.names + (key,)

    def validate(self) -> None:
        data = self.data
        for key in data:
            if key not in self.props:
                raise _Located("Unknown Property %s" % (key,))
        renamed = self.names in self.ctx.renames
        for key, prop in self.props.items():
            if key not in data and not renamed:
                # fast paths with Heat's outcome: nothing given, nothing to check
                if prop.default is None:
                    if prop.required:
                        raise _Located("Property %s not assigned" % (key,))
                    continue
                if prop._default_ok:
                    continue
            if renamed and not isinstance(key, int) and self._child_names(key) in self.ctx.replaced:
                continue
            try:
                result = self.value(key, validate=True)
                if key not in data and prop.default is not None and result is not UNKNOWN and not any(
                        isinstance(c, CustomConstraint) for c in prop.constraints):
                    prop._default_ok = True
            except _Located as exc:
                raise _Located(exc.message, [key] + exc.path, exc.bare) from None
            except (_Plain, ValueError, TypeError) as exc:
                path = [] if prop.required and key not in self.data else [key]
                raise _Located(str(exc), path) from None
            if not prop.implemented and key in self.data:
                raise _Located("Property %s not implemented yet" % (key,))

    def value(self, key: Any, validate: bool = False) -> Any:
        prop = self.props[key]
        found, value = self._user_value(key, prop, validate)
        if found:
            return value
        if self.ctx.adds and not isinstance(key, int) and self.names + (key,) in self.ctx.adds:
            # Heat: the appended value alone, converted without any check
            return [self.ctx.adds[self.names + (key,)]]
        rule = None if isinstance(key, int) else self.ctx.rename_to(self.names, key)
        if rule is not None and rule.old in self.data:
            old = self._old_value(rule)
            if old is not None or prop.has_default():
                return _get_value(prop, old, False, self.ctx, self._child_names(key))
        if prop.has_default():
            return _get_value(prop, None, validate, self.ctx, self._child_names(key))
        if prop.required:
            raise _Plain("Property %s not assigned" % (key,))
        return None

    def _old_value(self, rule: Rename) -> Any:
        """The value of a renamed (deprecated) key as Heat's translation reads it.

        At the top level Heat reads it through the property (converted to its type); inside
        list items it reads the raw value.
        """
        old = resolve_for_validation(self.data[rule.old])
        prop = self.props.get(rule.old)
        if not self.names and prop is not None:
            return _get_value(prop, old, False, self.ctx, (rule.old,))
        return old

    def _user_value(self, key: Any, prop: Property, validate: bool) -> tuple[bool, Any]:
        if key not in self.data:
            return False, None
        names = self._child_names(key)
        if not isinstance(key, int) and names in self.ctx.replaced:
            return False, None
        raw = self.data[key]
        unresolved = contains_unresolved(raw)
        if validate and unresolved:
            validate = False
        try:
            value = resolve_for_validation(raw) if unresolved else raw
            rule = None if isinstance(key, int) else self.ctx.rename_to(self.names, key)
            if rule is not None and rule.old in self.data:
                old = self._old_value(rule)
                if old and value and old is not UNKNOWN and value is not UNKNOWN:
                    raise _Located("Cannot define the following properties at the same time: %s, %s" % (
                        ".".join(names), ".".join(self.names + (rule.old,))), bare=bool(self.names))
                if old is not None:
                    value = old  # Heat: the deprecated name's value wins when it is set
            if self.ctx.adds and names in self.ctx.adds and value is not UNKNOWN:
                if not isinstance(value, list):
                    heat_key = ".".join(str(n) for n in names + ((key,) if isinstance(key, int) else ()))
                    raise _Plain("Incorrect translation rule using - cannot resolve Add rule for "
                                 "non-list translation value \"%s\"." % heat_key)
                if not isinstance(key, int):
                    value = list(value) + [self.ctx.adds[names]]
            self.ctx.path.append(key)
            try:
                return True, _get_value(prop, value, validate, self.ctx, names)
            finally:
                self.ctx.path.pop()
        except _Located as exc:
            raise _Located(exc.message, exc.path, exc.bare) from None
        except Exception as exc:  # noqa: BLE001 - Heat turns every failure here into a ValueError
            raise _Plain(str(exc)) from None


def _get_value(prop: Property, value: Any, validate: bool, ctx: _Context, names: tuple) -> Any:
    """Heat's ``Property.get_value``: convert to the declared type, then check constraints."""
    value = validation_value(value)
    if value is UNKNOWN:
        return UNKNOWN
    kind = prop.type
    if kind == STRING:
        result = _get_string(prop, value)
    elif kind == INTEGER:
        result = _get_integer(prop, value)
    elif kind == NUMBER:
        if value is None:
            value = prop.default if prop.has_default() and prop.default else 0
        result = _str_to_num(value)
    elif kind == BOOLEAN:
        result = _get_bool(prop, value)
    elif kind == MAP:
        result = _get_map(prop, value, validate, ctx, names)
    elif kind == LIST:
        result = _get_list(prop, value, validate, ctx, names)
    elif kind == JSON:
        result = _get_json(prop, value)
    else:
        result = value
    if validate and result is not UNKNOWN:
        for constraint in prop.constraints:
            try:
                message = constraint.check(result, prop, ctx)
            except (ValueError, TypeError) as exc:
                message = str(exc)
            if message is not None:
                raise _Located(message)
    return result


def _get_string(prop: Property, value: Any) -> str:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else ""
    if not isinstance(value, str):
        if isinstance(value, (bool, int)):
            return str(value)
        raise _Plain("Value must be a string; got %r" % (value,))
    return value


def _get_integer(prop: Property, value: Any) -> int:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else 0
    try:
        return int(value)
    except ValueError:
        raise _Plain("Value '%s' is not an integer" % (value,)) from None


def _get_bool(prop: Property, value: Any) -> bool:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        normalised = value.lower()
        if normalised not in ("true", "false"):
            raise _Plain('"%s" is not a valid boolean' % normalised)
        return normalised == "true"
    raise _Plain('"%s" is not a valid boolean' % (value,))


def _get_json(prop: Property, value: Any) -> Any:
    if value is None:
        return prop.default if prop.has_default() else {}
    if isinstance(value, str):
        try:
            return json.loads(value) if value else {}
        except ValueError as exc:
            raise _Plain("Value must be valid JSON: %s" % exc) from None
    if isinstance(value, (Mapping, list)):
        return value
    raise _Plain('"%s" is not a map' % (value,))


def _get_map(prop: Property, value: Any, validate: bool, ctx: _Context, names: tuple) -> Any:
    if value is None:
        value = prop.default if prop.has_default() else {}
    if not isinstance(value, Mapping):
        if prop.allow_conversion:
            if isinstance(value, str):
                return value
            if isinstance(value, Sequence):
                return json.dumps(value, default=repr)
        raise _Plain('"%s" is not a map' % (value,))
    if prop.schema is None:
        return value
    level = _Level(prop.schema, dict(value), names, ctx)
    return _children(level, list(prop.schema), validate)


def _get_list(prop: Property, value: Any, validate: bool, ctx: _Context, names: tuple) -> Any:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else []
    if prop.allow_conversion and isinstance(value, str):
        value = [v.strip() for v in value.split(",")] if value else []
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise _Plain('"%s" is not a list' % (repr(value),))
    if prop.schema is None:
        return value
    keys = list(range(len(value)))
    level = _Level({i: prop.schema for i in keys}, dict(enumerate(value)), names, ctx)
    result = _children(level, keys, validate)
    return [result[i] for i in keys]


def _children(level: _Level, keys: list, validate: bool) -> dict:
    if validate:
        level.validate()
    return {key: level.value(key) for key in keys}


def format_path(base: str | None, parts: Sequence[Any]) -> str:
    """Heat's path text: names joined by dots, list indices as ``[i]``."""
    text = base or ""
    for part in parts:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            text += "[%s]" % part
        elif text:
            text += ".%s" % part
        else:
            text = str(part)
    return text


def validate_properties(schema: ResourceSchema, props: Mapping[str, Any] | None,
                        path: str = "properties", *, file: str | None = None,
                        skipped: list | None = None, now: datetime.datetime | None = None) -> None:
    """Validate a resource's properties against ``schema`` as Heat 27 does.

    ``path`` locates the properties, e.g. ``resources.monitor.properties`` (HOT) or
    ``Resources.Monitor.Properties`` (CFN). Raises :class:`PropertyError` whose ``path`` is
    the full location of the problem and whose ``heat_message`` attribute is Heat's exact
    text (``Property error: <path>: <message>``). Values that need a created resource are
    handled as Heat does while validating (see the module docstring). Custom constraints that
    need a cloud are appended to ``skipped`` (when given) as ``{constraint, value, path}``.
    ``now`` fixes the clock for the ``expiration`` constraint.
    """
    if schema.accepts_any:
        return
    if props is None:
        props = {}
    if not isinstance(props, Mapping):
        err = PropertyError('"%s" is not a map' % (props,), file=file, path=path)
        err.heat_message = "%s: %s: %s" % (ERROR_PREFIX, path, err.message)  # type: ignore[attr-defined]
        raise err
    schema = schema.for_properties(props)
    ctx = _Context(schema, props, skipped, now)
    level = _Level(schema.properties, props, (), ctx)
    try:
        level.validate()
    except _Located as exc:
        where = format_path(path, exc.path)
        err = PropertyError(exc.message, file=file, path=where)
        if exc.bare:
            err.heat_message = exc.message  # type: ignore[attr-defined]
        else:
            err.heat_message = "%s: %s: %s" % (ERROR_PREFIX, where, exc.message) if where else (  # type: ignore[attr-defined]
                "%s: %s" % (ERROR_PREFIX, exc.message))
        raise err from None
