"""Resource types: the explicit registry of handlers and schemas.

* :func:`get_schema` — the one :class:`~.schema.ResourceSchema` of a type: the offline catalog
  of Heat 27 types (aliases of Heat's global environment resolved) with the deliberate
  differences its handler declares (``schema_overrides``); None when Heat has no such type.
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

import functools
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema import catalog
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import apply_overrides
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import (
    Attribute, Property, ResourceSchema)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.validation import validate_properties

__all__ = ["get_schema", "get_handler", "get_resource_type", "require_schema", "handler_types", "validate",
           "UNKNOWN_TYPE_MESSAGE", "ResourceSchema", "Property", "Attribute", "validate_properties"]

UNKNOWN_TYPE_MESSAGE = catalog.UNKNOWN_TYPE_MESSAGE

#: type name -> the catalog schema with its handler's overrides applied
_overridden: dict[str, ResourceSchema] = {}


@functools.lru_cache(maxsize=None)
def _handlers_module() -> Any:
    """The handlers module (imported on first use: handlers need openstacksdk helpers; then kept)."""
    from ansible_collections.heatlike.cloud.plugins.module_utils.resources import handlers
    return handlers


def _handlers() -> dict:
    """The explicit handler table."""
    return _handlers_module().HANDLERS


def get_handler(type_name: str) -> Any:
    """The handler class that converges ``type_name``, or None (the one handler lookup)."""
    return _handlers().get(type_name)


def get_resource_type(type_name: str) -> Any:
    """The class knowing ``type_name`` (``add_dependencies``, ``delete_rank``, ...): its handler,
    else its type knowledge (types known but not converged); None when nobody knows it."""
    handlers = _handlers_module()
    return handlers.HANDLERS.get(type_name) or handlers.TYPE_KNOWLEDGE.get(type_name)


def handler_types() -> list[str]:
    """Every type a handler converges, sorted."""
    return sorted(_handlers())


def get_schema(type_name: str) -> ResourceSchema | None:
    """The one schema of ``type_name``: the catalog's facts with its handler's ``schema_overrides``.

    Planner (update or replace) and validation both read it; None when Heat has no such type.
    """
    schema = catalog.get(type_name)
    try:
        handler = get_handler(type_name)
    except ImportError:  # pragma: no cover - handlers missing: the catalog still answers
        handler = None
    if schema is None:
        # a type Heat does not have: its handler declares the whole schema (no overrides)
        return getattr(handler, "own_schema", None)
    overrides = getattr(handler, "schema_overrides", None)
    if not overrides:
        return schema
    overridden = _overridden.get(type_name)
    if overridden is None:
        overridden = _overridden[type_name] = apply_overrides(schema, overrides)
    return overridden


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
