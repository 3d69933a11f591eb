"""The core of the intrinsic functions: the :class:`Function` base class and the tree walks.

Every function class checks its arguments' shape in ``check()`` (called by ``__init__``),
reports the resources it needs with ``dependencies()`` and computes its value with
``result(ctx)``.  Most functions only need their arguments fully resolved: they implement
``evaluate(args, ctx)`` and the base ``result`` returns an :class:`Unresolved` carrying the
expression's template form (arguments resolved as far as possible) while any argument still
depends on a resource that does not exist yet.

The context ``ctx`` handed to ``result`` is provided by ``stack.py`` and offers:
``get_param(name, f)``, ``resource_ref(name, f)``, ``resource_attr(name, attr, path)``,
``is_resource(name)``, ``is_disabled(name)``, ``condition(name)``, ``mappings``,
``get_file(path)``, ``facade(what)`` and ``availability_zones()``.
"""

from __future__ import annotations

from typing import Any, Iterator

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import (
    Unresolved,
    contains_unresolved,
    template_form,
)


class Function:
    """Base class: one intrinsic function call in a template."""

    __slots__ = ("name", "args", "_where")

    def __init__(self, name: str, args: Any, path: Any) -> None:
        self.name = name
        self.args = args
        self._where = path
        self.check()

    @property
    def path(self) -> str:
        """Dotted location of this call (built only when needed, e.g. for an error)."""
        return render_path(self._where)

    def error(self, message: str) -> TemplateError:
        """A TemplateError located at this function call."""
        return TemplateError(message, path=self.path)

    def usage(self, example: str) -> TemplateError:
        """The error for arguments of the wrong shape, showing the right one."""
        return self.error('Incorrect arguments to "%s" should be: %s' % (self.name, example))

    def expect_list(self, example: str, *lengths: int) -> None:
        """Raise the :meth:`usage` error unless the arguments are a list of one of ``lengths`` items."""
        if not isinstance(self.args, list) or len(self.args) not in lengths:
            raise self.usage(example)

    def check(self) -> None:
        """Validate the shape of the (unresolved) arguments."""

    def dependencies(self) -> Iterator[str]:
        """Names of the resources this call needs."""
        yield from dependencies(self.args)

    def result(self, ctx: Any) -> Any:
        """The call's value: :meth:`evaluate` of the resolved arguments, or an Unresolved."""
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        return self.evaluate(args, ctx)

    def evaluate(self, args: Any, ctx: Any) -> Any:  # pragma: no cover - abstract
        """The call's value given its fully resolved arguments."""
        raise NotImplementedError

    def resolved_args(self, ctx: Any) -> tuple[Any, bool]:
        """Resolve the arguments; return (value, any_unresolved)."""
        args = resolve(self.args, ctx)
        return args, contains_unresolved(args)

    def unresolved(self, args: Any) -> Unresolved:
        """This call, with the given (partly resolved) arguments, as an Unresolved value."""
        return Unresolved({self.name: template_form(args)})

    def template_form(self) -> Any:
        """This call as it would be written in a template."""
        return {self.name: _raw(self.args)}


def render_path(where: Any) -> str:
    """Render a lazy path: a string, or nested ``(parent, key)`` tuples (int key = index)."""
    keys = []
    while isinstance(where, tuple):
        where, key = where
        keys.append(key)
    out = where or ""
    for key in reversed(keys):
        if isinstance(key, int) and not isinstance(key, bool):
            out += "[%d]" % key
        else:
            out = "%s.%s" % (out, key) if out else str(key)
    return out


def _raw(node: Any) -> Any:
    if isinstance(node, Function):
        return node.template_form()
    if isinstance(node, dict):
        return {k: _raw(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_raw(v) for v in node]
    return node


def resolve(node: Any, ctx: Any) -> Any:
    """Evaluate every function in a parsed snippet."""
    if isinstance(node, Function):
        return node.result(ctx)
    if isinstance(node, dict):
        return {k: resolve(v, ctx) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, ctx) for v in node]
    return node


def dependencies(node: Any) -> Iterator[str]:
    """Names of resources a parsed snippet refers to."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Function):
            yield from n.dependencies()
        elif isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


def is_seq(v: Any) -> bool:
    """True for a list or tuple (a string is not a sequence here)."""
    return isinstance(v, (list, tuple))


class Removed(Function):
    """A function removed in this template version: using it is an error."""

    __slots__ = ()

    def check(self) -> None:
        raise self.error("The function %s is not supported in this version of HOT."
                         % self.name)


class Invalid(Function):
    """A function that cannot be used in this context (e.g. conditions)."""

    __slots__ = ()

    def check(self) -> None:
        raise self.error('The function "%s" is invalid in this context' % self.name)
