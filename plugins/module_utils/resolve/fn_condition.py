"""Condition functions (``equals``, ``not``, ``and``, ``or``, ``if`` and their CFN spellings)."""

from __future__ import annotations

from typing import Any, Iterator

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_base import Function, dependencies, resolve


def _as_condition(fn: Function, ctx: Any, node: Any) -> bool:
    if isinstance(node, Function):
        v = node.result(ctx)
    else:
        v = node
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        return ctx.condition(v, fn.path)
    raise fn.error('Arguments to "%s" must be conditions (names or expressions)' % fn.name)


class Equals(Function):
    """``equals: [a, b]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"%s": [value_1, value_2]}' % self.name, 2)

    def result(self, ctx: Any) -> Any:
        a, b = resolve(self.args, ctx)
        return a == b


class Not(Function):
    """HOT ``not: condition``."""

    __slots__ = ()

    def check(self) -> None:
        if self.args is None:
            raise self.error('Argument to "%s" must be a condition' % self.name)

    def result(self, ctx: Any) -> Any:
        return not _as_condition(self, ctx, self.args)


class CfnNot(Function):
    """CFN ``Fn::Not: [condition]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"%s": [condition]}' % self.name, 1)

    def result(self, ctx: Any) -> Any:
        return not _as_condition(self, ctx, self.args[0])


class And(Function):
    """``and: [cond, cond, ...]``."""

    __slots__ = ()
    any_mode = False

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) < 2:
            raise self.usage('{"%s": [condition_1, condition_2, ...]}' % self.name)

    def result(self, ctx: Any) -> Any:
        vals = (_as_condition(self, ctx, a) for a in self.args)
        return any(vals) if self.any_mode else all(vals)


class Or(And):
    """``or: [cond, cond, ...]``."""

    __slots__ = ()
    any_mode = True


class If(Function):
    """``if: [condition, value_if_true, value_if_false]``: decided at parse time (a macro)."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"%s": [condition_name, value_if_true, value_if_false]}' % self.name, 3)

    def choose(self, ctx: Any) -> Any:
        return self.args[1] if _as_condition(self, ctx, self.args[0]) else self.args[2]

    def dependencies(self) -> Iterator[str]:  # pragma: no cover - replaced while parsing
        yield from dependencies(self.args[1:])

    def result(self, ctx: Any) -> Any:
        return resolve(self.choose(ctx), ctx)
