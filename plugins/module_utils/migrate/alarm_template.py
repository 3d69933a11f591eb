# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Template migration of legacy alarms to Gnocchi-based Aodh alarms.

Pure Python (no Ansible import). Used by ``os_heatlike_alarm_migrate`` (``mode: template``);
what each legacy alarm becomes is decided by :mod:`.alarm_map`.

:func:`rewrite_text` rewrites a whole template text, replacing only the text of the legacy
alarm resources' blocks (everything else stays byte for byte); :func:`validate_text` runs the
engine over a rewritten text as if it were the original file.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from typing import Any, Iterator, Mapping, Sequence

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible-test's import sanity environment
    HAS_YAML = False


from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError, TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved
from ansible_collections.heatlike.cloud.plugins.module_utils.migrate.alarm_map import (
    LEGACY_TYPES,
    MAPPED,
    MAPPED_WITH_WARNING,
    NOT_MAPPABLE,
    is_function,
    map_alarm,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text


def _unresolve(value: Any) -> Any:
    """Replace intrinsic functions by :class:`Unresolved` so schema checks skip them."""
    if is_function(value):
        return Unresolved(value)
    if isinstance(value, Mapping):
        return {k: _unresolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unresolve(v) for v in value]
    return value


def check_definition(name: str, definition: Mapping[str, Any], *, cfn: bool = False,
                     file: str | None = None) -> None:
    """Validate a rewritten alarm's properties against Heat's schema of its new type.

    Raises the engine's :class:`PropertyError` / :class:`TemplateError`.
    """
    from ansible_collections.heatlike.cloud.plugins.module_utils import resources
    type_key, props_key = ("Type", "Properties") if cfn else ("type", "properties")
    section = "Resources" if cfn else "resources"
    resources.validate(definition[type_key], _unresolve(definition.get(props_key) or {}),
                       f"{section}.{name}.{props_key}", file=file)


# ---------------------------------------------------------------- text rewriting


def _is_cfn(data: Mapping[str, Any]) -> bool:
    return "heat_template_version" not in data


def _content_end(node: Any) -> int:
    """End offset of a node's own content (a block collection ends with its last child)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return node.end_mark.index


def _resource_nodes(text: str, section: str) -> dict[str, Any]:
    """Value nodes of the resources section (by resource name), from PyYAML's composer."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == section and isinstance(value, yaml.MappingNode):
            return {k.value: v for k, v in value.value if isinstance(k, yaml.ScalarNode)}
    return {}


def _is_flat(value: Any) -> bool:
    if isinstance(value, Mapping):
        return False
    if isinstance(value, list):
        return all(not isinstance(v, (Mapping, list)) for v in value)
    return True


def _represent_dict(dumper: Any, data: Mapping[str, Any]) -> Any:
    flow = is_function(data) and _is_flat(next(iter(data.values())))
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow or None)


if HAS_YAML:
    class _Dumper(yaml.SafeDumper):
        """Block-style YAML with sequences indented under their key, as HOT authors write them;
        intrinsic functions over literals stay on one line (``{get_attr: [policy, alarm_url]}``)."""

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:  # noqa: D102
            return super().increase_indent(flow, False)

    _Dumper.add_representer(dict, _represent_dict)


def _render(definition: Mapping[str, Any], column: int, *, flow: bool, json_doc: bool) -> str:
    """Text of a resource definition to put at ``column`` (first line without indentation)."""
    if json_doc:
        text = json.dumps(definition, indent=2, ensure_ascii=False)
    elif flow:
        text = json.dumps(definition, ensure_ascii=False)
    else:
        text = yaml.dump(dict(definition), Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                         width=4096, allow_unicode=True).rstrip("\n")
    pad = " " * column
    return "\n".join(line if i == 0 or not line else pad + line for i, line in enumerate(text.split("\n")))


