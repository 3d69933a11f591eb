"""What the resolver produces: the engine's limits, a resolved stack and its resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import MASK
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import template_form
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn


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
        """The properties as written in a template (unresolved values as functions)."""
        return template_form(self.properties) if self.properties is not None else {}


@dataclass
class ResolvedStack:
    """The result of :func:`~.stack.load_stack`."""

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
