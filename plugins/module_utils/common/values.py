"""Values that are only known once resources exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Unresolved:
    """A value that can only be known once a resource exists.

    ``template_form`` is the JSON-able template form of the expression, e.g.
    ``{"get_attr": ["port", "fixed_ips", 0, "ip_address"]}`` or the whole enclosing
    ``str_replace``/``list_join`` expression with every resolvable argument resolved.
    """

    __slots__ = ("template_form",)

    def __init__(self, template_form: Any) -> None:
        self.template_form = template_form

    def __repr__(self) -> str:
        return "Unresolved(%r)" % (self.template_form,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unresolved) and other.template_form == self.template_form

    def __hash__(self) -> int:
        return hash(repr(self.template_form))


_SCALARS = (str, int, float, bool, type(None))
#: exact types that are never a Mapping (decided without the slower ABC check)
_NOT_MAPPINGS = frozenset((str, int, float, bool, type(None), list, tuple))


def is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, with plain dicts, lists and scalars decided by their exact type.

    The ABC check costs several times a plain ``isinstance``; the hot paths (validation,
    :func:`contains_unresolved`) mostly see dicts, lists and strings.
    """
    t = type(value)
    return t is dict or (t not in _NOT_MAPPINGS and isinstance(value, Mapping))


def contains_unresolved(value: Any) -> bool:
    """True when ``value`` is or contains an :class:`Unresolved` anywhere (in any Mapping or list)."""
    if type(value) in _SCALARS:
        return False
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:  # exact types first: no ABC check for the common cases
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
        elif t in _NOT_MAPPINGS:
            continue
        elif isinstance(v, Unresolved):
            return True
        elif isinstance(v, Mapping):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def template_form(value: Any) -> Any:
    """Replace every :class:`Unresolved` in ``value`` by its template form (JSON-able copy)."""
    if isinstance(value, Unresolved):
        return value.template_form
    if isinstance(value, dict):
        return {k: template_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [template_form(v) for v in value]
    return value
