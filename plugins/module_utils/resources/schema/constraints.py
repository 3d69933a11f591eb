"""Property types and the constraints Heat declares on properties (range, length, modulo,
allowed values, allowed pattern, custom constraints), with Heat's error messages."""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Sequence
from typing import Any, Callable, Iterable

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.custom_constraints import OFFLINE_CUSTOM_CONSTRAINTS

TYPES = (STRING, INTEGER, NUMBER, BOOLEAN, LIST, MAP, JSON, ANY) = (
    "String", "Integer", "Number", "Boolean", "List", "Map", "Json", "Any",
)

#: support statuses Heat gives types and properties
SUPPORT_STATUSES = ("SUPPORTED", "DEPRECATED", "HIDDEN", "UNSUPPORTED", "UNKNOWN")


class ConversionError(ValueError):
    """A conversion failure without a path (Heat's ValueError/TypeError)."""


# --------------------------------------------------------------------------------------------
# constraints
class Constraint:
    """Base of property constraints. ``check`` returns None or Heat's error message."""

    kind = ""
    #: property types the constraint applies to (as Heat declares)
    valid_types: tuple[str, ...] = ()

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
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


def str_to_num(value: Any) -> Any:
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

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
        if self._ok(str_to_num(value)):
            return None
        return "%s is out of range (min: %s, max: %s)" % (value, self.min, self.max)

    def facts(self) -> list:
        return [self.kind, self.min, self.max]


class Length(Range):
    """``length: {min, max}`` for String, List and Map properties."""

    kind = "length"
    valid_types = (STRING, LIST, MAP)

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
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

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
        if str_to_num(value) % self.step == self.offset:
            return None
        return "%s is not a multiple of %s with an offset of %s" % (value, self.step, self.offset)

    def facts(self) -> list:
        return [self.kind, self.step, self.offset]


def _to_schema_type(value: Any, type_name: str) -> Any:
    """Heat's ``to_schema_type`` (used to compare allowed values)."""
    try:
        if type_name == INTEGER:
            num = str_to_num(value)
            if isinstance(num, float):
                raise ValueError("%s is not an integer." % num)
            return num
        if type_name == NUMBER:
            return str_to_num(value)
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
        raise ConversionError('Value "%s" is invalid for data type "%s".' % (value, type_name)) from None
    return value


class AllowedValues(Constraint):
    """``allowed_values: [...]``; a list value must have every item allowed."""

    kind = "allowed_values"
    valid_types = (STRING, INTEGER, NUMBER, BOOLEAN, LIST)

    def __init__(self, allowed: Iterable[Any]) -> None:
        if isinstance(allowed, str):
            raise ValueError("allowed values must be a list")
        self.allowed = tuple(allowed)

    def _ok(self, value: Any, prop: Any) -> bool:
        if isinstance(value, list):
            return all(v in self.allowed for v in value)
        allowed = tuple(_to_schema_type(v, prop.type) for v in self.allowed)
        return _to_schema_type(value, prop.type) in allowed

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
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

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
        match = self._match(value)
        if match is not None and match.end() == len(value):
            return None
        return '"%s" does not match pattern "%s"' % (value, self.pattern)

    def facts(self) -> list:
        return [self.kind, self.pattern]


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

    def check(self, value: Any, prop: Any, ctx: Any) -> str | None:
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
