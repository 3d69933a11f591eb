"""List and map functions: ``repeat``, ``map_merge``, ``map_replace``, ``list_concat``, ``contains``,
``filter`` and ``yaql``."""

from __future__ import annotations

import collections.abc
import itertools
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_base import Function, is_seq

try:  # yaql is optional at import time (ansible-test sanity import checks)
    import yaql  # noqa: F401
    from yaql.language import exceptions as _yaql_exc

    HAS_YAQL = True
except ImportError:  # pragma: no cover - depends on the environment
    HAS_YAQL = False


class Repeat(Function):
    """``repeat: {for_each: {placeholder: list}, template: ...}``."""

    __slots__ = ()
    allow_map = False
    nested_loop = False

    def check(self) -> None:
        a = self.args
        if not isinstance(a, dict):
            raise self.error('Arguments to "%s" must be a map' % self.name)
        if "for_each" not in a or "template" not in a:
            raise self.error('"repeat" syntax should be repeat: {template: <body>, '
                             'for_each: {<var>: <list>}}')
        if not isinstance(a["for_each"], (dict, Function)):
            raise self.error('The "for_each" argument to "%s" must contain a map' % self.name)
        if self.nested_loop and not isinstance(a.get("permutations", True), bool):
            raise self.error('"permutations" should be boolean type for %s function.'
                             % self.name)

    def _repl(self, keys: tuple, values: tuple, t: Any) -> Any:
        if isinstance(t, str):
            for k, v in zip(keys, values, strict=False):
                if not isinstance(v, str) or not isinstance(k, str):
                    raise self.error('"%s" replacements must be strings, not %s'
                                     % (self.name, repr(v)[:100]))
                t = t.replace(k, v)
            return t
        if isinstance(t, list):
            return [self._repl(keys, values, e) for e in t]
        if isinstance(t, dict):
            return {self._repl(keys, values, k): self._repl(keys, values, v) for k, v in t.items()}
        return t

    def evaluate(self, args: Any, ctx: Any) -> Any:
        for_each = args["for_each"]
        if not isinstance(for_each, dict):
            raise self.error('The "for_each" argument to "%s" must contain a map' % self.name)
        nested = args.get("permutations", True) if self.nested_loop else True
        keys = tuple(for_each)
        lists, lens = [], []
        for v in for_each.values():
            if v is None:
                lists.append([])
                continue
            ok_map = self.allow_map and nested and isinstance(v, dict)
            if not (is_seq(v) or ok_map):
                raise self.error('The values of the "for_each" argument to "%s" must be lists%s'
                                 % (self.name, " or maps" if self.allow_map and nested else ""))
            lists.append(list(v))
            lens.append(len(v))
        if not nested and len(set(lens)) > 1:
            raise self.error("For %s, the length of for_each values should be equal if no "
                             "nested loop." % self.name)
        combos = itertools.product(*lists) if nested else zip(*lists, strict=False)
        return [self._repl(keys, c, args["template"]) for c in combos]


class RepeatWithMap(Repeat):
    """2016-10-14+: ``for_each`` values may also be maps (their keys are iterated)."""

    __slots__ = ()
    allow_map = True


class RepeatWithNestedLoop(RepeatWithMap):
    """2017-09-01+: ``permutations: false`` pairs the lists instead of nesting them."""

    __slots__ = ()
    nested_loop = True


class MapMerge(Function):
    """``map_merge: [map, map, ...]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, (list, Function)):
            raise self.error("Incorrect arguments to \"%s\" should be: map_merge: [{...}, ...]"
                             % self.name)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        if not is_seq(args):
            raise self.error('Incorrect arguments to "%s" should be a list of maps' % self.name)
        out: dict = {}
        for m in args:
            if m is None:
                continue
            if not isinstance(m, dict):
                raise self.error("Incorrect arguments: Items to merge must be maps.")
            out.update(m)
        return out


class MapReplace(Function):
    """``map_replace: [map, {keys: {...}, values: {...}}]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list("map_replace: [{...}, {keys: {...}, values: {...}}]", 2)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        data, repl = args
        if not isinstance(data, dict) or not isinstance(repl, dict):
            raise self.error('Incorrect arguments to "%s" should be maps' % self.name)
        extra = set(repl) - {"keys", "values"}
        if extra:
            raise self.error('Incorrect arguments to "%s": unknown key(s) %s'
                             % (self.name, ", ".join(sorted(map(str, extra)))))
        keys = repl.get("keys") or {}
        values = repl.get("values") or {}
        if not isinstance(keys, dict) or not isinstance(values, dict):
            raise self.error('"keys" and "values" of "%s" must be maps' % self.name)
        out: dict = {}
        for k, v in data.items():
            nk = keys.get(k)
            if nk is None:
                nk = k
            elif nk in data and nk != k:
                raise self.error("key replacement %s collides with a key in the input map" % nk)
            elif nk in out:
                raise self.error("key replacement %s collides with a key in the output map"
                                 % nk)
            try:
                nv = values.get(v, v) if not isinstance(v, (dict, list)) else v
            except TypeError:
                nv = v
            out[nk] = nv
        return out


