"""What Heat sees, while validating, for a value that needs a not-yet-created resource.

An engine :class:`~...common.values.Unresolved` carries the template form of its expression.
Heat computes some of those while validating: ``get_resource``/``Ref`` give the resource's
name, ``get_attr``/``Fn::GetAtt`` give null, and ``list_join``/``Fn::Join``/``str_replace``/
``str_replace_strict``/``Fn::Replace`` over such values give the string those functions compute
(evaluated by the engine's own function classes of :mod:`...resolve.functions`). Anything else
is :data:`UNKNOWN`: not checked.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import (
    Unresolved, contains_unresolved, is_mapping)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.functions import (
    CfnReplace, Join, JoinMultiple, Replace, ReplaceJsonStrict)

__all__ = ["UNKNOWN", "validation_value", "resolve_for_validation"]


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
#: functions Heat computes over those values: the engine's implementation of each
_COMPUTED = {
    "list_join": JoinMultiple, "Fn::Join": Join, "str_replace": Replace,
    "str_replace_strict": ReplaceJsonStrict, "Fn::Replace": CfnReplace,
}
#: other function names that may appear in a template form (their result is not computed)
_KNOWN_FUNCTION_NAMES = frozenset((
    "get_param", "get_file", "str_replace_vstrict", "digest", "repeat", "str_split", "map_merge",
    "map_replace", "yaql", "if", "equals", "not", "and", "or", "contains", "filter", "make_url",
    "list_concat", "list_concat_unique", "resource_facade"))

_JOINS = frozenset(("list_join", "Fn::Join"))
_SCALARS = (str, int, float)

#: placeholder for an argument that is UNKNOWN: the function then yields an Unresolved
_PENDING = Unresolved(None)


def _function_name(form: Any) -> str | None:
    """The function a template form calls, or None for plain data."""
    if is_mapping(form) and len(form) == 1:
        (fn,), = (tuple(form),)
        if isinstance(fn, str) and (fn in _REF_FUNCTIONS or fn in _ATTR_FUNCTIONS or fn in _COMPUTED
                                    or fn.startswith("Fn::") or fn in _KNOWN_FUNCTION_NAMES):
            return fn
    return None


def _arguments(node: Any) -> Any:
    """``node`` with every function form inside evaluated (UNKNOWN ones as a pending value)."""
    if isinstance(node, list):
        return [_arguments(v) for v in node]
    if not is_mapping(node):
        return node
    fn = _function_name(node)
    if fn is not None:
        value = _evaluate_call(fn, node[fn])
        return _PENDING if value is UNKNOWN else value
    return {k: _arguments(v) for k, v in node.items()}


def _plain_strings(fn: str, args: Any) -> bool:
    """Whether the joined items or replacement values are strings (or numbers) or null.

    Validation computes only those: a map or list that a function would JSON-encode (or a
    boolean parameter) leaves the value unknown.
    """
    if fn in _JOINS:
        lists = args[1:] if isinstance(args, list) else ()
        return all(item is None or isinstance(item, str) for part in lists if isinstance(part, list) for item in part)
    params = args.get("params") if is_mapping(args) else args[0] if isinstance(args, list) and args else None
    values = params.values() if is_mapping(params) else ()
    return all(v is None or v is _PENDING or isinstance(v, _SCALARS) and not isinstance(v, bool) for v in values)


def _evaluate(form: Any) -> Any:
    """Heat's validation-time value of a template form over not-yet-created resources."""
    fn = _function_name(form)
    if fn is None:
        return form if isinstance(form, str) or form is None else UNKNOWN
    return _evaluate_call(fn, form[fn])


def _evaluate_call(fn: str, args: Any) -> Any:
    """:func:`_evaluate` of the call ``{fn: args}`` (``fn`` a function name)."""
    if fn in _REF_FUNCTIONS:
        return args if isinstance(args, str) else UNKNOWN
    if fn in _ATTR_FUNCTIONS:
        return None
    cls = _COMPUTED.get(fn)
    if cls is None:
        return UNKNOWN
    args = _arguments(args)
    if not _plain_strings(fn, args):
        return UNKNOWN
    try:
        call = cls(fn, args, fn)  # checks the arguments' shape
        if contains_unresolved(args):  # what ``call.result`` would give: an Unresolved
            return UNKNOWN
        # the arguments are plain data already: ``result`` would only copy them before this
        result = call.evaluate(args, None)
    except (HeatlikeError, TypeError, ValueError):  # Heat's error about such arguments is the engine's to report
        return UNKNOWN
    return UNKNOWN if isinstance(result, Unresolved) else result


def validation_value(value: Any) -> Any:
    """What Heat sees for an Unresolved value while validating.

    ``get_resource``/``Ref`` give the resource's name, ``get_attr``/``Fn::GetAtt`` give None,
    ``str_replace``/``list_join``/``Fn::Join``/``Fn::Replace`` over those give the string
    Heat computes (an attribute counts as empty); anything else is :data:`UNKNOWN` (not
    checked).
    """
    if not isinstance(value, Unresolved):
        return value
    return _evaluate(value.template_form)


def resolve_for_validation(value: Any) -> Any:
    """``value`` with every Unresolved inside replaced by :func:`validation_value` (a copy)."""
    if isinstance(value, Unresolved):
        return validation_value(value)
    if is_mapping(value):
        return {k: resolve_for_validation(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_for_validation(v) for v in value]
    return value
