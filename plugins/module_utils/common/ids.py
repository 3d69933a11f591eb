"""Recognising OpenStack ids, so that a value given as an id costs no name lookup."""

from __future__ import annotations

import re
from typing import Any

_ID_RE = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def looks_like_id(value: Any) -> bool:
    """True for an OpenStack id: 32 hex digits or a dashed UUID (either case)."""
    return bool(_ID_RE.match(str(value).lower()))
