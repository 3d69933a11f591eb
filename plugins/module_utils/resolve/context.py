"""What intrinsic functions see while one stack is resolved (see functions.py)."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import (
    Unresolved,
    contains_unresolved,
    template_form,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.client_prepare import template_file_content
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.resource_defs import check_attr


class ResolveContext:
    """What intrinsic functions see while resolving: parameters, resources, conditions, files.

    ``loader`` is the :class:`~.loader.StackLoader` of the stack being resolved; with a
    ``runtime`` (the converge engine's view of created resources) references give real values.
    """

    def __init__(self, loader: Any) -> None:
        self.ld = loader
        self.runtime: Any = None
        self.mappings = loader.tmpl.data.get("Mappings") or {}

    def with_runtime(self, runtime: Any) -> "ResolveContext":
        """A copy of this context that resolves references through ``runtime``."""
        c = ResolveContext.__new__(ResolveContext)
        c.__dict__.update(self.__dict__)
        c.runtime = runtime
        return c

    def get_param(self, name: Any, f: fn.Function, ref: bool = False) -> Any:
        """``get_param`` (or ``Ref`` to a parameter, ``ref=True``) called by ``f``: the value or a pseudo parameter.

        ``f``'s location is rendered only for an error (it is not needed on the hot path).
        """
        ld = self.ld
        if isinstance(name, str) and name in ld.param_values:
            return ld.param_values[name]
        if isinstance(name, str) and name in ld.pseudo:
            return ld.pseudo[name]
        if ref and ld.in_outputs:
            return Unresolved({"Ref": name})
        path = f.path
        if ref:
            raise TemplateError('The specified reference "%s" (in %s) is incorrect.'
                                % (name, path.split(".")[1] if "." in path else path),
                                file=ld.file, path=path)
        raise TemplateError("The Parameter (%s) was not provided." % name, file=ld.file,
                            path=path)

    def is_resource(self, name: Any) -> bool:
        """True when ``name`` is a resource of the template (enabled or not)."""
        return isinstance(name, str) and name in self.ld.all_resources

    def _check_ref(self, name: str, f: fn.Function) -> bool:
        if name not in self.ld.all_resources:
            where = f.path.split(".")[1] if f.path.count(".") >= 1 else f.path
            raise TemplateError('The specified reference "%s" (in %s) is incorrect.'
                                % (name, where), file=self.ld.file, path=f.path)
        return name not in self.ld.disabled

    def resource_ref(self, name: str, f: fn.Function) -> Any:
        """``get_resource``/``Ref``: the real reference with a runtime, else unresolved."""
        if not self._check_ref(name, f):
            return None
        if self.runtime is not None:
            return self.runtime.get_resource(name)
        return Unresolved({f.name: name})

    def resource_attr(self, name: str, rest: list, f: fn.Function) -> Any:
        """``get_attr``: the real attribute with a runtime, else unresolved (attribute checked)."""
        if not self._check_ref(name, f):
            return None
        if self.runtime is not None and not contains_unresolved(rest):
            return self.runtime.get_attr(name, *rest)
        if rest and isinstance(rest[0], str):
            check_attr(self.ld, name, rest[0], f)
        return Unresolved({f.name: [name] + template_form(rest)})

    def condition(self, name: str, path: str) -> bool:
        """The value of a named condition."""
        return self.ld.conditions.value(name, path)

    def get_file(self, ref: str, path: str) -> str:
        """``get_file``: the content as Heat's client sends it."""
        ld = self.ld
        loc, content = ld.files.get(ref, ld.tmpl.base_dir, file=ld.file, path=path)
        return template_file_content(content, loc, ld.files)

    def facade(self, what: str) -> Any:
        """``resource_facade``: the parent resource's metadata, deletion or update policy."""
        parent = self.ld.parent_def
        if parent is None:
            return {"metadata": {}, "deletion_policy": "Delete", "update_policy": {}}[what]
        return {"metadata": template_form(parent.metadata) or {},
                "deletion_policy": parent.deletion_policy,
                "update_policy": template_form(parent.update_policy) or {}}[what]

    def availability_zones(self) -> list:
        """``Fn::GetAZs``: the zones offline."""
        return ["nova"]
