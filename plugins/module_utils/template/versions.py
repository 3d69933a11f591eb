"""Template loading, version detection and section validation (HOT and CFN).

Versions are tables: each :class:`VersionSpec` lists its sections, resource keys, output keys
and functions (from ``functions.FUNCTIONS``), built from the previous version like Heat does.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    LimitError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text


@dataclass(frozen=True)
class VersionSpec:
    """What one template version allows."""

    key: str  # heat_template_version | AWSTemplateFormatVersion | HeatTemplateFormatVersion
    date: str  # 2013-05-23 ... or 2010-09-09 / 2012-12-12
    cfn: bool
    sections: frozenset
    resource_keys: frozenset
    output_keys: frozenset
    functions: dict
    condition_functions: dict | None
    deletion_policies: frozenset

    @property
    def label(self) -> str:
        """The version line, e.g. ``heat_template_version: 2018-08-31``."""
        return "%s: %s" % (self.key, self.date)

    # section names as this format spells them
    @property
    def s_resources(self) -> str:
        return "Resources" if self.cfn else "resources"

    @property
    def s_parameters(self) -> str:
        return "Parameters" if self.cfn else "parameters"

    @property
    def s_outputs(self) -> str:
        return "Outputs" if self.cfn else "outputs"

    @property
    def s_conditions(self) -> str:
        return "Conditions" if self.cfn else "conditions"


HOT_DATES = ("2013-05-23", "2014-10-16", "2015-04-30", "2015-10-15", "2016-04-08",
             "2016-10-14", "2017-02-24", "2017-09-01", "2018-03-02", "2018-08-31",
             "2021-04-16")
HOT_ALIASES = {"newton": "2016-10-14", "ocata": "2017-02-24", "pike": "2017-09-01",
               "queens": "2018-03-02", "rocky": "2018-08-31", "wallaby": "2021-04-16"}

_HOT_SECTIONS = frozenset({"heat_template_version", "description", "parameter_groups",
                           "parameters", "resources", "outputs"})
_HOT_RES_KEYS = frozenset({"type", "properties", "metadata", "depends_on", "deletion_policy",
                           "update_policy"})
_HOT_OUT_KEYS = frozenset({"description", "value"})
_POLICIES = frozenset({"Delete", "Retain", "Snapshot"})


def _hot_specs() -> dict[str, VersionSpec]:
    specs: dict[str, VersionSpec] = {}
    sections, rkeys, okeys, policies = _HOT_SECTIONS, _HOT_RES_KEYS, _HOT_OUT_KEYS, _POLICIES
    for date in HOT_DATES:
        if date == "2016-10-14":
            sections = sections | {"conditions"}
            rkeys = rkeys | {"external_id", "condition"}
            okeys = okeys | {"condition"}
            policies = policies | {"delete", "retain", "snapshot"}
        specs[date] = VersionSpec("heat_template_version", date, False, sections, rkeys, okeys,
                                  fn.FUNCTIONS[date], fn.CONDITION_FUNCTIONS.get(date), policies)
    for alias, date in HOT_ALIASES.items():
        specs[alias] = specs[date]
    return specs


HOT_SPECS = _hot_specs()
_CFN_BASE_SECTIONS = frozenset({"AWSTemplateFormatVersion", "HeatTemplateFormatVersion",
                                "Description", "Mappings", "Parameters", "Resources", "Outputs"})
_CFN_RES_KEYS = frozenset({"Type", "Properties", "Metadata", "DependsOn", "DeletionPolicy",
                           "UpdatePolicy", "Description"})
CFN_SPEC = VersionSpec("AWSTemplateFormatVersion", "2010-09-09", True,
                       _CFN_BASE_SECTIONS | {"Conditions"}, _CFN_RES_KEYS | {"Condition"},
                       frozenset({"Value", "Description", "Condition"}),
                       fn.FUNCTIONS["AWSTemplateFormatVersion"],
                       fn.CONDITION_FUNCTIONS["AWSTemplateFormatVersion"], _POLICIES)
HEAT_CFN_SPEC = VersionSpec("HeatTemplateFormatVersion", "2012-12-12", True, _CFN_BASE_SECTIONS,
                            _CFN_RES_KEYS, frozenset({"Value", "Description"}),
                            fn.FUNCTIONS["HeatTemplateFormatVersion"], None, _POLICIES)

#: canonical resource-field names -> per-format spelling
HOT_FIELDS = {"type": "type", "properties": "properties", "metadata": "metadata",
              "depends_on": "depends_on", "deletion_policy": "deletion_policy",
              "update_policy": "update_policy", "external_id": "external_id",
              "condition": "condition", "value": "value", "description": "description"}
CFN_FIELDS = {"type": "Type", "properties": "Properties", "metadata": "Metadata",
              "depends_on": "DependsOn", "deletion_policy": "DeletionPolicy",
              "update_policy": "UpdatePolicy", "external_id": "ExternalId",
              "condition": "Condition", "value": "Value", "description": "Description"}


def detect_version(data: dict, file: str | None) -> VersionSpec:
    """Return the version spec of a parsed template; raise TemplateError when unknown."""
    if "heat_template_version" in data:
        v = data["heat_template_version"]
        if isinstance(v, datetime.date):  # a dict parsed by a plain YAML 1.1 loader
            v = v.isoformat()
        spec = HOT_SPECS.get(str(v)) if isinstance(v, (str, int)) else None
        if spec is None:
            raise TemplateError('The template version is invalid: "heat_template_version: %s".'
                                ' "heat_template_version" should be one of: %s'
                                % (v, ", ".join(list(HOT_DATES) + list(HOT_ALIASES))),
                                file=file, path="heat_template_version")
        return spec
    for spec in (CFN_SPEC, HEAT_CFN_SPEC):
        if spec.key in data:
            v = data[spec.key]
            if str(v) != spec.date:
                raise TemplateError('The template version is invalid: "%s: %s". "%s" should be: %s'
                                    % (spec.key, v, spec.key, spec.date), file=file, path=spec.key)
            return spec
    raise TemplateError("Template format version not found.", file=file)


class Template:
    """A parsed template with its version spec and where it came from."""

    def __init__(self, data: dict, spec: VersionSpec, file: str | None,
                 base_dir: str | None) -> None:
        self.data = data
        self.spec = spec
        self.file = file
        self.base_dir = base_dir
        self.fields = CFN_FIELDS if spec.cfn else HOT_FIELDS

    @property
    def version_label(self) -> str:
        """The version line as written, e.g. ``heat_template_version: rocky``."""
        key = spec_key = self.spec.key
        if spec_key not in self.data and "HeatTemplateFormatVersion" in self.data:
            key = "HeatTemplateFormatVersion"
        value = self.data.get(key, self.spec.date)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return "%s: %s" % (key, value)

    def section_key(self, name: str) -> str:
        """How this template's format spells a section given by canonical HOT name."""
        return {"resources": self.spec.s_resources, "parameters": self.spec.s_parameters,
                "outputs": self.spec.s_outputs, "conditions": self.spec.s_conditions,
                "description": "Description" if self.spec.cfn else "description",
                "mappings": "Mappings", "parameter_groups": "parameter_groups"}[name]

    def section(self, name: str) -> Any:
        """A section by canonical HOT name (resources/parameters/outputs/conditions/...)."""
        return self.data.get(self.section_key(name))

    def validate_sections(self) -> None:
        """Raise TemplateError for an unknown section or one of the wrong shape."""
        for k in self.data:
            if k not in self.spec.sections:
                raise TemplateError("The template section is invalid: %s" % k,
                                    file=self.file, path=str(k))
        for name in ("resources", "outputs", "parameters", "conditions"):
            v = self.section(name)
            if v is not None and not isinstance(v, dict):
                key = self.section_key(name)
                raise TemplateError('"%s" must contain a map, found a [%s] instead'
                                    % (key, type(v).__name__), file=self.file, path=key)
        pg = self.data.get("parameter_groups")
        if pg is not None and not self.spec.cfn and not isinstance(pg, list):
            raise TemplateError("parameter_groups should be a list", file=self.file,
                                path="parameter_groups")


