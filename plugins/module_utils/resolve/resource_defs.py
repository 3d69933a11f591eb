"""One resource definition of a template -> a :class:`~.model.ResourceDef`.

Keys checked, properties and metadata resolved, dependencies from references and
``depends_on``, the type resolved through the environment (provider templates and types
whose resource is a template given by URL loaded as nested stacks) and properties
validated against the resource catalog.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import nested
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import ResourceDef
from ansible_collections.heatlike.cloud.plugins.module_utils.template.environment import (
    NONE_TYPE,
    is_template_ref,
)

from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_resource_type, get_schema
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.validation import validate_properties

_DELETION_POLICIES = {"delete": "Delete", "retain": "Retain", "snapshot": "Snapshot"}


def check_attr(ld: Any, name: str, attr: str, f: fn.Function) -> None:
    """Heat rejects get_attr of an attribute the resource type does not have."""
    rtype = ld.all_resources[name].get(ld.tmpl.fields["type"])
    if not isinstance(rtype, str):
        return
    final = ld.env.resolve_type(rtype, name)[0]
    if final == NONE_TYPE or is_template_ref(final):
        return
    schema = get_schema(final)
    attrs = getattr(schema, "attributes", None)
    if not attrs or getattr(schema, "dynamic_attributes", False) or \
            getattr(schema, "provider", False):
        return
    if attr not in attrs:
        raise TemplateError("The Referenced Attribute (%s %s) is incorrect." % (name, attr),
                            file=ld.file, path=f.path)


def build_resource(ld: Any, name: str, rdef: dict, parser: fn.Parser) -> ResourceDef:
    """The enabled resource ``name`` of the stack ``ld`` (a :class:`~.loader.StackLoader`) loads."""
    F, spec = ld.tmpl.fields, ld.spec
    rpath = "%s.%s" % (spec.s_resources, name)
    parsed = {k: parser.parse(v, "%s.%s" % (rpath, k)) for k, v in rdef.items()
              if k != F["condition"]}
    rtype = fn.resolve(parsed.get(F["type"]), ld.ctx)
    if not isinstance(rtype, str) or not rtype:
        raise TemplateError('Resource %s "%s" must be a string' % (name, F["type"]),
                            file=ld.file, path=rpath + "." + F["type"])
    props_p = parsed.get(F["properties"])
    meta_p = parsed.get(F["metadata"])
    for key, label in ((F["properties"], "object"), (F["metadata"], "object"),
                       (F["update_policy"], "object")):
        v = parsed.get(key)
        if v is not None and not isinstance(v, (dict, fn.Function)):
            raise TemplateError('Resource %s %s type must be %s' % (name, key, label),
                                file=ld.file, path="%s.%s" % (rpath, key))
    deps_raw = parsed.get(F["depends_on"])
    if deps_raw is None:
        explicit: list = []
    elif isinstance(deps_raw, str):
        explicit = [deps_raw]
    elif isinstance(deps_raw, list):
        explicit = deps_raw
    else:
        raise TemplateError('Resource %s %s type must be list or string'
                            % (name, F["depends_on"]), file=ld.file,
                            path=rpath + "." + F["depends_on"])
    for d in explicit:
        if not isinstance(d, str) or d not in ld.all_resources:
            raise TemplateError('The specified reference "%s" (in %s) is incorrect.'
                                % (d, name), file=ld.file,
                                path=rpath + "." + F["depends_on"])
    props = fn.resolve(props_p, ld.ctx) if props_p is not None else None
    if props is not None and not isinstance(props, dict):
        raise TemplateError("Resource %s properties must be a map" % name, file=ld.file,
                            path=rpath + "." + F["properties"])
    meta = fn.resolve(meta_p, ld.ctx) if meta_p is not None else None
    dp = fn.resolve(parsed.get(F["deletion_policy"]), ld.ctx)
    if dp is not None and (not isinstance(dp, str) or dp not in spec.deletion_policies):
        raise TemplateError('Invalid deletion policy "%s"' % dp, file=ld.file,
                            path=rpath + "." + F["deletion_policy"])
    upd = fn.resolve(parsed.get(F["update_policy"]), ld.ctx)
    ext = fn.resolve(parsed.get(F["external_id"]), ld.ctx)
    deps: set = set()
    for part in (props_p, meta_p):
        for d in fn.dependencies(part):
            if d in ld.all_resources and d not in ld.disabled:
                deps.add(d)
    explicit_set = {d for d in explicit if d not in ld.disabled}
    deps |= explicit_set
    if name in deps:
        raise TemplateError("Circular Dependency Found: %s -> %s" % (name, name),
                            file=ld.file, path=rpath)
    final_type, base = ld.env.resolve_type(rtype, name)
    r = ResourceDef(name=name, type=rtype, properties=props, depends_on=deps,
                    explicit_depends_on=set(explicit_set),
                    deletion_policy=_DELETION_POLICIES.get(dp, dp) or "Delete",
                    update_policy=upd, metadata=meta, external_id=ext,
                    condition=ld.all_resources[name].get(F["condition"]),
                    template_type=rtype)
    r._parsed_properties = props_p
    if final_type == NONE_TYPE:
        r.type = rtype
        return r
    if is_template_ref(final_type):
        loc = ld.files.locate(final_type, base or ld.tmpl.base_dir, file=ld.file,
                              path=rpath + "." + F["type"])
        if is_template_ref(rtype):
            r.type = rtype if "://" in rtype else "file://" + loc
        r.nested_loader = nested.nested_loader(ld, r, loc, rpath)
        r.nested = r.nested_loader(r.properties or {}, r.name, counter=ld.counter)
    else:
        known = get_resource_type(final_type)
        url_props = known.template_url if known is not None else None
        if url_props is not None and isinstance(r.properties, dict) \
                and isinstance(r.properties.get(url_props[0]), str):
            nested.load_url_stack(ld, r, rpath, *url_props)
        if ld.validate_props and ext is None:
            validate_resource_properties(ld, final_type, r, rpath)
        member = nested.check_group_member_type(ld, known, r, rpath)
        if member is not None:
            ld.member_nested[r.name] = member
    return r


def validate_resource_properties(ld: Any, type_name: str, r: ResourceDef, rpath: str) -> None:
    """Type lookup and property validation by the resource catalog."""
    schema = get_schema(type_name)
    if schema is None:
        raise TemplateError("The Resource Type (%s) could not be found." % type_name,
                            file=ld.file, path=rpath)
    first = len(ld.skipped)
    validate_properties(schema, r.properties or {},
                        "%s.%s" % (rpath, ld.tmpl.fields["properties"]), file=ld.file,
                        skipped=ld.skipped)
    for entry in ld.skipped[first:]:
        if isinstance(entry, dict):
            entry.setdefault("resource", r.name)
