"""The nested-stack driver: what ``ctx.nested`` gives the handlers of provider templates and resource groups.

The driver knows the nested stacks of one stack level (their loaders, names and hidden
parameters) and runs the engine on them. The engine itself is plugged in by the subclass in
``converge.entry`` (:meth:`NestedDriver.prepare`, :meth:`NestedDriver.run_prepared` and
:meth:`NestedDriver.destroy_stack`), so this module does not import it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.plan import is_unknown
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.nested_stack import nested_stack_id
from ansible_collections.heatlike.cloud.plugins.module_utils.state.nested import NestedBackend


class NestedDriver:
    """Runs the engine on the nested stacks of one stack level (``ctx.nested`` of its handlers)."""

    def __init__(self, stack_name: str, redactor: Redactor, backend: NestedBackend, resolved: Any,
                 record: Mapping[str, Any]) -> None:
        self.stack_name = stack_name
        self.redactor = redactor
        self.backend = backend
        resources = resolved.resources if resolved is not None else {}
        self.loaders = {n: r.nested_loader for n, r in resources.items() if getattr(r, "nested_loader", None)}
        self.member_loaders = {n: r.member_loader for n, r in resources.items()
                               if getattr(r, "member_loader", None)}
        self.desired_names = set(resources)
        self.desired_types = {n: r.type for n, r in resources.items()}
        self.names = set(resources) | set(record.get("resources") or {})
        self.hidden: set = set()
        #: events of the nested runs of this level, resources named ``<logical>/<nested logical>``
        self.events: list = []
        for r in resources.values():
            if getattr(r, "nested", None) is not None:
                self.hidden |= set(r.nested.hidden)

    # ---- the engine (a subclass plugs it in) -------------------------------------------------
    def prepare(self, name: str, resolved: Any) -> Any:
        """Observe and plan the nested stack ``name`` (``resolved`` None: delete everything)."""
        raise NotImplementedError

    def run_prepared(self, prep: Any) -> Any:
        """Execute a prepared nested plan; the run's result (``.error``, ``.runtime``, ``["events"]``)."""
        raise NotImplementedError

    def destroy_stack(self, name: str) -> Any:
        """Delete the nested stack ``name``; the run's result (``.error``, ``["events"]``)."""
        raise NotImplementedError

    # ---- what the handlers ask -----------------------------------------------------------------
    def provider_types(self, desired_types: Mapping[str, str], record: Mapping[str, Any]) -> set:
        """Types converged as nested stacks at this level (one-line error on an ambiguous type)."""
        provider = {desired_types[n] for n in self.loaders}
        for name, rtype in sorted(desired_types.items()):
            if rtype in provider and name not in self.loaders:
                other = sorted(n for n in self.loaders if desired_types[n] == rtype)[0]
                raise PropertyError(f"resources.{name}: type {rtype} is a provider template for {other} (a "
                                    "per-resource override) and a plain type here; os_heatlike_stack cannot "
                                    "converge both in one stack")
        plain = set(desired_types.values()) - provider
        for name, entry in (record.get("resources") or {}).items():
            rtype = entry.get("type")
            # a provider resource that left the template, or whose template moved (its type is
            # the template's URL): the old type's handler deletes, or leaves it to the new one
            if (name not in desired_types or name in self.loaders) and rtype and rtype not in plain and \
                    entry.get("physical_id") == nested_stack_id(self.stack_name, name):
                provider.add(rtype)
        return provider

    def logical_for(self, stack_name: str, physical_id: str) -> str | None:
        """The logical name whose nested stack id is ``physical_id``."""
        return next((n for n in sorted(self.names) if nested_stack_id(stack_name, n) == physical_id), None)

    def hidden_params(self) -> set:
        """Names of hidden parameters of this level's provider templates."""
        return self.hidden

    @staticmethod
    def fingerprint(props: Any) -> str:
        """A stable key of resolved properties."""
        return hashlib.sha256(json.dumps(props, sort_keys=True, default=repr).encode()).hexdigest()

    @staticmethod
    def is_unknown(value: Any) -> bool:
        """True when ``value`` holds something known only after apply."""
        return is_unknown(value)

    def load(self, loader: Any, params: dict, logical: str) -> Any:
        """The nested template resolved with real parameter values (its secrets registered)."""
        resolved = loader(params, logical)
        for value in resolved.hidden_values or ():
            self.redactor.add(value)
        self.hidden |= set(resolved.hidden or ())
        return resolved

    def children(self, stack_name: str) -> list[str]:
        """Logical names of the nested stacks with a record directly below ``stack_name``."""
        prefix = stack_name + "/"
        return [n[len(prefix):] for n in self.backend.list_stacks() if n.startswith(prefix) and "/" not in n[len(prefix):]]

    def apply(self, prep: Any) -> Any:
        """Execute a nested plan; returns the runtime (get_resource/get_attr of its resources)."""
        result = self.run_prepared(prep)
        self._keep_events(prep.name, result)
        if result.error:
            raise HandlerError(f"nested stack {prep.name}: {result.error}")
        return result.runtime

    def _keep_events(self, name: str, result: Mapping[str, Any]) -> None:
        rel = name[len(self.stack_name) + 1:] if name.startswith(self.stack_name + "/") else name
        self.events.extend(dict(ev, resource=f"{rel}/{ev.get('resource')}") for ev in result.get("events") or [])

    def destroy(self, name: str) -> None:
        """Delete the nested stack ``name`` in reverse order (its own nested stacks included)."""
        result = self.destroy_stack(name)
        self._keep_events(name, result)
        if result.error:
            raise HandlerError(f"nested stack {name}: {result.error}")
