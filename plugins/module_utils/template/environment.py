"""Environment files: parameters, parameter_defaults, resource_registry, merge strategies.

``event_sinks`` and ``encrypted_param_names`` are accepted and ignored (reported as warnings).
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError

SECTIONS = ("parameters", "parameter_defaults", "resource_registry", "encrypted_param_names",
            "event_sinks", "parameter_merge_strategies")
STRATEGIES = ("overwrite", "merge", "deep_merge")
NONE_TYPE = "OS::Heat::None"


@dataclass
class Environment:
    """Merged environment."""

    parameters: dict = field(default_factory=dict)
    parameter_defaults: dict = field(default_factory=dict)
    registry: dict = field(default_factory=dict)  # type -> (target, base_dir)
    resource_registry: dict = field(default_factory=dict)  # res name -> {type: (target, dir)}
    warnings: list = field(default_factory=list)
    #: resource name or glob pattern -> actions ("update", "replace") a stack update may not take
    restricted: dict = field(default_factory=dict)
    #: (section, values, strategies, file) per environment file, merged once types are known
    layers: list = field(default_factory=list)

    def merged(self, section: str, types: dict) -> dict:
        """``parameters``/``parameter_defaults`` merged with each file's strategies.

        ``types`` maps parameter names to their kind (string/number/json/list/boolean);
        merging needs it, as in Heat.
        """
        out: dict = {}
        for sec, values, strategies, file in self.layers:
            if sec != section:
                continue
            default = strategies.get("default", "overwrite")
            for name, value in values.items():
                strategy = strategies.get(name, default)
                if name not in out or strategy == "overwrite":
                    out[name] = value
                    continue
                out[name] = merge_param(out[name], value, types.get(name), strategy, name, file)
        return out

    def copy_for_nested(self) -> "Environment":
        """Nested stacks see the registry and parameter_defaults, not the parameters."""
        return Environment(parameters={}, parameter_defaults=dict(self.parameter_defaults),
                           registry=dict(self.registry), resource_registry={},
                           warnings=self.warnings,
                           layers=[x for x in self.layers if x[0] == "parameter_defaults"])

    def restricted_actions(self, resource: str) -> set:
        """Actions (``update``, ``replace``) the environment forbids for ``resource``.

        Keys of ``resource_registry.resources`` are resource names or glob patterns, as in Heat.
        """
        out: set = set()
        for pattern, actions in self.restricted.items():
            if pattern == resource or fnmatch.fnmatchcase(resource, pattern):
                out |= set(actions)
        return out

    def resolve_type(self, type_name: str, resource: str | None = None,
                     max_hops: int = 20) -> tuple[str, str | None]:
        """Follow the registry: return (final type or template ref, base_dir of that ref)."""
        seen = set()
        current, base = type_name, None
        specific = self.resource_registry.get(resource, {}) if resource else {}
        for _hop in range(max_hops):
            target = None
            if current in specific:
                target = specific[current]
            elif current in self.registry:
                target = self.registry[current]
            else:
                for pattern, (tgt, d) in self.registry.items():
                    if pattern.endswith("*") and fnmatch.fnmatchcase(current, pattern):
                        prefix = pattern[:-1]
                        if isinstance(tgt, str) and tgt.endswith("*"):
                            target = (tgt[:-1] + current[len(prefix):], d)
                        else:
                            target = (tgt, d)
                        break
            if target is None or target[0] == current or current in seen:
                return current, base
            seen.add(current)
            current, base = target
            if is_template_ref(current):
                return current, base
        return current, base


def is_template_ref(type_name: Any) -> bool:
    """Heat treats a type ending in .yaml/.template (or a URL) as a provider template."""
    return isinstance(type_name, str) and (
        type_name.endswith((".yaml", ".template", ".yml", ".json")) or "://" in type_name)


def _as_map(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v) if v else {}
        except ValueError:
            return v
    return v


def _merge_map(old: dict, new: dict, deep: bool) -> dict:
    out = dict(old)
    for k, v in new.items():
        if deep and isinstance(out.get(k), dict) and isinstance(v, dict):
            out[k] = _merge_map(out[k], v, True)
        elif deep and isinstance(out.get(k), list) and isinstance(v, list):
            out[k] = out[k] + v
        else:
            out[k] = v
    return out


def merge_param(old: Any, new: Any, kind: str | None, strategy: str, name: str,
                file: str | None) -> Any:
    """Merge two values of one parameter with Heat's ``merge``/``deep_merge`` rules."""
    if kind == "json":
        o, n = _as_map(old), _as_map(new)
        if isinstance(o, dict) and isinstance(n, dict):
            return _merge_map(o, n, strategy == "deep_merge")
        if isinstance(o, list) and isinstance(n, list):
            return o + n
    elif kind == "list":
        if not old:
            return new
        if isinstance(old, list) and isinstance(new, list):
            return old + new
        o = ",".join(map(str, old)) if isinstance(old, list) else str(old)
        n = ",".join(map(str, new)) if isinstance(new, list) else str(new)
        return o + "," + n
    elif kind == "string":
        return "%s%s" % (old, new)
    elif kind == "number":
        try:
            return float(old) + float(new) if "." in "%s%s" % (old, new) else \
                int(old) + int(new)
        except (TypeError, ValueError):
            pass
    elif kind is None:
        return new
    raise TemplateError("Invalid merge strategy '%s' for parameter '%s'" % (strategy, name),
                        file=file, path="parameter_merge_strategies")


