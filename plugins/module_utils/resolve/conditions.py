"""The ``conditions`` section: each condition evaluated once, on demand, cycles rejected."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn


class Conditions:
    """The named conditions of one template and the ``condition`` keys that refer to them."""

    def __init__(self, spec: Any, ctx: Any, file: str | None) -> None:
        self.spec = spec
        self.ctx = ctx
        self.file = file
        self.defs: dict = {}
        self._values: dict = {}
        self._busy: set = set()

    def define(self, raw: Any) -> dict:
        """Take the template's ``conditions`` section; returns every condition's value."""
        self.defs = dict(raw or {})
        for cname in self.defs:
            if not isinstance(cname, str):
                raise TemplateError("Condition names must be strings, found %r" % (cname,),
                                    file=self.file, path=self.spec.s_conditions)
        return {n: self.value(n, "%s.%s" % (self.spec.s_conditions, n)) for n in self.defs}

    def _parser(self) -> fn.Parser:
        table = fn.condition_table(self.spec.functions, self.spec.condition_functions or {})
        return fn.Parser(table, self.ctx, table)

    def value(self, name: Any, path: str) -> bool:
        """The boolean value of the condition ``name`` (a literal boolean is itself)."""
        if isinstance(name, bool):
            return name
        if not isinstance(name, str) or name not in self.defs:
            raise TemplateError('Invalid condition "%s"' % (name,), file=self.file, path=path)
        if name in self._values:
            return self._values[name]
        if name in self._busy:
            raise TemplateError('Circular definition for condition "%s"' % name,
                                file=self.file, path=path)
        self._busy.add(name)
        cpath = "%s.%s" % (self.spec.s_conditions, name)
        parsed = self._parser().parse(self.defs[name], cpath)
        if isinstance(parsed, fn.Function):
            value = parsed.result(self.ctx)
        else:
            value = parsed
        if isinstance(value, str) and value in self.defs:
            value = self.value(value, cpath)
        if not isinstance(value, bool):
            raise TemplateError('Invalid condition "%s": must evaluate to a boolean' % name,
                                file=self.file, path=cpath)
        self._busy.discard(name)
        self._values[name] = value
        return value

    def holds(self, raw: Any, path: str) -> bool:
        """Whether a resource's or output's ``condition`` (name, boolean or expression) holds."""
        if raw is None:
            return True
        if isinstance(raw, (bool, str)):
            return self.value(raw, path)
        parsed = self._parser().parse(raw, path)
        v = parsed.result(self.ctx) if isinstance(parsed, fn.Function) else parsed
        if isinstance(v, str):
            return self.value(v, path)
        return bool(v)
