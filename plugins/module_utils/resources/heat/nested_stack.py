"""Provider-template resources (``type: server.yaml`` or a resource_registry alias): nested stacks.

A provider resource ``child`` of stack ``web`` is converged as the nested stack ``web/child``
by running the same engine (observe -> plan -> execute) on the provider template, with the
resource's properties as the template's parameters. Its resources are marked with the stack
``web/child`` (as ResourceGroup members are marked with ``web/<group>``), so a lost record
adopts them. The physical id (and ``get_resource``) is a deterministic UUID of the nested
stack's name, unless the template has an ``OS::stack_id`` output, which is then the reference.

``get_attr`` reads the nested stack's outputs, ``OS::stack_id`` and
``resource.<name>[.<attr>]``. The engine side (loading, records, runs) is reached through
``ctx.nested`` (see ``converge.nested.NestedDriver``); this handler never imports the engine.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Found, Handler, HandlerError

STACK_ID_OUTPUT = "OS::stack_id"
NESTED_MARK = "nested_stack"


def nested_stack_id(stack_name: str, logical: str) -> str:
    """The deterministic id of the nested stack ``<stack_name>/<logical>``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"heatlike:stack:{stack_name}/{logical}"))


class NestedStackHandler(Handler):
    """One provider type (or a ResourceGroup's provider member type) of one stack level.

    ``loader_for(logical)`` returns the resource's template loader (None when the resource
    left the template: then only ``delete`` is possible, from the nested stack's record).
    """

    type_name = "(provider template)"
    marking = "derived"
    create_before_delete = False
    #: a ResourceGroup converges existing members through ``update`` even without changes
    converge_always = True

    def __init__(self, ctx: Any, loader_for: Callable[[str], Any] | None = None, type_name: str = "") -> None:
        super().__init__(ctx)
        self.loader_for = loader_for or (lambda logical: None)
        if type_name:
            self.type_name = type_name
        self._cache: dict[str, tuple[str, Any]] = {}

    # ---- names -----------------------------------------------------------------------
    def nested_name(self, logical: str) -> str:
        """The nested stack's name: ``<stack>/<logical>``."""
        return f"{self.ctx.stack_name}/{logical}"

    def local_id(self, logical: str) -> str:
        """The physical id of the nested stack (deterministic)."""
        return nested_stack_id(self.ctx.stack_name, logical)

    def _logical(self, physical_id: str, obj: Any = None) -> str | None:
        if isinstance(obj, Mapping) and obj.get("logical"):
            return obj["logical"]
        return self.ctx.nested.logical_for(self.ctx.stack_name, physical_id) if self.ctx.nested else None

    @classmethod
    def update_allowed(cls, prop: str) -> bool:
        """Every property of a provider resource is a nested parameter: updated in place."""
        return True

    def secret_props(self) -> frozenset:  # type: ignore[override]
        """Hidden parameters of the provider templates of this level."""
        return frozenset(self.ctx.nested.hidden_params()) if self.ctx.nested else frozenset()

    # ---- the nested engine -------------------------------------------------------------
    def _driver(self) -> Any:
        if self.ctx.nested is None:
            raise HandlerError("nested stacks need the stack engine (ctx.nested)")
        return self.ctx.nested

    def _load(self, logical: str, props: Mapping[str, Any]) -> Any:
        loader = self.loader_for(logical)
        if loader is None:
            raise HandlerError(f"no provider template is known for {logical}")
        return self._driver().load(loader, dict(props), logical)

    def prepared(self, logical: str, props: Mapping[str, Any]) -> Any:
        """The nested stack's plan for ``props`` (cached per run until applied)."""
        key = self._driver().fingerprint(props)
        cached = self._cache.get(logical)
        if cached is not None and cached[0] == key:
            return cached[1]
        resolved = self._load(logical, props)
        prep = self._driver().prepare(self.nested_name(logical), resolved)
        self._cache[logical] = (key, prep)
        return prep

    def _take(self, logical: str, props: Mapping[str, Any]) -> Any:
        prep = self.prepared(logical, props)
        self._cache.pop(logical, None)
        return prep

    def _obj(self, logical: str, props: Mapping[str, Any], prep: Any, runtime: Any) -> dict:
        return {"logical": logical, "props": dict(props), NESTED_MARK: self.nested_name(logical),
                "resolved": prep.resolved, "runtime": runtime, "plan": prep.plan}

    # ---- discovery -----------------------------------------------------------------
    def list_owned(self, wanted: Any) -> list:
        """Every nested stack directly below this level that has a record (wanted or not)."""
        return [self.find_existing(name) for name in self._driver().children(self.ctx.stack_name)]

    def find_existing(self, logical: str) -> Any:
        """A Found for a nested stack known to exist (its plan is computed on demand)."""
        return Found(logical, self.local_id(logical), {"logical": logical, NESTED_MARK: self.nested_name(logical)})

    def find(self, logical: str, props: Mapping[str, Any]) -> Any:
        prep = self.prepared(logical, props)
        if not prep.record and not prep.plan.observed:
            return None  # no trace of it: a new nested stack
        return Found(logical, self.local_id(logical), self._obj(logical, props, prep, prep.plan_runtime()), "find")

    def fetch(self, physical_id: str) -> Any:
        logical = self._logical(physical_id)
        if logical is None:
            return None
        if self.ctx.nested.desired_types.get(logical, self.type_name) != self.type_name:
            return None  # another template now: same nested stack, adopted by the new type's handler
        return {"logical": logical, NESTED_MARK: self.nested_name(logical)}

    def inner_changes(self, obj: Any, desired: Mapping[str, Any]) -> dict:
        """What the nested stack would change, as ``resources.<name>`` entries."""
        if not isinstance(obj, Mapping) or self.loader_for(obj.get("logical")) is None:
            return {}
        if self._driver().is_unknown(desired):
            return {}
        logical = obj["logical"]
        prep = self.prepared(logical, desired)
        if isinstance(obj, dict) and obj.get("plan") is not prep.plan:
            obj.update(self._obj(logical, desired, prep, prep.plan_runtime()))
        return {f"resources.{a.name}": {"before": a.physical_id, "after": f"{a.action} ({a.reason})"}
                for a in prep.plan.changes}

    def nested_plans(self, logical: str, obj: Any, desired: Mapping[str, Any] | None, deleting: bool) -> list:
        """``[(relative prefix, prepared)]`` of the nested stack, for reports."""
        driver = self._driver()
        try:
            if deleting:
                return [("", driver.prepare(self.nested_name(logical), None))]
            if desired is None or self.loader_for(logical) is None:
                return []
            return [("", self.prepared(logical, desired))]
        except Exception:  # noqa: BLE001 - a plan over values known only after apply
            return []

    def record_unchanged(self, obj: Any) -> None:
        """An unchanged nested stack whose record was lost gets it back (no cloud change)."""
        if not isinstance(obj, Mapping) or obj.get("plan") is None or obj.get("props") is None:
            return
        logical = obj["logical"]
        cached = self._cache.get(logical)
        if cached is None or cached[1].plan is not obj["plan"]:
            return
        prep = cached[1]
        entries = prep.record.get("resources") or {}
        if prep.record and all(str((entries.get(a.name) or {}).get("status", "")).endswith("COMPLETE")
                               for a in prep.plan.forward):
            return
        self._cache.pop(logical, None)
        obj["runtime"] = self._driver().apply(prep)

    # ---- lifecycle -----------------------------------------------------------------
    def _apply(self, logical: str, props: Mapping[str, Any]) -> dict:
        prep = self._take(logical, props)
        runtime = self._driver().apply(prep)
        return self._obj(logical, props, prep, runtime)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        on_id(self.local_id(logical))
        return self._apply(logical, props)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        return self._apply(logical, props)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        logical = self._logical(physical_id, obj)
        if logical is None:
            return
        self._cache.pop(logical, None)
        self._driver().destroy(self.nested_name(logical))

    def physical_id(self, obj: Any) -> str:
        return self.local_id(obj["logical"])

    def obj_from_record(self, entry: Mapping[str, Any]) -> Any:
        """Nothing needed: the nested stack's own record drives its deletion."""
        return None

    # ---- reading -------------------------------------------------------------------
    def _runtime(self, obj: Any) -> Any:
        if not isinstance(obj, Mapping) or obj.get("runtime") is None:
            logical = (obj or {}).get("logical")
            props = (obj or {}).get("props")
            if logical is None or props is None:
                return None
            prep = self.prepared(logical, props)
            obj.update(self._obj(logical, props, prep, prep.plan_runtime()))
        return obj["runtime"]

    def outputs(self, obj: Any) -> dict:
        """The nested stack's outputs (real values; secrets are masked only in reports)."""
        runtime = self._runtime(obj)
        if runtime is None:
            return {}
        return obj["resolved"].resolve_outputs(runtime)

    def ref(self, obj: Any, physical_id: str) -> Any:
        if isinstance(obj, Mapping) and obj.get("resolved") is not None \
                and STACK_ID_OUTPUT in (obj["resolved"].outputs or {}):
            return self.outputs(obj).get(STACK_ID_OUTPUT)
        return physical_id

    def attribute(self, obj: Any, name: str) -> Any:
        if self._runtime(obj) is None:
            return None
        if name.startswith("resource."):
            parts = name.split(".", 2)
            runtime = self._runtime(obj)
            if runtime is None:
                return None
            if len(parts) == 2:
                return runtime.get_resource(parts[1])
            return runtime.get_attr(parts[1], parts[2])
        outputs = self.outputs(obj)
        if name in outputs:
            return outputs[name]
        if name == STACK_ID_OUTPUT:
            return self.local_id(obj["logical"])
        if name == "show":
            return {"outputs": outputs, "id": self.local_id(obj["logical"])}
        raise HandlerError(f"nested stack {self.nested_name(obj['logical'])} has no output '{name}'")