def merge_env(env: Environment, data: Any, *, file: str | None, base_dir: str | None) -> None:
    """Merge one environment document into ``env`` (raise TemplateError when malformed)."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise TemplateError("The environment is not a valid YAML mapping data type.", file=file)
    for k in data:
        if k not in SECTIONS:
            raise TemplateError('environment has wrong section "%s"' % k, file=file)
    for sec in ("parameters", "parameter_defaults", "parameter_merge_strategies",
                "resource_registry"):
        if data.get(sec) is not None and not isinstance(data[sec], dict):
            raise TemplateError("section %s must be a map" % sec, file=file, path=sec)
    strategies = data.get("parameter_merge_strategies") or {}
    for name, s in strategies.items():
        if s not in STRATEGIES:
            raise TemplateError("Invalid merge strategy '%s' for parameter '%s'" % (s, name),
                                file=file, path="parameter_merge_strategies")
    for sec in ("parameters", "parameter_defaults"):
        values = data.get(sec) or {}
        if values:
            env.layers.append((sec, dict(values), dict(strategies), file))
        target = getattr(env, sec)
        for name, value in values.items():  # provisional view; stack.py merges with types
            target[name] = value
    if data.get("event_sinks"):
        env.warnings.append("%s: event_sinks are ignored" % (file or "environment"))
    if data.get("encrypted_param_names"):
        env.warnings.append("%s: encrypted_param_names are ignored" % (file or "environment"))
    reg = data.get("resource_registry") or {}
    for key, target in reg.items():
        if not isinstance(key, str):
            raise TemplateError("resource_registry keys must be type names, found %r" % (key,),
                                file=file, path="resource_registry")
        if key == "resources":
            if not isinstance(target, dict):
                raise TemplateError("resource_registry.resources must be a map", file=file,
                                    path="resource_registry.resources")
            for rname, mapping in target.items():
                if not isinstance(mapping, dict):
                    raise TemplateError("must be a map", file=file,
                                        path="resource_registry.resources.%s" % rname)
                for t, tgt in mapping.items():
                    if t == "hooks":
                        continue
                    if t == "restricted_actions":
                        env.restricted[rname] = _restricted(tgt, file, rname)
                        continue
                    if not isinstance(t, str) or not isinstance(tgt, (str, type(None))):
                        raise TemplateError("must map type names to types or templates",
                                            file=file,
                                            path="resource_registry.resources.%s" % rname)
                    env.resource_registry.setdefault(rname, {})[t] = (tgt, base_dir)
            continue
        if key in ("base_url",):
            continue
        if target is not None and not isinstance(target, str):
            raise TemplateError("registry target for %s must be a string" % key, file=file,
                                path="resource_registry.%s" % key)
        if target is None:
            env.registry.pop(key, None)
        else:
            env.registry[key] = (target, base_dir)


RESTRICTABLE = ("update", "replace")


def _restricted(value: object, file: str | None, rname: str) -> list:
    """``restricted_actions``: one action or a list of them, each ``update`` or ``replace``."""
    actions = [value] if isinstance(value, str) else value
    path = "resource_registry.resources.%s.restricted_actions" % rname
    if not isinstance(actions, list):
        raise TemplateError("must be an action or a list of actions", file=file, path=path)
    for action in actions:
        if action not in RESTRICTABLE:
            raise TemplateError("%r is not a restricted action (allowed: %s)"
                                % (action, ", ".join(RESTRICTABLE)), file=file, path=path)
    return list(actions)


def env_base_dir(path: str | None) -> str | None:
    return os.path.dirname(os.path.abspath(path)) if path else None
