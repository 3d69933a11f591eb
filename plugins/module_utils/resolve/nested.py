"""Templates inside a stack: provider templates, group members and templates given by URL.

Each is resolved by a child loader of the same class as the parent's (``type(ld)``), one
nesting level deeper, within the parent's limits and resource counter.
"""

from __future__ import annotations

import os
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    HeatlikeError,
    LimitError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import ResolvedStack, ResourceDef
from ansible_collections.heatlike.cloud.plugins.module_utils.template.environment import (
    NONE_TYPE,
    is_template_ref,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.template.versions import parse_template

from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_schema


def nested_loader(ld: Any, r: ResourceDef, loc: str, rpath: str, extra_depth: int = 1) -> Any:
    """``load(params, logical)``: the provider template ``loc`` resolved with ``params``.

    Used offline (validation, with unresolved values) and at converge time with the real
    property values; the nested pseudo stack name is ``<parent>-<logical>``. ``ld`` is the
    parent's :class:`~.loader.StackLoader`.
    """
    if ld.depth + extra_depth > ld.limits.max_nested_depth:
        raise LimitError("%s<nested_stack>: nested stack depth exceeds %d"
                         % (rpath, ld.limits.max_nested_depth), file=ld.file)
    loader_class = type(ld)
    env, files, limits, depth = ld.env.copy_for_nested(), ld.files, ld.limits, ld.depth
    parent_name, parent_file = ld.stack_name, ld.file
    base = os.path.dirname(loc) if "://" not in loc else None

    def load(params: Any, logical: str, counter: list | None = None) -> ResolvedStack:
        content = files.read(loc, file=parent_file, path=rpath)
        try:
            tmpl = parse_template(content, loc, base, limits)
            child = loader_class(tmpl, env.copy_for_nested(), params or {}, files, limits,
                                 "%s-%s" % (parent_name, logical), depth + extra_depth,
                                 counter if counter is not None else [0], parent_def=r)
            child.validate_props = False
            return child.load()
        except HeatlikeError as exc:
            if exc.file == loc or exc.file is None:
                exc.message = "%s<nested_stack>: %s" % (rpath, exc.message) \
                    if not exc.message.startswith(rpath) else exc.message
            raise

    return load


def load_nested(ld: Any, r: ResourceDef, loc: str, rpath: str, params: Any = None) -> ResolvedStack:
    """The template ``loc`` resolved now, one level below ``ld``, with ``params`` (default:
    the resource's properties)."""
    return nested_loader(ld, r, loc, rpath)(
        (r.properties or {}) if params is None else params, r.name, counter=ld.counter)


def load_url_stack(ld: Any, r: ResourceDef, rpath: str, url_prop: str, params_prop: str) -> None:
    """A type whose resource is a nested stack (``template_url``, e.g. ``AWS::CloudFormation::Stack``):
    the template named by ``url_prop`` resolved with ``params_prop``."""
    url = r.properties[url_prop]
    try:
        loc = ld.files.locate(url, ld.tmpl.base_dir, file=ld.file,
                              path="%s.Properties.%s" % (rpath, url_prop))
    except HeatlikeError as exc:
        exc.message = "%s<nested_stack>: Could not fetch remote template '%s': %s" \
            % (rpath, url, exc.message)
        raise
    params = r.properties.get(params_prop) or {}
    r.nested = load_nested(ld, r, loc, rpath, params)


def check_group_member_type(ld: Any, known: Any, r: ResourceDef, rpath: str) -> Any:
    """Heat builds the member template of a group: its type must exist.

    ``known`` is the group's type (``member_definition``: the property holding the member).
    A group with ``member_stacks`` (and ``substitute_index``) whose member type is a provider template gets
    ``member_loader``; the member template is resolved once here (index 0) so its errors and
    limits show offline. Returns that member stack (None otherwise).
    """
    key = known.member_definition if known is not None else None
    if key is None or not isinstance(r.properties, dict):
        return None
    member = r.properties.get(key)
    mtype = member.get("type") if isinstance(member, dict) else None
    if not isinstance(mtype, str):
        return None
    final, base = ld.env.resolve_type(mtype)
    if is_template_ref(final):
        loc = ld.files.locate(final, base or ld.tmpl.base_dir, file=ld.file,
                              path="%s.properties.%s.type" % (rpath, key))
        if not known.member_stacks:
            return None
        # the group is one nested stack, each member another one below it
        r.member_loader = nested_loader(ld, r, loc, rpath, extra_depth=2)
        props = member.get("properties") if isinstance(member.get("properties"), dict) else {}
        index_var = r.properties.get("index_var")
        index_var = index_var if isinstance(index_var, str) else "%index%"
        first = ld.counter[0]
        nested = r.member_loader(known.substitute_index(props, index_var, 0), "0", counter=ld.counter)
        count = r.properties.get("count", 1)
        if isinstance(count, int) and count > 1:
            ld.counter[0] += (count - 1) * (ld.counter[0] - first)
            if ld.counter[0] > ld.limits.max_resources:
                raise LimitError("more than %d resources (nested stacks included)"
                                 % ld.limits.max_resources, file=ld.file, path=rpath)
        return nested
    if not ld.validate_props:
        return None
    if final != NONE_TYPE and get_schema(final) is None:
        raise TemplateError("%s<nested_stack>: The Resource Type (%s) could not be found."
                            % (rpath, final), file=ld.file, path=None)
    return None
