"""Intrinsic functions of HOT and CFN templates, one small class each, and one table per version.

A function node is created by :class:`Parser` when a mapping has exactly one key and that key
is a function of the template's version; any other mapping is plain data (as in Heat).  Every
class checks its arguments' shape in ``__init__``, reports the resources it needs with
``dependencies()`` and computes its value with ``result(ctx)``.  When a value depends on a
resource that does not exist yet, ``result`` returns an :class:`Unresolved` carrying the
expression's template form (arguments resolved as far as possible).

The context ``ctx`` handed to ``result`` is provided by ``stack.py`` and offers:
``get_param(name)``, ``resource_ref(name)``, ``resource_attr(name, attr, path)``,
``is_resource(name)``, ``is_disabled(name)``, ``condition(name)``, ``mappings``,
``get_file(path)``, ``facade(what)`` and ``availability_zones()``.
"""

from __future__ import annotations

import collections.abc
import hashlib
import itertools
import json
import re
from typing import Any, Iterator
from urllib.parse import quote, urlencode, urlunsplit

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    HeatlikeError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import (
    Unresolved,
    contains_unresolved,
    template_form,
)

try:  # yaql is optional at import time (ansible-test sanity import checks)
    import yaql  # noqa: F401
    from yaql.language import exceptions as _yaql_exc

    HAS_YAQL = True
