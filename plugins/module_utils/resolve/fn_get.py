"""Functions that read parameters, resources, attributes, files and the facade (``get_*``)."""

from __future__ import annotations

from typing import Any, Iterator

from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_base import Function, resolve


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
        value = ctx.get_param(name, self)
        for key in path:
            if isinstance(value, Unresolved) or isinstance(key, Unresolved):
                return self.unresolved(args)
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
    """CFN ``Fn::GetAtt: [resource, attribute]`` (no path)."""

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
    """CFN ``Fn::ResourceFacade: Metadata|DeletionPolicy|UpdatePolicy``."""

    __slots__ = ()
    allowed = ("Metadata", "DeletionPolicy", "UpdatePolicy")

    def result(self, ctx: Any) -> Any:
        return ctx.facade({"Metadata": "metadata", "DeletionPolicy": "deletion_policy",
                           "UpdatePolicy": "update_policy"}[self.args])
