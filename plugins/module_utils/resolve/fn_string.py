"""String functions: ``list_join``, ``str_split``, ``str_replace`` (all variants), ``digest``, ``make_url``."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote, urlencode, urlunsplit

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_base import Function, is_seq


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

    def evaluate(self, args: Any, ctx: Any) -> Any:
        delim = args[0]
        if not isinstance(delim, str):
            raise self.error('"%s" delimiter must be a string' % self.name)
        items: list = []
        for strings in args[1:]:
            if strings is None or (self.multiple and not strings):
                strings = []
            if isinstance(strings, str) or not is_seq(strings):
                raise self.error('"%s" must operate on a list' % self.name)
            items.extend(strings)
        conv = _join_str_json if self.multiple else _join_str_strict
        return delim.join(conv(self, s) for s in items)


class JoinMultiple(Join):
    """``list_join: [delim, list, list, ...]`` (2015-10-15+): maps/lists are JSON-encoded."""

    __slots__ = ()
    multiple = True


class StrSplit(Function):
    """``str_split: [delim, string, (index)]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list("str_split: [delimiter, string, (index)]", 2, 3)

    def evaluate(self, args: Any, ctx: Any) -> Any:
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

    def evaluate(self, args: Any, ctx: Any) -> Any:
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
    """2015-10-15+ ``str_replace``: list and map params are JSON-encoded."""

    __slots__ = ()
    json_values = True


class ReplaceJsonStrict(ReplaceJson):
    """``str_replace_strict``: every param must occur in the template."""

    __slots__ = ()
    strict = True


class ReplaceJsonVeryStrict(ReplaceJsonStrict):
    """``str_replace_vstrict``: and no param value may be empty."""

    __slots__ = ()
    very_strict = True


class CfnReplace(Replace):
    """CFN ``Fn::Replace: [{params}, template]``."""

    __slots__ = ()

    def check(self) -> None:
        self.expect_list('{"Fn::Replace": [{"<key_1>": "<value_1>", ...}, "<string>"]}', 2)

    def _template_params(self, args: Any) -> tuple[Any, Any]:
        return args[1], args[0]


class Digest(Function):
    """``digest: [algorithm, value]``."""

    __slots__ = ()

    def evaluate(self, args: Any, ctx: Any) -> Any:
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

    def evaluate(self, args: Any, ctx: Any) -> Any:
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
