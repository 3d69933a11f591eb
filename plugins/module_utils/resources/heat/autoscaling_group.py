"""OS::Heat::AutoScalingGroup: ``capacity`` copies of ``resource``, converged as members.

The member machinery is ResourceGroup's (members marked as stack ``<stack>/<group>`` with
logical names ``"0"``, ``"1"``, ...); what differs is the size. The group's current desired
capacity is kept in the stack record, as the pseudo-property ``capacity`` of the group's
entry (``resources.<group>.properties.capacity``): a rerun keeps a capacity that a scaling
signal changed, while a template change of ``min_size``, ``max_size`` or
``desired_capacity`` wins as in Heat (``desired_capacity`` when given, else the current
capacity clamped into the new bounds). The observed member count is compared with it, so a
member deleted out of band is recreated.
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Found, HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.resource_group import (
    ResourceGroupHandler)

#: the record's pseudo-property holding the group's current desired capacity
CAPACITY = "capacity"


class PerMember(dict):
    """``get_attr: [group, outputs|outputs_list, <attr>, ...]``: the path names a member attribute.

    An empty mapping (so it serialises as ``{}``) whose lookups read ``<attr>`` of every member.
    """

    def __init__(self, read: Any) -> None:
        super().__init__()
        self._read = read

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def get(self, key: Any, default: Any = None) -> Any:
        """The attribute ``key`` of every member (a map or a list, see the group)."""
        return self._read(str(key))


def _int(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HandlerError(f"{what} must be an integer, not {value!r}") from None


def check_sizes(min_size: int | None, max_size: int | None, desired: int | None) -> None:
    """Heat's size validation of a scaling group (one clear line on failure)."""
    if min_size is not None and min_size < 0:
        raise HandlerError("The size of AutoScalingGroup can not be less than zero")
    if min_size is not None and max_size is not None and max_size < min_size:
        raise HandlerError(f"MinSize can not be greater than MaxSize (min_size {min_size} > max_size {max_size})")
    if desired is not None and (min_size is not None and desired < min_size or
                                max_size is not None and desired > max_size):
        raise HandlerError(f"DesiredCapacity must be between MinSize and MaxSize (desired_capacity {desired}, "
                           f"min_size {min_size}, max_size {max_size})")


class AutoScalingGroupHandler(ResourceGroupHandler):
    """A scaling group of any supported resource type (HOT form)."""

    type_name = "OS::Heat::AutoScalingGroup"
    member_definition = "resource"
    member_stacks = False
    schema_overrides = {}  # ResourceGroup's index_var is not a property of this type
    applied_defaults = ("rolling_updates",)
    attributes = ("outputs", "outputs_list", "current_size", "refs", "refs_map", "show")
    observed = frozenset({CAPACITY})
    member_key = "resource"
    group_label = "an AutoScalingGroup"
    #: property names of the sizes (the CFN form renames them)
    size_props = ("min_size", "max_size", "desired_capacity")

    @classmethod
    def update_allowed(cls, prop: str) -> bool:
        return prop == CAPACITY or super().update_allowed(prop)

    # ---- capacity ------------------------------------------------------------------
    def _sizes(self, props: Mapping[str, Any]) -> tuple[int | None, int | None, int | None]:
        lo, hi, want = self.size_props
        return _int(props.get(lo), lo), _int(props.get(hi), hi), _int(props.get(want), want)

    def _recorded(self, logical: str) -> Mapping[str, Any]:
        entry = self.ctx.recorded.get(logical) or {}
        if entry.get("type") != self.type_name or not str(entry.get("status", "")).endswith("COMPLETE"):
            return {}
        return entry.get("properties") or {}

    def capacity(self, logical: str, props: Mapping[str, Any]) -> int:
        """The desired capacity: the record's unless the template's sizes changed (Heat's rules)."""
        min_size, max_size, desired = self._sizes(props)
        check_sizes(min_size, max_size, desired)
        recorded = self._recorded(logical)
        current = _int(recorded.get(CAPACITY), CAPACITY) if recorded else None
        if current is None:
            # creation: desired_capacity, else min_size
            return desired if desired is not None else (min_size or 0)
        if self._sizes(recorded) == (min_size, max_size, desired):
            return current
        if desired is not None:
            return desired
        return min(max(current, min_size or 0), max_size if max_size is not None else current)

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out.pop(CAPACITY, None)
        out[CAPACITY] = self.capacity(logical, out)
        return out

    def observe(self, obj: Any) -> dict:
        return {CAPACITY: len(obj.get("members") or {})}

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        """The group with every member the cloud has (beyond the capacity too: a lost record, an
        interrupted scale), so that the next converge brings the count to the capacity."""
        duplicates: list = []
        members = self._observe_members(logical, self._wide(props), duplicates=duplicates)
        if not members and self._size(props):
            return None
        return Found(logical, self.local_id(logical), {"props": dict(props), "logical": logical, "members": members,
                                                       "duplicates": duplicates})

    # ---- ResourceGroup hooks ---------------------------------------------------------
    def _size(self, props: Mapping[str, Any]) -> int:
        return max(int(props.get(CAPACITY) or 0), 0)

    def _wide(self, props: Mapping[str, Any]) -> dict:
        _lo, hi, _want = self._sizes(props)
        return dict(props, **{CAPACITY: max(self._size(props), hi or 0) + 50})

    def _member_props(self, props: Mapping[str, Any], index: int) -> dict:
        # no %index% substitution in a scaling group (Heat has none)
        return dict(self._member_def(props).get("properties") or {})

    # ---- attributes ----------------------------------------------------------------
    def attribute(self, obj: Any, name: str) -> Any:
        members = sorted((obj.get("members") or {}), key=int)
        if name == "current_size":
            return len(members)
        if name == "outputs":
            return PerMember(lambda attr: {k: self._member_attr(obj, k, attr) for k in members})
        if name == "outputs_list":
            return PerMember(lambda attr: [self._member_attr(obj, k, attr) for k in members])
        if name in ("refs", "refs_map", "show") or name.startswith("resource."):
            return super().attribute(obj, name)
        raise HandlerError(f"{self.type_name} has no attribute '{name}'")
