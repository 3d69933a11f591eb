"""Resource types: the explicit registry of handlers and schemas.

* :func:`get_schema` — the :class:`~.schema.ResourceSchema` of a type: the handler's own
  ``schema`` when it declares one, else the offline catalog of Heat 27 types (aliases of
  Heat's global environment resolved), else one built from the handler's property
  declarations; None when nobody knows the type.
* :func:`get_handler` — the handler class converging a type (``os_heatlike_stack``), or None.
* :func:`get_resource_type` — the class holding the engine's knowledge of a type (its
  handler, or type knowledge only: Heat's facts of a type nobody converges), or None.
* :func:`require_schema` — like :func:`get_schema` but raises Heat's "The Resource Type (X)
  could not be found." as a :class:`~..errors.TemplateError`.

Handlers are listed explicitly in ``handlers.py`` (``HANDLERS``: type name -> class, and
``TYPE_KNOWLEDGE`` for types known but not converged);
AnsiballZ only ships module_utils it sees imported, so there is no discovery.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema import catalog
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import (
    Attribute, Property, ResourceSchema, validate_properties)

__all__ = ["get_schema", "get_handler", "get_resource_type", "require_schema", "handler_types", "validate",
           "UNKNOWN_TYPE_MESSAGE", "ResourceSchema", "Property", "Attribute", "validate_properties"]

UNKNOWN_TYPE_MESSAGE = catalog.UNKNOWN_TYPE_MESSAGE

_handler_schemas: dict[str, ResourceSchema] = {}


def _handlers() -> dict:
    """The explicit handler table (imported on first use: handlers need openstacksdk helpers)."""
    from ansible_collections.heatlike.cloud.plugins.module_utils.resources import handlers
    return handlers.HANDLERS


def get_handler(type_name: str) -> Any:
    """The handler class that converges ``type_name``, or None (the one handler lookup)."""
    return _handlers().get(type_name)


def get_resource_type(type_name: str) -> Any:
    """The class knowing ``type_name`` (``add_dependencies``, ``delete_rank``, ...): its handler,
    else its type knowledge (types known but not converged); None when nobody knows it."""
    from ansible_collections.heatlike.cloud.plugins.module_utils.resources import handlers
    return handlers.HANDLERS.get(type_name) or handlers.TYPE_KNOWLEDGE.get(type_name)


def handler_types() -> list[str]:
    """Every type a handler converges, sorted."""
    return sorted(_handlers())


def _schema_of_handler(handler: Any) -> ResourceSchema | None:
    declared = getattr(handler, "schema", None)
    if isinstance(declared, ResourceSchema):
        return declared
    return None


def _schema_from_handler_props(type_name: str, handler: Any) -> ResourceSchema:
    """A schema from a handler's plain declarations (type/required/default/update_allowed)."""
    schema = _handler_schemas.get(type_name)
    if schema is None:
        props = {}
        for name, spec in dict(getattr(handler, "properties", {}) or {}).items():
            props[name] = Property(getattr(spec, "type", "String"), required=getattr(spec, "required", False),
                                   default=getattr(spec, "default", None),
                                   update_allowed=getattr(spec, "update_allowed", False))
        attrs = {name: Attribute() for name in getattr(handler, "attributes", ()) or ()}
        schema = _handler_schemas[type_name] = ResourceSchema(type_name, props, attrs)
    return schema


def get_schema(type_name: str) -> ResourceSchema | None:
    """The schema of ``type_name``: handler's own, then the catalog; None when unknown."""
    try:
        handler = get_handler(type_name)
    except ImportError:  # pragma: no cover - handlers missing: the catalog still answers
        handler = None
    if handler is not None:
        own = _schema_of_handler(handler)
        if own is not None:
            return own
    schema = catalog.get(type_name)
    if schema is None and handler is not None:
        schema = _schema_from_handler_props(type_name, handler)
    return schema


def require_schema(type_name: str, *, file: str | None = None, path: str | None = None) -> ResourceSchema:
    """The schema of ``type_name`` or a TemplateError with Heat's unknown-type wording."""
    schema = get_schema(type_name)
    if schema is None:
        from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError

        err = TemplateError(UNKNOWN_TYPE_MESSAGE % (type_name,), file=file, path=path)
        err.heat_message = err.message  # type: ignore[attr-defined]
        raise err
    return schema


def validate(type_name: str, props: Any, path: str = "properties", **kwargs: Any) -> ResourceSchema:
    """Look the type up (unknown -> TemplateError) and validate ``props``; returns the schema.

    ``kwargs`` go to :func:`~.schema.validate_properties` (``file``, ``skipped``, ``now``).
    """
    schema = require_schema(type_name, file=kwargs.get("file"))
    validate_properties(schema, props, path, **kwargs)
    return schema
