"""Heat's property validation (the walk over a :class:`~.properties.ResourceSchema`).

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
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import contains_unresolved, is_mapping
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.constraints import (
    BOOLEAN, INTEGER, JSON, LIST, MAP, NUMBER, STRING, ConversionError, CustomConstraint, str_to_num)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.evaluation import (
    UNKNOWN, resolve_for_validation, validation_value)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import (
    Property, Rename, ResourceSchema)

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
            except (ConversionError, ValueError, TypeError) as exc:
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
            raise ConversionError("Property %s not assigned" % (key,))
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
                    raise ConversionError("Incorrect translation rule using - cannot resolve Add rule for "
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
            raise ConversionError(str(exc)) from None


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
        result = str_to_num(value)
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
        raise ConversionError("Value must be a string; got %r" % (value,))
    return value


def _get_integer(prop: Property, value: Any) -> int:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else 0
    try:
        return int(value)
    except ValueError:
        raise ConversionError("Value '%s' is not an integer" % (value,)) from None


def _get_bool(prop: Property, value: Any) -> bool:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        normalised = value.lower()
        if normalised not in ("true", "false"):
            raise ConversionError('"%s" is not a valid boolean' % normalised)
        return normalised == "true"
    raise ConversionError('"%s" is not a valid boolean' % (value,))


def _get_json(prop: Property, value: Any) -> Any:
    if value is None:
        return prop.default if prop.has_default() else {}
    if isinstance(value, str):
        try:
            return json.loads(value) if value else {}
        except ValueError as exc:
            raise ConversionError("Value must be valid JSON: %s" % exc) from None
    if isinstance(value, (Mapping, list)):
        return value
    raise ConversionError('"%s" is not a map' % (value,))


def _get_map(prop: Property, value: Any, validate: bool, ctx: _Context, names: tuple) -> Any:
    if value is None:
        value = prop.default if prop.has_default() else {}
    if not is_mapping(value):
        if prop.allow_conversion:
            if isinstance(value, str):
                return value
            if isinstance(value, Sequence):
                return json.dumps(value, default=repr)
        raise ConversionError('"%s" is not a map' % (value,))
    if prop.schema is None:
        return value
    level = _Level(prop.schema, dict(value), names, ctx)
    return _children(level, list(prop.schema), validate)


def _get_list(prop: Property, value: Any, validate: bool, ctx: _Context, names: tuple) -> Any:
    if value is None:
        value = prop.default if prop.has_default() and prop.default else []
    if prop.allow_conversion and isinstance(value, str):
        value = [v.strip() for v in value.split(",")] if value else []
    if value.__class__ is not list and (not isinstance(value, Sequence) or isinstance(value, str)):
        raise ConversionError('"%s" is not a list' % (repr(value),))
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
    if not is_mapping(props):
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