class ListConcat(Function):
    """``list_concat: [list, list, ...]``."""

    __slots__ = ()
    unique = False

    def evaluate(self, args: Any, ctx: Any) -> Any:
        if not is_seq(args):
            raise self.error('Incorrect arguments to "%s" should be a list of lists' % self.name)
        out: list = []
        for m in args:
            if m is None:
                continue
            if isinstance(m, str) or not is_seq(m):
                raise self.error("Incorrect arguments: Items to concat must be lists. %s"
                                 % repr(m)[:100])
            out.extend(m)
        if self.unique:
            for x in list(out):
                while out.count(x) > 1:
                    del out[out.index(x)]
        return out


class ListConcatUnique(ListConcat):
    """``list_concat_unique``: like ``list_concat``, keeping the last of equal items."""

    __slots__ = ()
    unique = True


class Contains(Function):
    """``contains: [value, sequence]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list("contains: [value, sequence]", 2)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        value, seq = args
        if not isinstance(seq, (list, tuple, str)):
            raise self.error('Second argument to "%s" should be a sequence' % self.name)
        try:
            return value in seq
        except TypeError as exc:
            raise self.error('Arguments to "%s" cannot be compared: %s' % (self.name, exc)) from None


class Filter(Function):
    """``filter: [values_to_remove, list]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list("filter: [values, sequence]", 2)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        remove, seq = args
        if not seq:
            return seq
        if not isinstance(seq, list):
            raise self.error('"%s" only works with lists' % self.name)
        if not remove:
            return seq
        if not isinstance(remove, list):
            raise self.error('"%s" filters a list of values' % self.name)
        return [x for x in seq if x not in remove]


class Yaql(Function):
    """``yaql: {expression: ..., data: ...}`` evaluated with the yaql library."""

    __slots__ = ()
    _engine = None

    def check(self) -> None:
        a = self.args
        if not isinstance(a, dict) or set(a) - {"expression", "data"} or "expression" not in a:
            raise self.usage("yaql: {expression: <expression>, data: <data>}")
        if isinstance(a["expression"], str):
            self._parse(a["expression"])

    def _parse(self, expression: str) -> Any:
        if not HAS_YAQL:
            raise self.error("the yaql library is required for \"yaql\"")
        if Yaql._engine is None:
            Yaql._engine = yaql.factory.YaqlFactory().create(
                options={"yaql.limitIterators": 1000, "yaql.memoryQuota": 100000})
        try:
            return Yaql._engine(expression)
        except (_yaql_exc.YaqlException, ValueError, TypeError) as exc:
            raise self.error("Bad expression %s" % str(exc).split("\n", maxsplit=1)[0]) from None

    def evaluate(self, args: Any, ctx: Any) -> Any:
        expr = args["expression"]
        if not isinstance(expr, str):
            raise self.error('The "expression" of "%s" must be a string' % self.name)
        parsed = self._parse(expr)
        try:
            out = parsed.evaluate(data={"data": args.get("data", {})},
                                  context=yaql.create_context())
        except HeatlikeError:
            raise
        except Exception as exc:  # yaql raises many exception types on bad data
            raise self.error("yaql evaluation failed: %s" % str(exc).split("\n", maxsplit=1)[0]) from None
        return _plain(out)


def _plain(v: Any) -> Any:
    if isinstance(v, collections.abc.Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)) or (
            isinstance(v, collections.abc.Iterable) and not isinstance(v, (str, bytes))):
        return [_plain(x) for x in v]
    return v
