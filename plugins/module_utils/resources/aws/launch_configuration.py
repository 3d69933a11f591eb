"""AWS::AutoScaling::LaunchConfiguration: local data an AWS scaling group builds servers from.

No cloud object. Its reference (``Ref``) is ``<stack>-<logical>-<hash of the properties>``:
none of its properties can be updated in place (as in Heat), so a changed launch
configuration is a new one and the groups that use it update their members.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Found, LocalHandler

#: key of a launch configuration's properties in the run's cache (read by the scaling group)
CACHE_PREFIX = "launch_config:"


class LaunchConfigurationHandler(LocalHandler):
    """Holds the server properties of an AWS scaling group's members."""

    type_name = "AWS::AutoScaling::LaunchConfiguration"
    attributes = ("show",)

    def config_id(self, logical: str, props: Mapping[str, Any]) -> str:
        """The reference of this configuration (changes with its properties)."""
        text = json.dumps(dict(props), sort_keys=True, default=str)
        return f"{self.local_id(logical)}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"

    def _remember(self, logical: str, props: Mapping[str, Any]) -> str:
        pid = self.config_id(logical, props)
        with self.ctx.lock:
            self.ctx.cache[CACHE_PREFIX + pid] = dict(props)
        return pid

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        return Found(logical, self._remember(logical, props), {"props": dict(props)})

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        on_id(self._remember(logical, props))
        return {"props": dict(props)}

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        self._remember(logical, props)
        return {"props": dict(props)}
