"""One stack's resolution: parameters -> conditions -> resources -> implicit edges -> graph ->
waves -> outputs (see :func:`~.stack.load_stack`, the entry point)."""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    HeatlikeError,
    LimitError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved, contains_unresolved
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import parameters as params_mod
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.client_prepare import client_prepare
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.conditions import Conditions
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.context import ResolveContext
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits, ResolvedStack, ResourceDef
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.outputs import resolve_outputs
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.resource_defs import build_resource
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_resource_type
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex
from ansible_collections.heatlike.cloud.plugins.module_utils.template.environment import Environment
from ansible_collections.heatlike.cloud.plugins.module_utils.template.files import FileLoader
from ansible_collections.heatlike.cloud.plugins.module_utils.template.versions import Template


class StackLoader:
    """Builds one ResolvedStack (child loaders of the same class for nested stacks)."""

    def __init__(self, tmpl: Template, env: Environment, user_params: Mapping[str, Any],
                 files: FileLoader, limits: Limits, stack_name: str, depth: int,
                 counter: list, parent_def: ResourceDef | None = None) -> None:
        self.tmpl = tmpl
        self.env = env
        self.user_params = dict(user_params)
        self.files = files
        self.limits = limits
        self.stack_name = stack_name
        self.depth = depth
        self.counter = counter
        self.parent_def = parent_def
        self.file = tmpl.file
        self.spec = tmpl.spec
        self.param_values: dict = {}
        self.pseudo = {"OS::stack_name": stack_name, "OS::stack_id": "None",
                       "OS::project_id": "None", "AWS::StackName": stack_name,
                       "AWS::StackId": "None", "AWS::Region": "ap-southeast-1"}
        self.all_resources: dict = {}
        self.disabled: set = set()
        self.ctx = ResolveContext(self)
        self.conditions = Conditions(self.spec, self.ctx, self.file)
        self.validate_props = True
        self.in_outputs = False
        self.skipped: list = []
        #: ResourceGroup name -> its member template resolved once (index 0)
        self.member_nested: dict[str, ResolvedStack] = {}
        client_prepare(tmpl.data, tmpl.base_dir, files, tmpl.file)

    def load(self) -> ResolvedStack:
        """Resolve this stack; every engine error gets this template's file name."""
        try:
            return self._load()
        except HeatlikeError as exc:
            raise exc.with_location(file=self.file) from None

    def _load(self) -> ResolvedStack:
        t, spec = self.tmpl, self.spec
        schemas, values, hidden, hidden_values = self._parameters()
        groups = self._parameter_groups(schemas)
        conds_raw = t.section("conditions") if spec.condition_functions is not None else None
        conditions = self.conditions.define(conds_raw)
        parser = fn.Parser(spec.functions, self.ctx,
                           fn.condition_table(spec.functions, spec.condition_functions or {}))
        resources = self._resources(parser)
        self._implicit_edges(resources)
        waves = Graph(requires={r.name: r.depends_on for r in resources.values()}).waves()
        outputs, parsed_outputs, unresolved = resolve_outputs(self, parser)
        rs = ResolvedStack(
            template_file=self.file, version=self.tmpl.version_label, parameters=values, hidden=hidden,
            hidden_values=hidden_values, parameter_groups=groups, conditions=conditions,
            resources=resources, disabled_resources=sorted(self.disabled),
            creation_order=waves, deletion_order=list(reversed(waves)), outputs=outputs,
            outputs_unresolved=sorted(unresolved), description=t.section("description"),
            skipped_constraints=self.skipped, warnings=self.env.warnings,
            restricted={n: sorted(a) for n, a in ((n, self.env.restricted_actions(n)) for n in resources) if a},
            _schemas=schemas,
            _ctx=self.ctx, _parsed_outputs=parsed_outputs)
        for r in resources.values():
            r._stack = rs
            if r.nested is not None:
                rs.hidden_values |= r.nested.hidden_values
            if r.name in self.member_nested:
                rs.hidden_values |= self.member_nested[r.name].hidden_values
        return rs

    # ------------------------------------------------------------------ parameters
    def _parameters(self) -> tuple[dict, dict, set, set]:
        """``(schemas, values, hidden names, every scalar of a hidden value)``."""
        schemas = params_mod.parse_schemas(self.tmpl.section("parameters"), cfn=self.spec.cfn,
                                           version=self.spec.date, file=self.file)
        types = {n: sc.type for n, sc in schemas.items()}
        if self.env.layers:
            self.env.parameter_defaults = self.env.merged("parameter_defaults", types)
        if self.depth == 0:
            # environment parameters (merged with their strategies), then the caller's
            merged = self.env.merged("parameters", types) if self.env.layers \
                else dict(self.env.parameters)
            merged.update(self.user_params)
            self.user_params = merged
        user = dict(self.user_params)
        nested_unresolved = {k: v for k, v in user.items() if contains_unresolved(v)}
        for k in nested_unresolved:
            user.pop(k)
        values = params_mod.resolve_values(
            schemas, user, self.env.parameter_defaults, file=self.file, skipped=self.skipped,
        ) if not nested_unresolved else self._resolve_with_unresolved(
            schemas, user, nested_unresolved, self.skipped)
        self.param_values = values
        hidden = {n for n, s in schemas.items() if s.hidden}
        hidden_values = set()
        todo = [values.get(n) for n in hidden]
        while todo:  # every scalar of a hidden value, also inside json/list values
            v = todo.pop()
            if isinstance(v, dict):
                todo.extend(v.values())
            elif isinstance(v, list):
                todo.extend(v)
            elif v is not None and v != "" and not isinstance(v, (Unresolved, bool)):
                hidden_values.add(str(v))
        return schemas, values, hidden, hidden_values

    def _resolve_with_unresolved(self, schemas: dict, user: dict, unres: dict,
                                 skipped: list) -> dict:
        # nested stack parameters fed by not-yet-existing resources: keep them unresolved
        known = {k: s for k, s in schemas.items() if k not in unres}
        values = params_mod.resolve_values(known, user, self.env.parameter_defaults,
                                           file=self.file, skipped=skipped)
        for k, v in unres.items():
            if k in schemas:
                values[k] = v
        return values

    def _parameter_groups(self, schemas: dict) -> list:
        groups = self.tmpl.data.get("parameter_groups") if not self.spec.cfn else None
        if not groups:
            return []
        seen: set = set()
        for i, g in enumerate(groups):
            gpath = "parameter_groups[%d]" % i
            if not isinstance(g, dict):
                raise TemplateError("Parameter groups must be maps", file=self.file, path=gpath)
            plist = g.get("parameters")
            if not isinstance(plist, list):
                raise TemplateError("Parameters must be provided for each Parameter Group.",
                                    file=self.file, path=gpath)
            for p in plist:
                if not isinstance(p, str):
                    raise TemplateError("Parameter group members must be parameter names, "
                                        "found %r" % (p,), file=self.file, path=gpath)
                if p in seen:
                    raise TemplateError("The %s parameter must be assigned to one Parameter "
                                        "Group only." % p, file=self.file, path=gpath)
                if p not in schemas:
                    raise TemplateError("The grouped parameter %s does not reference a valid "
                                        "parameter." % p, file=self.file, path=gpath)
                seen.add(p)
        return groups

    # ------------------------------------------------------------------ resources
    def _resources(self, parser: fn.Parser) -> dict[str, ResourceDef]:
        """Every enabled resource: names and keys checked first, then each one built."""
        spec, F = self.spec, self.tmpl.fields
        res_section = self.tmpl.section("resources") or {}
        self.all_resources = {}
        for name, rdef in res_section.items():
            rpath = "%s.%s" % (spec.s_resources, name)
            if not isinstance(name, str) or not name:
                raise TemplateError("Resource names must be non-empty strings, found %r"
                                    % (name,), file=self.file, path=spec.s_resources)
            if not isinstance(rdef, dict) or not rdef:
                raise TemplateError('Each resource must contain a %s key.' % F["type"],
                                    file=self.file, path=rpath)
            for k in rdef:
                if k not in spec.resource_keys:
                    raise TemplateError('"%s" is not a valid keyword inside a resource '
                                        'definition' % k, file=self.file, path=rpath)
            if F["type"] not in rdef:
                raise TemplateError('Resource %s is missing "%s"' % (name, F["type"]),
                                    file=self.file, path=rpath)
            self.all_resources[name] = rdef
        self.counter[0] += len(res_section)
        if self.counter[0] > self.limits.max_resources:
            raise LimitError("more than %d resources (nested stacks included)"
                             % self.limits.max_resources, file=self.file,
                             path=spec.s_resources)
        for name, rdef in res_section.items():
            rpath = "%s.%s" % (spec.s_resources, name)
            if F["condition"] in rdef and spec.condition_functions is not None:
                if not self.conditions.holds(rdef[F["condition"]], rpath + "." + F["condition"]):
                    self.disabled.add(name)
        return {name: build_resource(self, name, rdef, parser)
                for name, rdef in res_section.items() if name not in self.disabled}

    # ------------------------------------------------------------------ implicit edges
    def _implicit_edges(self, resources: dict[str, ResourceDef]) -> None:
        """Heat's implicit dependencies: each resource's type adds its own (``add_dependencies``)."""
        types = {name: self.env.resolve_type(r.type, r.name)[0] for name, r in resources.items()}
        index = StackIndex(resources, types)
        for name, r in resources.items():
            known = get_resource_type(types[name])
            if known is None:
                continue
            for dep in set(known.add_dependencies(r, index)):
                if dep != name and dep not in r.depends_on:
                    r.implicit_depends_on.add(dep)
                    r.depends_on.add(dep)
