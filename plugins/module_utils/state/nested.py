"""Records of nested stacks: a :class:`LocalBackend` below ``<state_dir>/nested``, one file per nested stack.

A nested stack is named ``<stack>/<logical>`` (deeper levels add ``/<logical>``); its files
are named after the URL-quoted name, so the slashes stay out of the path.
"""

from __future__ import annotations

import os
import urllib.parse

from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend

NESTED_DIR = "nested"


class NestedBackend(LocalBackend):
    """Records of nested stacks (``<stack>/<logical>``): ``<state_dir>/nested/<quoted name>.json``."""

    def _path(self, stack: str, suffix: str) -> str:
        return os.path.join(self.directory, urllib.parse.quote(stack, safe="") + suffix)

    def list_stacks(self) -> list[str]:
        """Names of the nested stacks that have a record."""
        return sorted(urllib.parse.unquote(n) for n in super().list_stacks())


def nested_backend(state_dir: str) -> NestedBackend:
    """Where the records of nested stacks below the state directory ``state_dir`` live."""
    return NestedBackend(os.path.join(os.path.expanduser(state_dir), NESTED_DIR))
