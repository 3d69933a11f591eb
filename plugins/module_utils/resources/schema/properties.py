"""Declarations of a resource type: :class:`Property`, :class:`Attribute`, :class:`Rename`
(Heat's translation rules) and :class:`ResourceSchema`.

A :class:`ResourceSchema` holds its :class:`Property` declarations (Heat's property types
``String``, ``Integer``, ``Number``, ``Boolean``, ``List``, ``Map`` plus ``Json`` and ``Any``;
required, default, update_allowed, immutable, constraints, nested schemas for list items and
map keys) and its :class:`Attribute` declarations (always with ``show``). Validation lives in
:mod:`.validation`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Iterable

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.constraints import LIST, MAP, STRING, TYPES, Constraint
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.evaluation import (
    resolve_for_validation)

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
        from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.validation import (
            validate_properties)

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
        """Same as :func:`~.validation.validate_properties` with this schema."""
        from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.validation import (
            validate_properties)

        validate_properties(self, props, path, file=file, skipped=skipped, now=now)
