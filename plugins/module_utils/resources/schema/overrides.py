"""A handler's deliberate differences from Heat's schema of its type.

The catalog (Heat 27's facts) is the one schema of a type. A handler that must differ on a
fact, e.g. it cannot apply a property Heat updates in place, declares an :class:`Override`
for that property, with the reason::

    schema_overrides = {"domain": Override(update_allowed=False, reason="Keystone refuses to move a user")}

:func:`apply_overrides` gives the schema planner and validation both read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import (
    Property, ResourceSchema)

__all__ = ["Override", "apply_overrides"]

#: the facts an override may change
FACTS = ("required", "default", "update_allowed")
_KEEP = object()


class Override:
    """New values for some facts of one property (the others stay Heat's), and why."""

    __slots__ = ("reason", "required", "default", "update_allowed")

    def __init__(self, *, reason: str, required: Any = _KEEP, default: Any = _KEEP,
                 update_allowed: Any = _KEEP) -> None:
        if not reason or not reason.strip():
            raise ValueError("an override needs its reason")
        self.reason = reason
        self.required, self.default, self.update_allowed = required, default, update_allowed

    def facts(self) -> dict[str, Any]:
        """The facts this override changes: name -> new value."""
        return {name: getattr(self, name) for name in FACTS if getattr(self, name) is not _KEEP}

    def __repr__(self) -> str:
        changed = ", ".join("%s=%r" % item for item in self.facts().items())
        return "Override(%s, reason=%r)" % (changed, self.reason)

    def apply(self, prop: Property) -> Property:
        """A copy of ``prop`` with this override's facts."""
        facts = {"type": prop.type, "required": prop.required, "default": prop.default,
                 "update_allowed": prop.update_allowed, "constraints": prop.constraints,
                 "schema": prop.schema, "immutable": prop.immutable, "implemented": prop.implemented,
                 "support_status": prop.support_status, "allow_conversion": prop.allow_conversion}
        facts.update(self.facts())
        return Property(**facts)


def apply_overrides(schema: ResourceSchema, overrides: Mapping[str, Override]) -> ResourceSchema:
    """``schema`` with ``overrides`` applied (``schema`` itself when there are none).

    Raises ValueError when an override names a property the schema does not have.
    """
    if not overrides:
        return schema
    unknown = sorted(set(overrides) - set(schema.properties))
    if unknown:
        raise ValueError("%s has no propert%s %s to override" % (
            schema.type_name, "y" if len(unknown) == 1 else "ies", ", ".join(unknown)))
    properties = {name: overrides[name].apply(prop) if name in overrides else prop
                  for name, prop in schema.properties.items()}
    return ResourceSchema(schema.type_name, properties, schema.attributes,
                          support_status=schema.support_status, accepts_any=schema.accepts_any,
                          renames=schema.renames, provider=schema.provider,
                          update_policy=schema.update_policy, dynamic_attributes=schema.dynamic_attributes,
                          typed_value=schema.typed_value)
