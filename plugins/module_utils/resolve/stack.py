"""Engine entry point: template + environments + parameters -> a resolved, validated stack.

``load_stack`` runs load -> parameters -> conditions -> resources -> implicit edges -> graph ->
waves -> outputs, recursing into provider templates (nested stacks) within the limits.
"""

from __future__ import annotations

import copy
import gc
import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import parameters as params_mod
from ansible_collections.heatlike.cloud.plugins.module_utils.template.environment import (
    NONE_TYPE,
    Environment,
    env_base_dir,
    is_template_ref,
    merge_env,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    FileAccessError,
    HeatlikeError,
    LimitError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.files import FileLoader
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph
from ansible_collections.heatlike.cloud.plugins.module_utils.template.versions import (
    Template,
    load_template_file,
    parse_template,
    template_from_data,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import (
    Unresolved,
    contains_unresolved,
    template_form,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text

try:
    from ansible_collections.heatlike.cloud.plugins.module_utils import resources as _resources
except ImportError:  # pragma: no cover - the catalog is optional
    _resources = None

MASK = "******"


@dataclass
class Limits:
    """Every limit of the engine; all configurable from modules."""

    template_max_bytes: int = 524_288
    files_max_bytes: int = 5_242_880
    max_yaml_depth: int = 1_000
    max_yaml_aliases: int = 1_000
    max_nested_depth: int = 5
    max_resources: int = 1_000
    allow_http: bool = False
    http_timeout: float = 10.0
    max_yaml_nodes: int = 2_000_000


@dataclass
class ResourceDef:
    """One enabled resource of a resolved stack."""

    name: str
    type: str
    properties: Any  # resolved offline; Unresolved where a resource is needed
    depends_on: set = field(default_factory=set)
    explicit_depends_on: set = field(default_factory=set)
    implicit_depends_on: set = field(default_factory=set)
    deletion_policy: str = "Delete"
    update_policy: Any = None
    metadata: Any = None
    external_id: Any = None
    condition: Any = None
    nested: "ResolvedStack | None" = None
    template_type: str | None = None  # type as written in the template
    #: provider template resource: ``loader(params, logical) -> ResolvedStack`` (converged as a nested stack)
    nested_loader: Any = None
    #: ResourceGroup whose ``resource_def`` type is a provider template: the members' loader
    member_loader: Any = None
    _parsed_properties: Any = None
    _stack: "ResolvedStack | None" = None

    def resolve_properties(self, runtime: Any) -> dict:
        """Every function evaluated with real values from ``runtime``."""
        ctx = self._stack._ctx.with_runtime(runtime)  # type: ignore[union-attr]
        return fn.resolve(self._parsed_properties, ctx) or {}

    def template_properties(self) -> Any:
        return template_form(self.properties) if self.properties is not None else {}


@dataclass
class ResolvedStack:
    """The result of :func:`load_stack`."""

    template_file: str | None
    version: str
    parameters: dict
    hidden: set
    hidden_values: set
    parameter_groups: list
    conditions: dict
    resources: dict
    disabled_resources: list
    creation_order: list
    deletion_order: list
    outputs: dict
    outputs_unresolved: list
    description: str | None = None
    skipped_constraints: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    #: resource name -> actions the environment's ``restricted_actions`` forbid on update
    restricted: dict = field(default_factory=dict)
    _schemas: dict = field(default_factory=dict)
    _ctx: Any = None
    _parsed_outputs: dict = field(default_factory=dict)

    def parameter_info(self) -> dict:
        """Parameters for template_info: value, type, description, label; hidden masked."""
        out = {}
        for name, s in self._schemas.items():
            value = self.parameters.get(name)
            out[name] = {"type": s.type_name,
                         "value": MASK if s.hidden else template_form(value),
                         "hidden": s.hidden, "description": s.description, "label": s.label,
                         "immutable": s.immutable, "tags": list(s.tags)}
            if s.has_default:
                out[name]["default"] = MASK if s.hidden else s.default
        return out

    def resolve_outputs(self, runtime: Any) -> dict:
        """Final outputs once resources exist."""
        ctx = self._ctx.with_runtime(runtime)
        return {k: fn.resolve(self._parsed_outputs[k], ctx) if k in self._parsed_outputs
                else None for k in self.outputs}

    def to_info(self) -> dict:
        """The corpus shape (see ../shared/corpus/README.md)."""
        res = {}
        for name, r in self.resources.items():
            d = {"type": r.type, "depends_on": sorted(r.depends_on),
                 "properties": r.template_properties()}
            if r.implicit_depends_on:
                d["implicit_depends_on"] = sorted(r.implicit_depends_on)
            if r.explicit_depends_on:
                d["explicit_depends_on"] = sorted(r.explicit_depends_on)
            if r.condition is not None:
                d["condition"] = r.condition
            if r.nested is not None:
                d["nested"] = r.nested.to_info()
            res[name] = d
        return {"valid": True, "error": None, "template_version": self.version,
                "parameters": template_form(self.parameters),
                "conditions": dict(self.conditions),
                "resources": res, "disabled_resources": list(self.disabled_resources),
                "creation_order": [list(w) for w in self.creation_order],
                "outputs": template_form(self.outputs),
                "outputs_unresolved": list(self.outputs_unresolved)}


class _Ctx:
    """What intrinsic functions see while resolving (see functions.py)."""

    def __init__(self, loader: "_StackLoader") -> None:
        self.ld = loader
        self.runtime: Any = None
        self.mappings = loader.tmpl.data.get("Mappings") or {}

    def with_runtime(self, runtime: Any) -> "_Ctx":
        c = _Ctx.__new__(_Ctx)
        c.__dict__.update(self.__dict__)
        c.runtime = runtime
        return c

    def get_param(self, name: Any, path: str, ref: bool = False) -> Any:
        ld = self.ld
        if isinstance(name, str) and name in ld.param_values:
            return ld.param_values[name]
        if isinstance(name, str) and name in ld.pseudo:
            return ld.pseudo[name]
        if ref and ld.in_outputs:
            return Unresolved({"Ref": name})
        if ref:
            raise TemplateError('The specified reference "%s" (in %s) is incorrect.'
                                % (name, path.split(".")[1] if "." in path else path),
                                file=ld.file, path=path)
        raise TemplateError("The Parameter (%s) was not provided." % name, file=ld.file,
                            path=path)

    def is_resource(self, name: Any) -> bool:
        return isinstance(name, str) and name in self.ld.all_resources

    def _check_ref(self, name: str, f: fn.Function) -> bool:
        if name not in self.ld.all_resources:
            where = f.path.split(".")[1] if f.path.count(".") >= 1 else f.path
            raise TemplateError('The specified reference "%s" (in %s) is incorrect.'
                                % (name, where), file=self.ld.file, path=f.path)
        return name not in self.ld.disabled

    def resource_ref(self, name: str, f: fn.Function) -> Any:
        if not self._check_ref(name, f):
            return None
        if self.runtime is not None:
            return self.runtime.get_resource(name)
        return Unresolved({f.name: name})

    def resource_attr(self, name: str, rest: list, f: fn.Function) -> Any:
        if not self._check_ref(name, f):
            return None
        if self.runtime is not None and not contains_unresolved(rest):
            return self.runtime.get_attr(name, *rest)
        if rest and isinstance(rest[0], str):
            self.ld.check_attr(name, rest[0], f)
        return Unresolved({f.name: [name] + template_form(rest)})

    def condition(self, name: str, path: str) -> bool:
        return self.ld.condition(name, path)

    def get_file(self, ref: str, path: str) -> str:
        ld = self.ld
        loc, content = ld.files.get(ref, ld.tmpl.base_dir, file=ld.file, path=path)
        return template_file_content(content, loc, ld.files)

    def facade(self, what: str) -> Any:
        parent = self.ld.parent_def
        if parent is None:
            return {"metadata": {}, "deletion_policy": "Delete", "update_policy": {}}[what]
        return {"metadata": template_form(parent.metadata) or {},
                "deletion_policy": parent.deletion_policy,
                "update_policy": template_form(parent.update_policy) or {}}[what]

    def availability_zones(self) -> list:
        return ["nova"]


def _key(v: Any) -> Any:
    """Comparable key of a property value as Heat sees it before creation.

    A reference to a resource is its name (Heat's reference id before the resource exists);
    anything else that needs a created resource is None (Heat's get_attr before creation).
    """
    if isinstance(v, Unresolved):
        tf = v.template_form
        if isinstance(tf, dict) and len(tf) == 1:
            (k, a), = tf.items()
            if k in ("get_resource", "Ref") and isinstance(a, str):
                return a
        return None
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return repr(template_form(v))


def _prop(props: Any, *names: str) -> Any:
    if not isinstance(props, dict):
        return None
    for n in names:
        v = props.get(n)
        if v is not None and v != "":
            return v
    return None


class _StackLoader:
    """Builds one ResolvedStack (recursively for nested stacks)."""

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
        self._cond_defs: dict = {}
        self._cond_values: dict = {}
        self._cond_busy: set = set()
        self.ctx = _Ctx(self)
        self.validate_props = True
        self.in_outputs = False
        self.skipped: list = []
        client_prepare(tmpl.data, tmpl.base_dir, files, tmpl.file)

    def check_attr(self, name: str, attr: str, f: fn.Function) -> None:
        """Heat rejects get_attr of an attribute the resource type does not have."""
        if _resources is None or not hasattr(_resources, "get_schema"):
            return
        rtype = self.all_resources[name].get(self.tmpl.fields["type"])
        if not isinstance(rtype, str):
            return
        final = self.env.resolve_type(rtype, name)[0]
        if final == NONE_TYPE or is_template_ref(final):
            return
        schema = _resources.get_schema(final)
        attrs = getattr(schema, "attributes", None)
        if not attrs or getattr(schema, "dynamic_attributes", False) or \
                getattr(schema, "provider", False):
            return
        if attr not in attrs:
            raise TemplateError("The Referenced Attribute (%s %s) is incorrect." % (name, attr),
                                file=self.file, path=f.path)

    # ------------------------------------------------------------------ conditions
    def condition(self, name: Any, path: str) -> bool:
        if isinstance(name, bool):
            return name
        if not isinstance(name, str) or name not in self._cond_defs:
            raise TemplateError('Invalid condition "%s"' % (name,), file=self.file, path=path)
        if name in self._cond_values:
            return self._cond_values[name]
        if name in self._cond_busy:
            raise TemplateError('Circular definition for condition "%s"' % name,
                                file=self.file, path=path)
        self._cond_busy.add(name)
        table = fn.condition_table(self.spec.functions, self.spec.condition_functions or {})
        cpath = "%s.%s" % (self.spec.s_conditions, name)
        parsed = fn.Parser(table, self.ctx, table).parse(self._cond_defs[name], cpath)
        if isinstance(parsed, fn.Function):
            value = parsed.result(self.ctx)
        else:
            value = parsed
        if isinstance(value, str) and value in self._cond_defs:
            value = self.condition(value, cpath)
        if not isinstance(value, bool):
            raise TemplateError('Invalid condition "%s": must evaluate to a boolean' % name,
                                file=self.file, path=cpath)
        self._cond_busy.discard(name)
        self._cond_values[name] = value
        return value

    def _res_condition(self, raw: Any, path: str) -> bool:
        if raw is None:
            return True
        if isinstance(raw, (bool, str)):
            return self.condition(raw, path)
        table = fn.condition_table(self.spec.functions, self.spec.condition_functions or {})
        parsed = fn.Parser(table, self.ctx, table).parse(raw, path)
        v = parsed.result(self.ctx) if isinstance(parsed, fn.Function) else parsed
        if isinstance(v, str):
            return self.condition(v, path)
        return bool(v)

    # ------------------------------------------------------------------ main
    def load(self) -> ResolvedStack:
        """Resolve this stack; every engine error gets this template's file name."""
        try:
            return self._load()
        except HeatlikeError as exc:
            raise exc.with_location(file=self.file) from None

    def _load(self) -> ResolvedStack:
        t, spec, F = self.tmpl, self.spec, self.tmpl.fields
        # parameters
        schemas = params_mod.parse_schemas(t.section("parameters"), cfn=spec.cfn,
                                           version=spec.date, file=self.file)
        skipped = self.skipped
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
            schemas, user, self.env.parameter_defaults, file=self.file, skipped=skipped,
        ) if not nested_unresolved else self._resolve_with_unresolved(
            schemas, user, nested_unresolved, skipped)
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
        groups = self._parameter_groups(schemas)

        # conditions
        conds_raw = t.section("conditions") if spec.condition_functions is not None else None
        self._cond_defs = dict(conds_raw or {})
        for cname in self._cond_defs:
            if not isinstance(cname, str):
                raise TemplateError("Condition names must be strings, found %r" % (cname,),
                                    file=self.file, path=spec.s_conditions)
        conditions = {n: self.condition(n, "%s.%s" % (spec.s_conditions, n))
                      for n in self._cond_defs}

        # resources: first pass (names, keys, conditions)
        res_section = t.section("resources") or {}
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
                if not self._res_condition(rdef[F["condition"]], rpath + "." + F["condition"]):
                    self.disabled.add(name)

        parser = fn.Parser(spec.functions, self.ctx,
                           fn.condition_table(spec.functions, spec.condition_functions or {}))
        resources: dict[str, ResourceDef] = {}
        for name, rdef in res_section.items():
            if name in self.disabled:
                continue
            resources[name] = self._resource(name, rdef, parser)

        self._implicit_edges(resources)

        graph = Graph(requires={r.name: r.depends_on for r in resources.values()})
        waves = graph.waves()

        # outputs
        outputs, parsed_outputs, unresolved = {}, {}, []
        self.in_outputs = True
        for oname, odef in (t.section("outputs") or {}).items():
            opath = "%s.%s" % (spec.s_outputs, oname)
            if not isinstance(oname, str):
                raise TemplateError("Output names must be strings, found %r" % (oname,),
                                    file=self.file, path=spec.s_outputs)
            if not isinstance(odef, dict):
                raise TemplateError("Each output must contain a %s key." % F["value"],
                                    file=self.file, path=opath)
            for k in odef:
                if k not in spec.output_keys:
                    raise TemplateError('"%s" is not a valid keyword inside a output '
                                        'definition' % k, file=self.file, path=opath)
            ocond = odef.get(F["condition"])
            if F["condition"] in odef and not self._res_condition(ocond, opath + ".condition"):
                outputs[oname] = None
                continue
            p = parser.parse(odef.get(F["value"]), opath + "." + F["value"])
            parsed_outputs[oname] = p
            v = fn.resolve(p, self.ctx)
            outputs[oname] = template_form(v)
            if contains_unresolved(v):
                unresolved.append(oname)

        rs = ResolvedStack(
            template_file=self.file, version=self.tmpl.version_label, parameters=values, hidden=hidden,
            hidden_values=hidden_values, parameter_groups=groups, conditions=conditions,
            resources=resources, disabled_resources=sorted(self.disabled),
            creation_order=waves, deletion_order=list(reversed(waves)), outputs=outputs,
            outputs_unresolved=sorted(unresolved), description=t.section("description"),
            skipped_constraints=skipped, warnings=self.env.warnings,
            restricted={n: sorted(a) for n, a in ((n, self.env.restricted_actions(n)) for n in resources) if a},
            _schemas=schemas,
            _ctx=self.ctx, _parsed_outputs=parsed_outputs)
        member_nested = getattr(self, "_member_nested", {})
        for r in resources.values():
            r._stack = rs
            if r.nested is not None:
                rs.hidden_values |= r.nested.hidden_values
            if r.name in member_nested:
                rs.hidden_values |= member_nested[r.name].hidden_values
        return rs

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

    def _resource(self, name: str, rdef: dict, parser: fn.Parser) -> ResourceDef:
        F, spec = self.tmpl.fields, self.spec
        rpath = "%s.%s" % (spec.s_resources, name)
        parsed = {k: parser.parse(v, "%s.%s" % (rpath, k)) for k, v in rdef.items()
                  if k != F["condition"]}
        rtype = fn.resolve(parsed.get(F["type"]), self.ctx)
        if not isinstance(rtype, str) or not rtype:
            raise TemplateError('Resource %s "%s" must be a string' % (name, F["type"]),
                                file=self.file, path=rpath + "." + F["type"])
        props_p = parsed.get(F["properties"])
        meta_p = parsed.get(F["metadata"])
        for key, label in ((F["properties"], "object"), (F["metadata"], "object"),
                           (F["update_policy"], "object")):
            v = parsed.get(key)
            if v is not None and not isinstance(v, (dict, fn.Function)):
                raise TemplateError('Resource %s %s type must be %s' % (name, key, label),
                                    file=self.file, path="%s.%s" % (rpath, key))
        deps_raw = parsed.get(F["depends_on"])
        if deps_raw is None:
            explicit: list = []
        elif isinstance(deps_raw, str):
            explicit = [deps_raw]
        elif isinstance(deps_raw, list):
            explicit = deps_raw
        else:
            raise TemplateError('Resource %s %s type must be list or string'
                                % (name, F["depends_on"]), file=self.file,
                                path=rpath + "." + F["depends_on"])
        for d in explicit:
            if not isinstance(d, str) or d not in self.all_resources:
                raise TemplateError('The specified reference "%s" (in %s) is incorrect.'
                                    % (d, name), file=self.file,
                                    path=rpath + "." + F["depends_on"])
        props = fn.resolve(props_p, self.ctx) if props_p is not None else None
        if props is not None and not isinstance(props, dict):
            raise TemplateError("Resource %s properties must be a map" % name, file=self.file,
                                path=rpath + "." + F["properties"])
        meta = fn.resolve(meta_p, self.ctx) if meta_p is not None else None
        dp = fn.resolve(parsed.get(F["deletion_policy"]), self.ctx)
        if dp is not None and (not isinstance(dp, str) or dp not in spec.deletion_policies):
            raise TemplateError('Invalid deletion policy "%s"' % dp, file=self.file,
                                path=rpath + "." + F["deletion_policy"])
        upd = fn.resolve(parsed.get(F["update_policy"]), self.ctx)
        ext = fn.resolve(parsed.get(F["external_id"]), self.ctx)
        deps: set = set()
        for part in (props_p, meta_p):
            for d in fn.dependencies(part):
                if d in self.all_resources and d not in self.disabled:
                    deps.add(d)
        explicit_set = {d for d in explicit if d not in self.disabled}
        deps |= explicit_set
        if name in deps:
            raise TemplateError("Circular Dependency Found: %s -> %s" % (name, name),
                                file=self.file, path=rpath)
        final_type, base = self.env.resolve_type(rtype, name)
        r = ResourceDef(name=name, type=rtype, properties=props, depends_on=deps,
                        explicit_depends_on=set(explicit_set),
                        deletion_policy={"delete": "Delete", "retain": "Retain",
                                         "snapshot": "Snapshot"}.get(dp, dp) or "Delete",
                        update_policy=upd, metadata=meta, external_id=ext,
                        condition=self.all_resources[name].get(F["condition"]),
                        template_type=rtype)
        r._parsed_properties = props_p
        if final_type == NONE_TYPE:
            r.type = rtype
            return r
        if is_template_ref(final_type):
            loc = self.files.locate(final_type, base or self.tmpl.base_dir, file=self.file,
                                    path=rpath + "." + F["type"])
            if is_template_ref(rtype):
                r.type = rtype if "://" in rtype else "file://" + loc
            r.nested_loader = self._nested_loader(r, loc, rpath)
            r.nested = r.nested_loader(r.properties or {}, r.name, counter=self.counter)
        else:
            if final_type == "AWS::CloudFormation::Stack" and isinstance(r.properties, dict) \
                    and isinstance(r.properties.get("TemplateURL"), str):
                url = r.properties["TemplateURL"]
                try:
                    loc = self.files.locate(url, self.tmpl.base_dir, file=self.file,
                                            path=rpath + ".Properties.TemplateURL")
                except HeatlikeError as exc:
                    exc.message = "%s<nested_stack>: Could not fetch remote template '%s': %s" \
                        % (rpath, url, exc.message)
                    raise
                params = r.properties.get("Parameters") or {}
                r.nested = self._nested(r, loc, rpath, params)
            if self.validate_props and ext is None:
                self._validate_properties(final_type, r, rpath)
            self._check_group_member_type(final_type, r, rpath)
        return r

    def _check_group_member_type(self, type_name: str, r: ResourceDef, rpath: str) -> None:
        """Heat builds the member template of a group: its type must exist.

        A ResourceGroup whose member type is a provider template gets ``member_loader``; the
        member template is resolved once here (index 0) so its errors and limits show offline.
        """
        key = {"OS::Heat::AutoScalingGroup": "resource",
               "OS::Heat::ResourceGroup": "resource_def"}.get(type_name)
        if key is None or not isinstance(r.properties, dict):
            return
        member = r.properties.get(key)
        mtype = member.get("type") if isinstance(member, dict) else None
        if not isinstance(mtype, str) or _resources is None:
            return
        final, base = self.env.resolve_type(mtype)
        if is_template_ref(final):
            loc = self.files.locate(final, base or self.tmpl.base_dir, file=self.file,
                                    path="%s.properties.%s.type" % (rpath, key))
            if type_name != "OS::Heat::ResourceGroup":
                return
            # the group is one nested stack, each member another one below it
            r.member_loader = self._nested_loader(r, loc, rpath, extra_depth=2)
            props = member.get("properties") if isinstance(member.get("properties"), dict) else {}
            index_var = r.properties.get("index_var")
            index_var = index_var if isinstance(index_var, str) else "%index%"
            first = self.counter[0]
            nested = r.member_loader(_substitute_index(props, index_var), "0", counter=self.counter)
            count = r.properties.get("count", 1)
            if isinstance(count, int) and count > 1:
                self.counter[0] += (count - 1) * (self.counter[0] - first)
                if self.counter[0] > self.limits.max_resources:
                    raise LimitError("more than %d resources (nested stacks included)"
                                     % self.limits.max_resources, file=self.file, path=rpath)
            self._member_nested = getattr(self, "_member_nested", {})
            self._member_nested[r.name] = nested
            return
        if not self.validate_props:
            return
        if final != NONE_TYPE and _resources.get_schema(final) is None:
            raise TemplateError("%s<nested_stack>: The Resource Type (%s) could not be found."
                                % (rpath, final), file=self.file, path=None)

    def _validate_properties(self, type_name: str, r: ResourceDef, rpath: str) -> None:
        """Type lookup and property validation by the resource catalog (when installed)."""
        if _resources is None or not hasattr(_resources, "get_schema"):
            return
        schema = _resources.get_schema(type_name)
        if schema is None:
            raise TemplateError("The Resource Type (%s) could not be found." % type_name,
                                file=self.file, path=rpath)
        try:
            from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.validation \
                import validate_properties
        except ImportError:  # pragma: no cover - catalog without a validator
            return
        first = len(self.skipped)
        validate_properties(schema, r.properties or {},
                            "%s.%s" % (rpath, self.tmpl.fields["properties"]), file=self.file,
                            skipped=self.skipped)
        for entry in self.skipped[first:]:
            if isinstance(entry, dict):
                entry.setdefault("resource", r.name)

    def _nested(self, r: ResourceDef, loc: str, rpath: str,
                params: Any = None, extra_depth: int = 1) -> ResolvedStack:
        return self._nested_loader(r, loc, rpath, extra_depth)(
            (r.properties or {}) if params is None else params, r.name, counter=self.counter)

    def _nested_loader(self, r: ResourceDef, loc: str, rpath: str, extra_depth: int = 1) -> Any:
        """``load(params, logical)``: the provider template ``loc`` resolved with ``params``.

        Used offline (validation, with unresolved values) and at converge time with the real
        property values; the nested pseudo stack name is ``<parent>-<logical>``.
        """
        if self.depth + extra_depth > self.limits.max_nested_depth:
            raise LimitError("%s<nested_stack>: nested stack depth exceeds %d"
                             % (rpath, self.limits.max_nested_depth), file=self.file)
        env, files, limits, depth = self.env.copy_for_nested(), self.files, self.limits, self.depth
        parent_name, parent_file = self.stack_name, self.file
        base = os.path.dirname(loc) if "://" not in loc else None

        def load(params: Any, logical: str, counter: list | None = None) -> ResolvedStack:
            content = files.read(loc, file=parent_file, path=rpath)
            try:
                tmpl = parse_template(content, loc, base, limits)
                ld = _StackLoader(tmpl, env.copy_for_nested(), params or {}, files, limits,
                                  "%s-%s" % (parent_name, logical), depth + extra_depth,
                                  counter if counter is not None else [0], parent_def=r)
                ld.validate_props = False
                return ld.load()
            except HeatlikeError as exc:
                if exc.file == loc or exc.file is None:
                    exc.message = "%s<nested_stack>: %s" % (rpath, exc.message) \
                        if not exc.message.startswith(rpath) else exc.message
                raise

        return load

    # ------------------------------------------------------------------ implicit edges
    def _implicit_edges(self, resources: dict[str, ResourceDef]) -> None:
        by_type: dict[str, list[ResourceDef]] = {}
        for r in resources.values():
            t = self.env.resolve_type(r.type, r.name)[0]
            by_type.setdefault(t, []).append(r)
        subnets = by_type.get("OS::Neutron::Subnet", [])
        all_subnets = {s.name for s in subnets}
        subnet_by_net: dict[Any, list[str]] = {}
        for s in subnets:
            subnet_by_net.setdefault(_key(_prop(s.properties, "network", "network_id")),
                                     []).append(s.name)

        def add(r: ResourceDef, dep: str) -> None:
            if dep != r.name and dep not in r.depends_on:
                r.implicit_depends_on.add(dep)
                r.depends_on.add(dep)

        for p in by_type.get("OS::Neutron::Port", []):
            net = _key(_prop(p.properties, "network", "network_id"))
            for s in subnet_by_net.get(net, []):
                add(p, s)
        for srv in by_type.get("OS::Nova::Server", []):
            nets = (srv.properties or {}).get("networks") if isinstance(srv.properties, dict) \
                else None
            if not nets or not isinstance(nets, list):
                continue
            net_ids = []
            any_unknown = False
            for n in nets:
                nid = _key(_prop(n, "network", "uuid")) if isinstance(n, dict) else None
                if nid is None or nid == "":
                    any_unknown = True
                    break
                net_ids.append(nid)
            if any_unknown:
                new = all_subnets - srv.depends_on
                new.discard(srv.name)
                srv.implicit_depends_on |= new
                srv.depends_on |= new
                continue
            for s in subnet_by_net.get(None, []):
                add(srv, s)
            for nid in net_ids:
                for s in subnet_by_net.get(nid, []):
                    add(srv, s)
        ifaces = by_type.get("OS::Neutron::RouterInterface", [])
        iface_by_router: dict[Any, list[str]] = {}
        iface_by_subnet: dict[Any, list[str]] = {}
        for i in ifaces:
            iface_by_router.setdefault(_key(_prop(i.properties, "router", "router_id")),
                                       []).append(i.name)
            iface_by_subnet.setdefault(_key(_prop(i.properties, "subnet", "subnet_id")),
                                       []).append(i.name)
        gateways = by_type.get("OS::Neutron::RouterGateway", [])
        gw_by_net: dict[Any, list[str]] = {}
        for g in gateways:
            gw_by_net.setdefault(_key(_prop(g.properties, "network", "network_id")),
                                 []).append(g.name)
            for i in iface_by_router.get(_key(_prop(g.properties, "router_id", "router")), []):
                add(g, i)
            for s in subnet_by_net.get(_key(_prop(g.properties, "network", "network_id")), []):
                add(g, s)
        routers = by_type.get("OS::Neutron::Router", [])
        router_by_net: dict[Any, list[str]] = {}
        for rt in routers:
            gw = _prop(rt.properties, "external_gateway_info")
            if isinstance(gw, dict):
                router_by_net.setdefault(_key(_prop(gw, "network", "network_id")),
                                         []).append(rt.name)
        for fip in by_type.get("OS::Neutron::FloatingIP", []):
            fnet = _key(_prop(fip.properties, "floating_network", "floating_network_id"))
            for g in gw_by_net.get(fnet, []):
                add(fip, g)
            for rt in router_by_net.get(fnet, []):
                add(fip, rt)
            self._interface_edges(fip, resources, iface_by_subnet, add, floating_ip=True)
        for t in ("OS::Neutron::FloatingIPAssociation", "OS::Neutron::FloatingIPPortForward"):
            for assoc in by_type.get(t, []):
                self._interface_edges(assoc, resources, iface_by_subnet, add, floating_ip=False)

    def _interface_edges(self, r: ResourceDef, resources: dict, iface_by_subnet: dict,
                         add: Any, floating_ip: bool) -> None:
        """RouterInterfaces on the subnet of a Port that ``r`` already depends on.

        As Heat (offline): a port without ``fixed_ips`` matches only interfaces whose subnet
        is unknown, and only for a FloatingIP; an association looks at the first fixed IP.
        """
        if not iface_by_subnet:
            return
        for d in sorted(r.depends_on - r.implicit_depends_on):
            port = resources.get(d)
            if port is None or self.env.resolve_type(port.type, port.name)[0] != \
                    "OS::Neutron::Port":
                continue
            fixed = _prop(port.properties, "fixed_ips")
            if not fixed or not isinstance(fixed, list):
                if floating_ip:
                    for i in iface_by_subnet.get(None, []):
                        add(r, i)
                continue
            for fx in fixed if floating_ip else fixed[:1]:
                sub = _prop(fx, "subnet", "subnet_id") if isinstance(fx, dict) else None
                for i in iface_by_subnet.get(_key(sub), []):
                    add(r, i)


def _substitute_index(value: Any, var: str, index: int = 0) -> Any:
    """A ResourceGroup member's properties with the index variable replaced."""
    if isinstance(value, str):
        return value.replace(var, str(index))
    if isinstance(value, dict):
        return {k: _substitute_index(v, var, index) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_index(v, var, index) for v in value]
    return value


def _is_template_text(content: str) -> Any:
    try:
        data = load_text(content)
    except HeatlikeError:
        return None
    if isinstance(data, dict) and ("heat_template_version" in data or
                                   "AWSTemplateFormatVersion" in data or
                                   "HeatTemplateFormatVersion" in data):
        return data
    return None


def template_file_content(content: str, loc: str, files: FileLoader) -> str:
    """What Heat's client sends for a get_file: a template file becomes its JSON form."""
    if not content.lstrip().startswith(("heat_template_version", "{", "AWSTemplate",
                                        "HeatTemplate", "#", "---", "description")):
        return content
    data = _is_template_text(content)
    if data is None:
        return content
    base = os.path.dirname(loc) if "://" not in loc else None
    client_prepare(data, base, files, loc)
    return json.dumps(data)


def _client_rewrites(data: Any) -> list:
    """Every ``(container, key, lazy path)`` whose ``type`` names a template file."""
    hits = []
    stack: list = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    stack.append((v, (path, k)))
                elif k == "type" and isinstance(v, str) and \
                        v.endswith((".yaml", ".template")) and "://" not in v:
                    hits.append((node, k, (path, k)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    stack.append((v, (path, i)))
    return hits


def client_prepare(data: Any, base_dir: str | None, files: FileLoader,
                   file: str | None) -> bool:
    """Do what Heat's client does before sending: every ``type: x.yaml`` becomes a URL.

    Mutates ``data`` in place; returns whether anything changed.
    """
    hits = _client_rewrites(data)
    for node, key, where in hits:
        ref = node[key]
        loc = files.locate(ref, base_dir, file=file, path=fn.render_path(where))
        if not os.path.isfile(loc):
            raise FileAccessError("Could not fetch contents for %s" % ref, file=file,
                                  path=fn.render_path(where))
        node[key] = "file://" + loc
    return bool(hits)


def _needs_client_prepare(data: Any) -> bool:
    return bool(_client_rewrites(data))


def _load_env_files(env: Environment, environment_files: Sequence[str], limits: Limits,
                    files: FileLoader) -> None:
    for path in environment_files:
        try:
            size = os.path.getsize(path)
            if size > limits.template_max_bytes:
                raise LimitError("Environment size (%d bytes) exceeds maximum allowed size "
                                 "(%d bytes)." % (size, limits.template_max_bytes), file=path)
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError as exc:
            raise TemplateError("cannot read environment: %s" % (exc.strerror or exc),
                                file=path) from None
        data = load_text(text, path, max_depth=limits.max_yaml_depth,
                         max_aliases=limits.max_yaml_aliases, max_nodes=limits.max_yaml_nodes)
        base = env_base_dir(path)
        merge_env(env, data, file=path, base_dir=base)
        if base and base not in files.roots:
            files.roots.append(os.path.realpath(base))


def load_stack(template: str | dict, *, environment_files: Sequence[str] = (),
               environment: dict | None = None, parameters: Mapping | None = None,
               files: Mapping[str, str] | None = None,
               allowed_roots: Sequence[str] | None = None, stack_name: str = "stack",
               limits: Limits | None = None) -> ResolvedStack:
    """Load, resolve and validate a stack offline (see docs/dev/contracts.md).

    The cyclic garbage collector is paused meanwhile: loading creates many objects and no
    garbage cycles, and the collector's repeated full passes would make large templates
    cost far more than linear time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_stack(template, environment_files=environment_files,
                           environment=environment, parameters=parameters, files=files,
                           allowed_roots=allowed_roots, stack_name=stack_name, limits=limits)
    finally:
        if was_enabled:
            gc.enable()


def _load_stack(template: str | dict, *, environment_files: Sequence[str],
                environment: dict | None, parameters: Mapping | None,
                files: Mapping[str, str] | None, allowed_roots: Sequence[str] | None,
                stack_name: str, limits: Limits | None) -> ResolvedStack:
    limits = limits or Limits()
    if isinstance(template, dict):
        # relative references of a parsed template resolve against the first allowed root
        base = os.path.abspath(allowed_roots[0]) if allowed_roots else os.getcwd()
    else:
        base = os.path.dirname(os.path.abspath(template))
    roots = list(allowed_roots) if allowed_roots else [base]
    loader = FileLoader(roots, files=dict(files or {}), max_bytes=limits.files_max_bytes,
                        allow_http=limits.allow_http, http_timeout=limits.http_timeout)
    env = Environment()
    _load_env_files(env, environment_files, limits, loader)
    if environment:
        merge_env(env, environment, file="environment", base_dir=base)
    if isinstance(template, dict):
        # the caller's dict is never modified: copy it when the client rewrite would
        if _needs_client_prepare(template):
            template = copy.deepcopy(template)
        tmpl = template_from_data(template, None, base)
    else:
        tmpl = load_template_file(template, limits)
    try:
        return _StackLoader(tmpl, env, dict(parameters or {}), loader, limits, stack_name, 0, [0]).load()
    except RecursionError:
        raise LimitError("template nesting too deep to resolve", file=tmpl.file) from None