except ImportError:  # pragma: no cover - depends on the environment
    HAS_YAQL = False


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
        return self.error('Incorrect arguments to "%s" should be: %s' % (self.name, example))

    def check(self) -> None:
        """Validate the shape of the (unresolved) arguments."""

    def dependencies(self) -> Iterator[str]:
        """Names of the resources this call needs."""
        yield from dependencies(self.args)

    def result(self, ctx: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def resolved_args(self, ctx: Any) -> tuple[Any, bool]:
        """Resolve the arguments; return (value, any_unresolved)."""
        args = resolve(self.args, ctx)
        return args, contains_unresolved(args)

    def unresolved(self, args: Any) -> Unresolved:
        return Unresolved({self.name: template_form(args)})

    def template_form(self) -> Any:
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


def _is_seq(v: Any) -> bool:
    return isinstance(v, (list, tuple))


def _type_name(v: Any) -> str:
    return type(v).__name__


# --------------------------------------------------------------------------- references


class GetParam(Function):
    """``get_param: name`` or ``get_param: [name, key/index, ...]``."""

    __slots__ = ()

    def check(self) -> None:
        if isinstance(self.args, list):
            if not self.args:
                raise self.usage("get_param: [name, key, ...]")
        elif not isinstance(self.args, (str, Function)):
            raise self.usage("get_param: name")

    def result(self, ctx: Any) -> Any:
        args = resolve(self.args, ctx)
        if not isinstance(args, list):
            args = [args]
        name, path = args[0], args[1:]
        if not isinstance(name, str):
            raise self.error('Parameter name in "%s" must be a string' % self.name)
        value = ctx.get_param(name, self.path)
        for key in path:
            if isinstance(value, Unresolved) or isinstance(key, Unresolved):
                return Unresolved({self.name: template_form(args)})
            if not isinstance(value, (dict, list, str)) or isinstance(key, bool) \
                    or not isinstance(key, (str, int)):
                return ""
            try:
                if not isinstance(value, dict) and isinstance(key, str):
                    key = int(key)
                value = value[key]
            except ValueError:
                raise self.error("Path components in '%s' must be a string that can be parsed"
                                 " into an integer." % self.name) from None
            except (IndexError, TypeError, KeyError):
                return ""
        return value


class GetResource(Function):
    """``get_resource: name`` (also HOT 2013's ResourceRef)."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, str):
            raise self.usage("get_resource: <resource name>")

    def dependencies(self) -> Iterator[str]:
        yield self.args

    def result(self, ctx: Any) -> Any:
        return ctx.resource_ref(self.args, self)


class Ref(Function):
    """CFN ``Ref``: a parameter value or a resource's reference id."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, (str, Function)):
            raise self.usage('{"Ref": "<name>"}')

    def dependencies(self) -> Iterator[str]:
        if isinstance(self.args, str):
            yield self.args  # filtered to resources by the caller

    def result(self, ctx: Any) -> Any:
        name = resolve(self.args, ctx)
        if ctx.is_resource(name):
            return ctx.resource_ref(name, self)
        return ctx.get_param(name, self.path, ref=True)


class ParamRef(Ref):
    """CFN ``Ref`` inside Conditions: parameters only."""

    __slots__ = ()

    def dependencies(self):  # type: ignore[override]
        return iter(())

    def result(self, ctx: Any) -> Any:
        return ctx.get_param(resolve(self.args, ctx), self.path, ref=True)


class GetAtt(Function):
    """``get_attr: [resource, attribute, key/index ...]``; ``Fn::GetAtt: [resource, attr]``."""

    __slots__ = ()
    min_args = 2
    max_args: int | None = None

    def check(self) -> None:
        a = self.args
        if (not isinstance(a, list) or len(a) < self.min_args
                or (self.max_args is not None and len(a) > self.max_args)):
            raise self.usage("[resource_name, attribute, (path), ...]")
        if not isinstance(a[0], str):
            raise self.error('Resource name in "%s" must be a string' % self.name)

    def dependencies(self) -> Iterator[str]:
        yield self.args[0]

    def result(self, ctx: Any) -> Any:
        rest = resolve(self.args[1:], ctx)
        for p in rest:
            if not isinstance(p, (str, int, Unresolved)):
                raise self.error('Arguments to "%s" must be strings or integers' % self.name)
        return ctx.resource_attr(self.args[0], rest, self)


class GetAttAll(GetAtt):
    """2015-10-15+: ``get_attr: [resource]`` returns every attribute."""

    __slots__ = ()
    min_args = 1


class CfnGetAtt(GetAtt):
    __slots__ = ()
    max_args = 2


class GetFile(Function):
    """``get_file: path-or-URL``: the file's contents."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, str):
            raise self.usage("get_file: <path>")

    def result(self, ctx: Any) -> Any:
        return ctx.get_file(self.args, self.path)


class ResourceFacade(Function):
    """``resource_facade: metadata|deletion_policy|update_policy``."""

    __slots__ = ()
    allowed = ("metadata", "deletion_policy", "update_policy")

    def check(self) -> None:
        if self.args not in self.allowed:
            raise self.error('Incorrect arguments to "%s" should be one of: %s'
                             % (self.name, ", ".join(self.allowed)))

    def result(self, ctx: Any) -> Any:
        return ctx.facade(self.args)


class CfnResourceFacade(ResourceFacade):
    __slots__ = ()
    allowed = ("Metadata", "DeletionPolicy", "UpdatePolicy")

    def result(self, ctx: Any) -> Any:
        return ctx.facade({"Metadata": "metadata", "DeletionPolicy": "deletion_policy",
                           "UpdatePolicy": "update_policy"}[self.args])


class GetAZs(Function):
    """CFN ``Fn::GetAZs``: offline, Heat's default zone list (``["nova"]``)."""

    __slots__ = ()

    def result(self, ctx: Any) -> Any:
        return ctx.availability_zones()


class FindInMap(Function):
    """CFN ``Fn::FindInMap: [map, key, value]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 3:
            raise self.usage('{"Fn::FindInMap": ["map", "key", "value"]}')

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        m, k, v = args
        try:
            return ctx.mappings[m][k][v]
        except (KeyError, TypeError, IndexError):
            raise self.error("Invalid mapping lookup %s" % json.dumps(args, default=str)) from None


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


# --------------------------------------------------------------------------- strings


def _join_str_strict(fn: Function, s: Any) -> str:
    if s is None:
        return ""
    if not isinstance(s, str):
        raise fn.error("Items to join must be strings not %s" % repr(s)[:200])
    return s


def _join_str_json(fn: Function, s: Any) -> str:
    if s is None:
        return ""
    if isinstance(s, str):
        return s
    if isinstance(s, (dict, list)):
        return json.dumps(s, sort_keys=True)
    raise fn.error("Items to join must be string, map or list not %s" % repr(s)[:200])


class Join(Function):
    """``list_join: [delim, [items]]`` (2013-05-23 .. 2015-04-30) and CFN ``Fn::Join``."""

    __slots__ = ()
    multiple = False

    def check(self) -> None:
        a = self.args
        if not isinstance(a, list) or len(a) < 2 or (not self.multiple and len(a) != 2):
            raise self.usage('{"%s": ["<delim>", ["<string_1>", "<string_2>", ...]]}'
                             % self.name)

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        delim = args[0]
        if not isinstance(delim, str):
            raise self.error('"%s" delimiter must be a string' % self.name)
        items: list = []
        for strings in args[1:]:
            if strings is None or (self.multiple and not strings):
                strings = []
            if isinstance(strings, str) or not _is_seq(strings):
                raise self.error('"%s" must operate on a list' % self.name)
            items.extend(strings)
        conv = _join_str_json if self.multiple else _join_str_strict
        return delim.join(conv(self, s) for s in items)


class JoinMultiple(Join):
    """``list_join: [delim, list, list, ...]`` (2015-10-15+): maps/lists are JSON-encoded."""

    __slots__ = ()
    multiple = True


class Split(Function):
    """CFN ``Fn::Split: [delim, string]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage('{"%s": ["<delim>", "<string>"]}' % self.name)

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        delim, s = args
        if not isinstance(delim, str) or not isinstance(s, str):
            raise self.error('"%s" arguments must be strings' % self.name)
        if not delim:
            raise self.error('Delimiter for "%s" must not be empty' % self.name)
        return s.split(delim)


class StrSplit(Function):
    """``str_split: [delim, string, (index)]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) not in (2, 3):
            raise self.usage("str_split: [delimiter, string, (index)]")

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        delim, s = args[0], args[1]
        if s is None:
            return None
        if not isinstance(delim, str):
            raise self.error('Delimiter for "%s" must be a string' % self.name)
        if not isinstance(s, str):
            raise self.error('String to split in "%s" must be a string' % self.name)
        if not delim:
            raise self.error('Delimiter for "%s" must not be empty' % self.name)
        parts = s.split(delim)
        if len(args) == 3:
            try:
                return parts[int(args[2])]
            except (ValueError, TypeError):
                raise self.error('Index to "%s" must be an integer' % self.name) from None
            except IndexError:
                raise self.error('Incorrect index to "%s" should be between 0 and %d'
                                 % (self.name, len(parts) - 1)) from None
        return parts


class Replace(Function):
    """``str_replace: {template: ..., params: {...}}`` (numbers/strings only before 2015-10-15)."""

    __slots__ = ()
    json_values = False
    strict = False
    very_strict = False

    def check(self) -> None:
        if not isinstance(self.args, dict):
            raise self.error('Arguments to "%s" must be a map' % self.name)
        if "template" not in self.args or "params" not in self.args:
            raise self.error('"%s" syntax should be %s:\\n  template: ...\\n  params: ...'
                             % (self.name, self.name))

    def _template_params(self, args: Any) -> tuple[Any, Any]:
        return args["template"], args["params"]

    def _empty(self, key: Any) -> TemplateError:
        return self.error("%s has an undefined or empty value for param %s, must be a defined"
                          " non-empty value" % (self.name, key))

    def _value(self, value: Any, key: Any) -> str:
        if value is None:
            if self.very_strict:
                raise self._empty(key)
            return ""
        if isinstance(value, (str, int, float, bool)):
            s = str(value)
            if self.very_strict and s == "":
                raise self._empty(key)
            return s
        if self.json_values and isinstance(value, (dict, list)):
            if self.very_strict and not value:
                raise self._empty(key)
            return json.dumps(value, sort_keys=True)
        if self.json_values:
            raise self.error('"%s" params must be strings, numbers, list or map.' % self.name)
        raise self.error('"%s" params must be strings or numbers, param %s is not valid'
                         % (self.name, key))

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        template, params = self._template_params(args)
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise self.error('"%s" parameters must be a mapping' % self.name)
        if not isinstance(template, str):
            raise self.error('"%s" template must be a string' % self.name)
        for key in params:
            if not isinstance(key, str):
                raise self.error('"%s" param placeholders must be strings' % self.name)
            if not key:
                raise self.error('"%s" param placeholders must not be empty' % self.name)
        keys = sorted(sorted(params), key=len, reverse=True)
        unreplaced = set(params)

        def split(s: str, key: str) -> list[str]:
            parts = s.split(key)
            if len(parts) > 1:
                unreplaced.discard(key)
            return parts

        def rep(strings: list[str], i: int) -> list[str]:
            if i == len(keys):
                return strings
            key = keys[i]
            value = self._value(params[key], key)
            return [value.join(rep(split(s, key), i + 1)) for s in strings]

        out = rep([template], 0)[0]
        if self.strict and unreplaced:
            raise self.error("The following params were not found in the template: %s"
                             % ",".join(sorted(sorted(unreplaced), key=len, reverse=True)))
        return out


class ReplaceJson(Replace):
    __slots__ = ()
    json_values = True


class ReplaceJsonStrict(ReplaceJson):
    __slots__ = ()
    strict = True


class ReplaceJsonVeryStrict(ReplaceJsonStrict):
    __slots__ = ()
    very_strict = True


class CfnReplace(Replace):
    """CFN ``Fn::Replace: [{params}, template]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage('{"Fn::Replace": [{"<key_1>": "<value_1>", ...}, "<string>"]}')

    def _template_params(self, args: Any) -> tuple[Any, Any]:
        return args[1], args[0]


class Base64(Function):
    """CFN ``Fn::Base64``: Heat passes the string through unchanged."""

    __slots__ = ()

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        if not isinstance(args, str):
            raise self.error('"%s" argument must be a string' % self.name)
        return args


class Select(Function):
    """``Fn::Select: [index, list-or-map]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage('{"Fn::Select": [index, collection]}')

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        index, coll = args
        if coll == "":
            return ""
        if isinstance(coll, str):
            try:
                coll = json.loads(coll)
            except ValueError:
                raise self.error('"%s" not a valid collection: %s' % (self.name, coll)) from None
        if isinstance(coll, dict):
            if not isinstance(index, str):
                raise self.error('Index to "%s" must be a string' % self.name)
            return coll.get(index, "")
        try:
            index = int(index)
        except (ValueError, TypeError):
            raise self.error('Index to "%s" must be an integer' % self.name) from None
        if _is_seq(coll):
            try:
                return coll[index]
            except IndexError:
                return ""
        if coll is None:
            return ""
        raise self.error('Arguments to "%s" not fully resolved' % self.name)


class MemberListToMap(Function):
    """CFN ``Fn::MemberListToMap: [key_name, value_name, [".member.N.key=value", ...]]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 3:
            raise self.usage('{"Fn::MemberListToMap": ["Name", "Value", ["..."]]}')

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        key_name, value_name, members = args
        if not _is_seq(members):
            raise self.error('Wrong Arguments try: "%s"' % self.name)
        partials = {}
        for m in members:
            if not isinstance(m, str):
                raise self.error("Member list items must be strings")
            k, _sep, v = m.partition("=")
            partials[k] = v
        # like Heat: names ".member.<N>.<key>", grouped by N in numeric order
        groups: dict[int, dict] = {}
        for k, v in partials.items():
            match = _MEMBER_RE.match(k)
            if match:
                groups.setdefault(int(match.group(1)), {})[match.group(2)] = v
        out = {}
        for index in sorted(groups):
            d = groups[index]
            if key_name in d and value_name in d:
                out[d[key_name]] = d[value_name]
        return out


_MEMBER_RE = re.compile(r"\.member\.([0-9]+)\.(.*)")


class Digest(Function):
    """``digest: [algorithm, value]``."""

    __slots__ = ()

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise self.error('Argument to function "%s" must be a list of strings' % self.name)
        if len(args) != 2:
            raise self.error('Function "%s" usage: ["<algorithm>", "<value>"]' % self.name)
        alg, value = args
        if alg.lower() not in hashlib.algorithms_available:
            raise self.error("Algorithm must be one of %s"
                             % sorted(hashlib.algorithms_available))
        try:
            return hashlib.new(alg, value.encode("utf-8")).hexdigest()
        except ValueError as exc:
            raise self.error(str(exc)) from None


# --------------------------------------------------------------------------- collections


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

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
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
            if not (_is_seq(v) or ok_map):
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
    __slots__ = ()
    allow_map = True


class RepeatWithNestedLoop(RepeatWithMap):
    __slots__ = ()
    nested_loop = True


class MapMerge(Function):
    """``map_merge: [map, map, ...]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, (list, Function)):
            raise self.error("Incorrect arguments to \"%s\" should be: map_merge: [{...}, ...]"
                             % self.name)

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        if not _is_seq(args):
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
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage("map_replace: [{...}, {keys: {...}, values: {...}}]")

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
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

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        if not _is_seq(args):
            raise self.error('Incorrect arguments to "%s" should be a list of lists' % self.name)
        out: list = []
        for m in args:
            if m is None:
                continue
            if isinstance(m, str) or not _is_seq(m):
                raise self.error("Incorrect arguments: Items to concat must be lists. %s"
                                 % repr(m)[:100])
            out.extend(m)
        if self.unique:
            for x in list(out):
                while out.count(x) > 1:
                    del out[out.index(x)]
        return out


class ListConcatUnique(ListConcat):
    __slots__ = ()
    unique = True


class Contains(Function):
    """``contains: [value, sequence]``."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage("contains: [value, sequence]")

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
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
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage("filter: [values, sequence]")

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
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


class MakeURL(Function):
    """``make_url: {scheme, username, password, host, port, path, query, fragment}``."""

    __slots__ = ()
    keys = ("scheme", "username", "password", "host", "port", "path", "query", "fragment")

    def check(self) -> None:
        if not isinstance(self.args, dict):
            raise self.error('The arguments to "%s" must be a map' % self.name)
        extra = set(self.args) - set(self.keys)
        if extra:
            raise self.error('Invalid arguments to "%s": %s'
                             % (self.name, ", ".join(sorted(map(str, extra)))))
        self._check(self.args)

    def _check(self, args: dict) -> None:
        for key in self.keys:
            if key not in args or isinstance(args[key], (Function, Unresolved)):
                continue
            v = args[key]
            if key == "query":
                if not isinstance(v, dict):
                    raise self.error('The "query" argument to "%s" must be a map' % self.name)
            elif key == "port":
                try:
                    port = v if isinstance(v, int) else int(v)
                except (TypeError, ValueError):
                    raise self.error('Invalid URL port "%s" for %s' % (v, self.name)) from None
                if not 0 < port <= 65535:
                    raise self.error("Invalid URL port %d, must be in range 1-65535" % port)
            elif not isinstance(v, str):
                raise self.error('The "%s" argument to "%s" must be a string' % (key, self.name))

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
        self._check(args)
        scheme = args.get("scheme", "")
        if ":" in scheme:
            raise self.error("URL \"scheme\" should not contain ':'")
        netloc = ""
        user = quote(args.get("username", ""), safe="")
        password = quote(args.get("password", ""), safe="")
        if user or password:
            netloc = user + (":" + password if password else "") + "@"
        host = args.get("host", "")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        host = quote(host, safe=":")
        if ":" in host:
            host = "[%s]" % host
        netloc += host
        if args.get("port"):
            netloc += ":" + str(args["port"])
        path = quote(args.get("path", ""))
        query = urlencode(args.get("query", {})).replace("%2F", "/")
        fragment = quote(args.get("fragment", ""))
        return urlunsplit((scheme, netloc, path, query, fragment))


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

    def result(self, ctx: Any) -> Any:
        args, unres = self.resolved_args(ctx)
        if unres:
            return self.unresolved(args)
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


# --------------------------------------------------------------------------- conditions


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
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self.usage('{"%s": [value_1, value_2]}' % self.name)

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
        if not isinstance(self.args, list) or len(self.args) != 1:
            raise self.usage('{"%s": [condition]}' % self.name)

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
    __slots__ = ()
    any_mode = True


class If(Function):
    """``if: [condition, value_if_true, value_if_false]``: decided at parse time (a macro)."""

    __slots__ = ()

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 3:
            raise self.usage('{"%s": [condition_name, value_if_true, value_if_false]}'
                             % self.name)

    def choose(self, ctx: Any) -> Any:
        return self.args[1] if _as_condition(self, ctx, self.args[0]) else self.args[2]

    def dependencies(self) -> Iterator[str]:  # pragma: no cover - replaced while parsing
        yield from dependencies(self.args[1:])

    def result(self, ctx: Any) -> Any:
        return resolve(self.choose(ctx), ctx)


# --------------------------------------------------------------------------- version tables

FunctionTable = dict[str, type]

_HOT_20130523: FunctionTable = {
    "Fn::GetAZs": GetAZs, "get_param": GetParam, "get_resource": GetResource, "Ref": Ref,
    "get_attr": GetAtt, "Fn::Select": Select, "Fn::Join": Join, "list_join": Join,
    "Fn::Split": Split, "str_replace": Replace, "Fn::Replace": CfnReplace,
    "Fn::Base64": Base64, "Fn::MemberListToMap": MemberListToMap,
    "resource_facade": ResourceFacade, "Fn::ResourceFacade": CfnResourceFacade,
    "get_file": GetFile,
}
_REMOVED_20141016 = ("Fn::GetAZs", "Fn::Join", "Fn::Split", "Fn::Replace", "Fn::Base64",
                     "Fn::MemberListToMap", "Fn::ResourceFacade", "Ref")
_HOT_20141016 = {**_HOT_20130523, **{k: Removed for k in _REMOVED_20141016}}
_HOT_20150430 = {**_HOT_20141016, "digest": Digest, "repeat": Repeat}
_HOT_20151015 = {**_HOT_20150430, "get_attr": GetAttAll, "list_join": JoinMultiple,
                 "str_replace": ReplaceJson, "str_split": StrSplit, "Fn::Select": Removed}
_HOT_20160408 = {**_HOT_20151015, "map_merge": MapMerge}
_HOT_20161014 = {**_HOT_20160408, "repeat": RepeatWithMap, "yaql": Yaql,
                 "map_replace": MapReplace, "if": If}
_HOT_20170224 = {**_HOT_20161014, "filter": Filter, "str_replace_strict": ReplaceJsonStrict}
_HOT_20170901 = {**_HOT_20170224, "repeat": RepeatWithNestedLoop, "make_url": MakeURL,
                 "list_concat": ListConcat, "str_replace_vstrict": ReplaceJsonVeryStrict,
                 "list_concat_unique": ListConcatUnique, "contains": Contains}
_HOT_20180302 = dict(_HOT_20170901)
_HOT_20180831 = dict(_HOT_20180302)
_HOT_20210416 = dict(_HOT_20180831)

_COND_20161014: FunctionTable = {"get_param": GetParam, "equals": Equals, "not": Not,
                                 "and": And, "or": Or}
_COND_20170901 = {**_COND_20161014, "yaql": Yaql, "contains": Contains}
_COND_20210416 = {**_COND_20170901, "if": If}

_CFN_BASE: FunctionTable = {
    "Fn::FindInMap": FindInMap, "Fn::GetAZs": GetAZs, "Ref": Ref, "Fn::GetAtt": CfnGetAtt,
    "Fn::Select": Select, "Fn::Join": Join, "Fn::Split": Split, "Fn::Replace": CfnReplace,
    "Fn::Base64": Base64, "Fn::MemberListToMap": MemberListToMap,
    "Fn::ResourceFacade": CfnResourceFacade,
}
_CFN_2010 = {**_CFN_BASE, "Fn::If": If}
_CFN_COND_2010: FunctionTable = {"Fn::Equals": Equals, "Ref": ParamRef, "Fn::FindInMap": FindInMap,
                                 "Fn::Not": CfnNot, "Fn::And": And, "Fn::Or": Or}

#: functions per version key ("heat_template_version: 2013-05-23")
FUNCTIONS: dict[str, FunctionTable] = {
    "2013-05-23": _HOT_20130523, "2014-10-16": _HOT_20141016, "2015-04-30": _HOT_20150430,
    "2015-10-15": _HOT_20151015, "2016-04-08": _HOT_20160408, "2016-10-14": _HOT_20161014,
    "2017-02-24": _HOT_20170224, "2017-09-01": _HOT_20170901, "2018-03-02": _HOT_20180302,
    "2018-08-31": _HOT_20180831, "2021-04-16": _HOT_20210416,
    "AWSTemplateFormatVersion": _CFN_2010, "HeatTemplateFormatVersion": _CFN_BASE,
}
#: condition functions per version (None: the version has no conditions)
CONDITION_FUNCTIONS: dict[str, FunctionTable | None] = {
    "2016-10-14": _COND_20161014, "2017-02-24": _COND_20161014,
    "2017-09-01": _COND_20170901, "2018-03-02": _COND_20170901,
    "2018-08-31": _COND_20170901, "2021-04-16": _COND_20210416,
    "AWSTemplateFormatVersion": _CFN_COND_2010,
}


def condition_table(functions: FunctionTable, conds: FunctionTable) -> FunctionTable:
    """Heat's parser table for the conditions section: every other function is Invalid."""
    table = {n: (f if f is Removed else Invalid) for n, f in functions.items()}
    table.update(conds)
    return table


class Parser:
    """Turns a template snippet into a tree of data and :class:`Function` objects."""

    def __init__(self, table: FunctionTable, ctx: Any = None,
                 cond_table: FunctionTable | None = None) -> None:
        self.table = table
        self.ctx = ctx
        self.cond_table = cond_table or {}

    def parse(self, node: Any, path: Any) -> Any:
        """Parse ``node``; ``path`` is its location (string or lazy ``(parent, key)`` tuple)."""
        if isinstance(node, dict):
            if len(node) == 1:
                (key, value), = node.items()
                cls = self.table.get(key) if isinstance(key, str) else None
                if cls is not None:
                    fpath = (path, key)
                    if cls is If and self.ctx is not None:
                        fn = If(key, value, fpath)
                        cond = value[0]
                        if isinstance(cond, dict):
                            cond = Parser(self.cond_table, self.ctx).parse(cond, fpath)
                        fn.args = [cond] + [self.parse(v, fpath) for v in value[1:]]
                        chosen = fn.choose(self.ctx)
                        return chosen
                    args = self.parse(value, fpath)
                    return cls(key, args, fpath)
            parse = self.parse
            return {k: parse(v, (path, k)) for k, v in node.items()}
        if isinstance(node, list):
            parse = self.parse
            return [parse(v, (path, i)) for i, v in enumerate(node)]
        return node