def _check_size(size: int, limits: Any, file: str | None) -> None:
    if size > limits.template_max_bytes:
        raise LimitError("Template size (%d bytes) exceeds maximum allowed size (%d bytes)."
                         % (size, limits.template_max_bytes), file=file)


def parse_template(text: str, file: str | None, base_dir: str | None,
                   limits: Any) -> Template:
    """Size check, safe parse, version detection and section validation."""
    _check_size(len(text.encode("utf-8")) if isinstance(text, str) else len(text), limits, file)
    data = load_text(text, file, max_depth=limits.max_yaml_depth,
                     max_aliases=limits.max_yaml_aliases,
                     max_nodes=getattr(limits, "max_yaml_nodes", 2_000_000))
    return template_from_data(data, file, base_dir)


def template_from_data(data: Any, file: str | None, base_dir: str | None) -> Template:
    """A validated :class:`Template` from already parsed data (None counts as empty)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TemplateError("The template is not a JSON object or YAML mapping.", file=file)
    spec = detect_version(data, file)
    tmpl = Template(data, spec, file, base_dir)
    tmpl.validate_sections()
    return tmpl


def load_template_file(path: str, limits: Any) -> Template:
    """Read and parse a template file (size checked before reading it all)."""
    try:
        _check_size(os.path.getsize(path), limits, path)
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError as exc:
        raise TemplateError("cannot read template: %s" % (exc.strerror or exc), file=path) from None
    return parse_template(text, path, os.path.dirname(os.path.abspath(path)), limits)
