"""The ``outputs`` section: each output parsed and resolved as far as it can be offline."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import (
    contains_unresolved,
    template_form,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn


def resolve_outputs(ld: Any, parser: fn.Parser) -> tuple[dict, dict, list]:
    """``(outputs, parsed outputs, names still unresolved)`` of the stack ``ld`` loads.

    ``ld`` is the :class:`~.loader.StackLoader`; from here on a ``Ref`` to something that is
    not a parameter stays unresolved instead of failing (``ld.in_outputs``).
    """
    spec, F = ld.spec, ld.tmpl.fields
    outputs, parsed_outputs, unresolved = {}, {}, []
    ld.in_outputs = True
    for oname, odef in (ld.tmpl.section("outputs") or {}).items():
        opath = "%s.%s" % (spec.s_outputs, oname)
        if not isinstance(oname, str):
            raise TemplateError("Output names must be strings, found %r" % (oname,),
                                file=ld.file, path=spec.s_outputs)
        if not isinstance(odef, dict):
            raise TemplateError("Each output must contain a %s key." % F["value"],
                                file=ld.file, path=opath)
        for k in odef:
            if k not in spec.output_keys:
                raise TemplateError('"%s" is not a valid keyword inside a output '
                                    'definition' % k, file=ld.file, path=opath)
        ocond = odef.get(F["condition"])
        if F["condition"] in odef and not ld.conditions.holds(ocond, opath + ".condition"):
            outputs[oname] = None
            continue
        p = parser.parse(odef.get(F["value"]), opath + "." + F["value"])
        parsed_outputs[oname] = p
        v = fn.resolve(p, ld.ctx)
        outputs[oname] = template_form(v)
        if contains_unresolved(v):
            unresolved.append(oname)
    return outputs, parsed_outputs, unresolved