def rewrite_text(text: str, *, file: str | None = None) -> dict[str, Any]:
    """Rewrite every legacy alarm of a template text into Gnocchi-based Aodh alarms.

    Only the text of the legacy alarm resources' blocks is replaced; the rest of the file
    stays byte for byte. Returns ``text`` (the new template), ``changed``, ``report`` (one entry
    per legacy alarm, see :func:`map_alarm`) and ``reformatted`` (True only when the file
    could not be edited in place and was re-serialised as a whole).
    """
    if not HAS_YAML:
        raise TemplateError("PyYAML is required to rewrite templates", file=file)
    data = load_text(text, file)
    if not isinstance(data, dict):
        raise TemplateError("The template is not a JSON object or YAML mapping.", file=file)
    cfn = _is_cfn(data)
    section = "Resources" if "Resources" in data else "resources"
    resources = data.get(section) or {}
    if not isinstance(resources, dict):
        raise TemplateError(f'"{section}" must contain a map', file=file, path=section)
    type_key = "Type" if cfn else "type"
    types = {n: r.get(type_key) for n, r in resources.items() if isinstance(r, dict)}
    reports: list[dict[str, Any]] = []
    replacements: dict[str, dict[str, Any]] = {}
    for name, definition in resources.items():
        if not isinstance(definition, dict) or definition.get(type_key) not in LEGACY_TYPES:
            continue
        new_def, report = map_alarm(str(name), definition, resource_types=types, cfn=cfn)
        if new_def is not None:
            try:
                check_definition(str(name), new_def, cfn=cfn, file=file)
            except HeatlikeError as exc:
                new_def = None
                report.update(status=NOT_MAPPABLE, new_type=None,
                              reason=f"the {report['new_type']} it maps to is not valid: {exc}")
        reports.append(report)
        if new_def is not None:
            replacements[str(name)] = new_def
    result = {"text": text, "changed": bool(replacements), "report": reports, "reformatted": False}
    if not replacements:
        return result
    json_doc = text.lstrip().startswith("{")
    try:
        nodes = _resource_nodes(text, section)
        edits = []
        for name, new_def in replacements.items():
            node = nodes[name]
            start = node.start_mark.index
            end = _content_end(node)
            while end > start and text[end - 1] in " \t\r\n":
                end -= 1
            flow = bool(getattr(node, "flow_style", False))
            line_start = text.rfind("\n", 0, start) + 1
            line = text[line_start:start]
            column = len(line) - len(line.lstrip(" ")) if (json_doc or flow) else node.start_mark.column
            edits.append((start, end, _render(new_def, column, flow=flow, json_doc=json_doc)))
        edits.sort()
        for (_s1, e1, _t1), (s2, _e2, _t2) in zip(edits, edits[1:], strict=False):
            if s2 < e1:
                raise ValueError("overlapping resource blocks")
        out = text
        for start, end, new_text in reversed(edits):
            out = out[:start] + new_text + out[end:]
        check = load_text(out, file)
        for name, new_def in replacements.items():
            if check.get(section, {}).get(name) != new_def:
                raise ValueError(f"resource {name} did not round-trip")
    except (yaml.YAMLError, KeyError, ValueError, HeatlikeError, AttributeError):
        new_data = copy.deepcopy(data)
        new_data[section].update(replacements)
        if json_doc:
            out = json.dumps(new_data, indent=2, ensure_ascii=False) + "\n"
        else:
            out = yaml.dump(new_data, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                            width=4096, allow_unicode=True)
        result["reformatted"] = True
    result["text"] = out
    return result


@contextlib.contextmanager
def _cwd(path: str) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def validate_text(text: str, template_path: str, *, environment_files: Sequence[str] = (),
                  parameters: Mapping[str, Any] | None = None, allowed_roots: Sequence[str] | None = None,
                  stack_name: str = "stack") -> dict[str, Any]:
    """Validate ``text`` with the engine as if it were the file ``template_path``.

    Relative ``get_file`` and nested templates resolve against that file's directory.
    Returns ``valid`` and ``error`` (one line, None when valid).
    """
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    base = os.path.dirname(os.path.abspath(template_path))
    try:
        data = load_text(text, template_path)
        with _cwd(base):
            load_stack(data, environment_files=list(environment_files), parameters=dict(parameters or {}),
                       allowed_roots=list(allowed_roots) if allowed_roots else [base], stack_name=stack_name)
    except HeatlikeError as exc:
        if exc.file is None:
            exc.file = template_path
        return {"valid": False, "error": str(exc)}
    return {"valid": True, "error": None}


def hidden_values(text: str, parameters: Mapping[str, Any] | None = None, *, file: str | None = None) -> set[str]:
    """Values of hidden parameters (HOT ``hidden: true``, CFN ``NoEcho``): their defaults in the
    template and the values given for them, to be masked in every output."""
    data = load_text(text, file)
    if not isinstance(data, dict):
        return set()
    section = data.get("parameters", data.get("Parameters")) or {}
    found: set[str] = set()
    if not isinstance(section, Mapping):
        return found
    for name, spec in section.items():
        if not isinstance(spec, Mapping):
            continue
        hidden = spec.get("hidden", spec.get("NoEcho"))
        if str(hidden).lower() not in ("true", "yes", "1"):
            continue
        for value in (spec.get("default", spec.get("Default")), (parameters or {}).get(name)):
            if value is not None and not isinstance(value, bool) and str(value):
                found.add(str(value))
    return found


def summary(report: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Counts of report entries per status."""
    out = {MAPPED: 0, MAPPED_WITH_WARNING: 0, NOT_MAPPABLE: 0}
    for entry in report:
        out[entry["status"]] = out.get(entry["status"], 0) + 1
    return out
