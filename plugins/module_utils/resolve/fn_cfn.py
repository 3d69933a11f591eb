"""CFN-only functions (``Ref``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` ...).

HOT 2013-05-23 accepts most of them too; later HOT versions mark them removed.
CFN spellings of HOT functions (``Fn::GetAtt``, ``Fn::Replace``, ``Fn::Not`` ...) live with
the HOT function they vary."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_base import Function, is_seq, resolve


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
        return ctx.get_param(name, self, ref=True)


class ParamRef(Ref):
    """CFN ``Ref`` inside Conditions: parameters only."""

    __slots__ = ()

    def dependencies(self):  # type: ignore[override]
        return iter(())

    def result(self, ctx: Any) -> Any:
        return ctx.get_param(resolve(self.args, ctx), self, ref=True)


class GetAZs(Function):
    """CFN ``Fn::GetAZs``: offline, Heat's default zone list (``["nova"]``)."""

    __slots__ = ()

    def result(self, ctx: Any) -> Any:
        return ctx.availability_zones()


class FindInMap(Function):
    """CFN ``Fn::FindInMap: [map, key, value]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"Fn::FindInMap": ["map", "key", "value"]}', 3)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        m, k, v = args
        try:
            return ctx.mappings[m][k][v]
        except (KeyError, TypeError, IndexError):
            raise self.error("Invalid mapping lookup %s" % json.dumps(args, default=str)) from None


class Split(Function):
    """CFN ``Fn::Split: [delim, string]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"%s": ["<delim>", "<string>"]}' % self.name, 2)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        delim, s = args
        if not isinstance(delim, str) or not isinstance(s, str):
            raise self.error('"%s" arguments must be strings' % self.name)
        if not delim:
            raise self.error('Delimiter for "%s" must not be empty' % self.name)
        return s.split(delim)


class Base64(Function):
    """CFN ``Fn::Base64``: Heat passes the string through unchanged."""

    __slots__ = ()

    def evaluate(self, args: Any, ctx: Any) -> Any:
        if not isinstance(args, str):
            raise self.error('"%s" argument must be a string' % self.name)
        return args


class Select(Function):
    """``Fn::Select: [index, list-or-map]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"Fn::Select": [index, collection]}', 2)

    def evaluate(self, args: Any, ctx: Any) -> Any:
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
        if is_seq(coll):
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
        self.expect_list('{"Fn::MemberListToMap": ["Name", "Value", ["..."]]}', 3)

    def evaluate(self, args: Any, ctx: Any) -> Any:
        key_name, value_name, members = args
        if not is_seq(members):
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
