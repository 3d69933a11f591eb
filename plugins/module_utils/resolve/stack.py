"""Engine entry point: template + environments + parameters -> a resolved, validated stack.

``load_stack`` reads the environments and the template, then a
:class:`~.loader.StackLoader` runs parameters -> conditions -> resources -> implicit edges ->
graph -> waves -> outputs, recursing into provider templates (nested stacks) within the limits.
"""

from __future__ import annotations

import copy
import gc
import os
from typing import Mapping, Sequence

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LimitError, TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.client_prepare import needs_client_prepare
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.loader import StackLoader
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits, ResolvedStack
from ansible_collections.heatlike.cloud.plugins.module_utils.template.environment import (
    Environment,
    env_base_dir,
    merge_env,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.files import FileLoader
from ansible_collections.heatlike.cloud.plugins.module_utils.template.versions import (
    load_template_file,
    template_from_data,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text


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
        if needs_client_prepare(template):
            template = copy.deepcopy(template)
        tmpl = template_from_data(template, None, base)
    else:
        tmpl = load_template_file(template, limits)
    try:
        return StackLoader(tmpl, env, dict(parameters or {}), loader, limits, stack_name, 0, [0]).load()
    except RecursionError:
        raise LimitError("template nesting too deep to resolve", file=tmpl.file) from None
