"""Ownership marks: how a stack recognises the cloud resources it created.

Every resource a stack creates carries its stack name and logical name:

* tags where the API has them (Neutron networks, subnets, ports, routers, security
  groups, floating IPs),
* metadata where it has that (Nova servers, Cinder volumes),
* a deterministic name where it has neither (key pairs, server groups), or a marker in
  the description (security group rules).

A run that lost its state record, or that was killed between "the API created it" and
"the record says so", rediscovers its resources from these marks instead of creating
duplicates. Where copies exist anyway (two controllers converged the same stack at once),
:func:`keep_one` says which copy of a logical resource stays; the others are deleted.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable, Iterable, Mapping, Sequence

STACK_TAG_PREFIX = "heatlike-stack="
RESOURCE_TAG_PREFIX = "heatlike-res="
META_STACK = "heatlike_stack"
META_RESOURCE = "heatlike_resource"
DESCRIPTION_PREFIX = "heatlike:"
MAX_TAG_LEN = 60

STACK_NAME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$")


def _fit(prefix: str, value: str, limit: int = MAX_TAG_LEN) -> str:
    """Return ``prefix + value``, hashed down to ``limit`` characters when too long."""
    tag = prefix + value
    if len(tag) <= limit:
        return tag
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return prefix + value[: limit - len(prefix) - 17] + "~" + digest


def stack_tag(stack: str) -> str:
    """The tag every Neutron resource of ``stack`` carries."""
    return _fit(STACK_TAG_PREFIX, stack)


def resource_tag(logical: str) -> str:
    """The tag naming the logical resource."""
    return _fit(RESOURCE_TAG_PREFIX, logical)


def tags_for(stack: str, logical: str, extra: Iterable[str] | None = None) -> list[str]:
    """Tags for a new resource: the user's own tags plus both ownership marks."""
    tags = [t for t in (extra or []) if not is_mark_tag(t)]
    return sorted(set(tags) | {stack_tag(stack), resource_tag(logical)})


def is_mark_tag(tag: str) -> bool:
    """True for the tags this module adds (hidden from property comparisons)."""
    return tag.startswith(STACK_TAG_PREFIX) or tag.startswith(RESOURCE_TAG_PREFIX)


def user_tags(tags: Iterable[str] | None) -> list[str]:
    """The tags of an observed resource minus our marks, sorted."""
    return sorted(t for t in (tags or []) if not is_mark_tag(t))


def logical_from_tags(stack: str, tags: Iterable[str] | None, wanted: Iterable[str]) -> str | None:
    """The logical name a tagged resource belongs to, or None when not ours."""
    tags = set(tags or [])
    if stack_tag(stack) not in tags:
        return None
    for tag in tags:
        if tag.startswith(RESOURCE_TAG_PREFIX):
            for name in wanted:
                if resource_tag(name) == tag:
                    return name
            return tag[len(RESOURCE_TAG_PREFIX):]
    return None


def metadata_for(stack: str, logical: str, extra: Mapping[str, Any] | None = None) -> dict:
    """Metadata for a new server/volume: the user's metadata plus both marks."""
    meta = {k: v for k, v in (extra or {}).items() if k not in (META_STACK, META_RESOURCE)}
    meta[META_STACK] = stack
    meta[META_RESOURCE] = logical
    return meta


def user_metadata(meta: Mapping[str, Any] | None) -> dict:
    """Observed metadata minus our marks."""
    return {k: v for k, v in (meta or {}).items() if k not in (META_STACK, META_RESOURCE)}


def logical_from_metadata(stack: str, meta: Mapping[str, Any] | None) -> str | None:
    """The logical name a server/volume belongs to, or None when not ours."""
    meta = meta or {}
    if meta.get(META_STACK) != stack:
        return None
    return meta.get(META_RESOURCE)


def default_name(stack: str, logical: str) -> str:
    """Deterministic physical name for a resource whose template gives none."""
    return f"{stack}-{logical}"


def description_mark(stack: str, logical: str) -> str:
    """Description marker for resources that have neither tags nor metadata."""
    return f"{DESCRIPTION_PREFIX}{stack}/{logical}"


def logical_from_description(stack: str, description: str | None) -> str | None:
    """The logical name encoded in a description marker, or None."""
    prefix = f"{DESCRIPTION_PREFIX}{stack}/"
    if description and description.startswith(prefix):
        return description[len(prefix):]
    return None


def valid_stack_name(name: str) -> bool:
    """Heat's stack name rule: a letter, then letters, digits, ``_ . -``."""
    return bool(STACK_NAME_RE.match(name or ""))


def keep_one(found: Sequence[Any], recorded: str | None, pending: Iterable[str] = (),
             created_at: Callable[[Any], str | None] = lambda obj: None) -> tuple[Any, str]:
    """The copy of one logical resource to keep among ``found`` (items with ``physical_id``
    and ``obj``: several marked copies), and why, as ``(item, reason)``; ``(None, "")`` when
    none is left.

    The ``recorded`` physical id wins; else the oldest by ``created_at(obj)`` (ISO 8601 text,
    comparable within a type); ties, and types whose API shows no creation time, keep the
    lowest id, so every controller picks the same copy. Old copies waiting for deletion
    (``pending``) are never kept.
    """
    pending = set(pending)
    live = [f for f in found if f.physical_id not in pending]
    for item in live:
        if recorded and item.physical_id == recorded:
            return item, "the recorded one"
    if len(live) <= 1:
        return (live[0], "the only copy") if live else (None, "")
    stamps = {f.physical_id: created_at(f.obj) for f in live}
    oldest = min(live, key=lambda f: (stamps[f.physical_id] is None, str(stamps[f.physical_id] or ""),
                                      str(f.physical_id)))
    if stamps[oldest.physical_id] is None:
        return oldest, "the lowest id (the API shows no creation time)"
    return oldest, f"the oldest (created {stamps[oldest.physical_id]})"
