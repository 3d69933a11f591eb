"""OS::Heat::TestResource: fault injection and delays, no cloud calls."""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import HandlerError, LocalHandler


class TestResourceHandler(LocalHandler):
    """Fails when ``fail`` is true; takes ``wait_secs`` / ``action_wait_secs`` (bounded by the timeouts)."""

    __test__ = False  # not a pytest class
    type_name = "OS::Heat::TestResource"
    deterministic = False
    applied_defaults = ("value", "update_replace", "fail", "wait_secs", "attr_wait_secs", "client_name", "entity_name", "constraint_prop_secs")
    attributes = ("output",)

    def _wait(self, logical: str, action: str, delay: float) -> None:
        """Take ``delay`` seconds the way a slow resource does: polled, within the timeouts.

        As Heat's TestResource completes in ``check_*_complete`` once the time has passed, the
        wait goes through :meth:`wait_for`, so ``resource_timeout`` and the stack timeout end it.
        """
        if delay <= 0:
            return
        end = time.monotonic() + delay
        self.wait_for(time.monotonic, lambda now: now >= end, lambda _now: None, f"{action} of {logical}")

    def _act(self, logical: str, props: Mapping[str, Any], action: str) -> None:
        waits = props.get("action_wait_secs") or {}
        self._wait(logical, action, float(waits.get(action, props.get("wait_secs") or 0) or 0))
        if props.get("fail") in (True, "true", "True"):
            raise HandlerError(f"Test Resource failed {logical}")

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        self._act(logical, props, "create")
        return super().create(logical, props, on_id)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        self._act(logical, props, "update")
        return super().update(obj, logical, props, changed)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        props = (obj or {}).get("props") or {}
        waits = props.get("action_wait_secs") or {}
        self._wait(physical_id, "delete", float(waits.get("delete") or 0))

    def attrs(self, obj: Any) -> dict:
        return {"output": (obj.get("props") or {}).get("value")}
