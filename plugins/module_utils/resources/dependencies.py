"""What a resource type's ``add_dependencies`` sees: one stack's resources, indexed once.

Heat adds implicit dependencies (a port waits for the subnets of its network, a floating IP
for the router gateway of its network, ...) in each resource type's ``add_dependencies``;
here each type's rule is a classmethod of its class (see ``ResourceType.add_dependencies``
in base.py) and gets a :class:`StackIndex`. The index builds each lookup ("the subnets whose
``network`` is K", "the interfaces on router R") on first use and keeps it for the whole
stack, so the pass over a stack stays linear.

Values are compared as Heat compares them before anything exists (:func:`reference_key`).
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import Unresolved, template_form


def reference_key(v: Any) -> Any:
    """Comparable key of a property value as Heat sees it before creation.

    A reference to a resource is its name (Heat's reference id before the resource exists);
    anything else that needs a created resource is None (Heat's get_attr before creation).
    """
    if isinstance(v, Unresolved):
        tf = v.template_form
        if isinstance(tf, dict) and len(tf) == 1:
            (k, a), = tf.items()
            if k in ("get_resource", "Ref") and isinstance(a, str):
                return a
        return None
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return repr(template_form(v))


def first_prop(props: Any, *names: str) -> Any:
    """The first of ``names`` set (not None, not empty) in ``props``; None otherwise."""
    if not isinstance(props, dict):
        return None
    for n in names:
        v = props.get(n)
        if v is not None and v != "":
            return v
    return None


class StackIndex:
    """The enabled resources of one stack, with lookups cached for the whole stack.

    ``resources`` maps names to resource definitions (``.name``, ``.properties``,
    ``.depends_on``); ``types`` maps each name to its final type (environment resolved).
    """

    def __init__(self, resources: Mapping[str, Any], types: Mapping[str, str]) -> None:
        self.resources = resources
        self.types = types
        self._by_type: dict[str, list[Any]] | None = None
        self._names: dict[str, set[str]] = {}
        self._keyed: dict[tuple, dict[Any, list[str]]] = {}

    def type_of(self, name: str) -> str | None:
        """The final type of the resource ``name`` (None when the stack has no such resource)."""
        return self.types.get(name)

    def of_type(self, type_name: str) -> list[Any]:
        """The resources of ``type_name``, in template order."""
        if self._by_type is None:
            self._by_type = {}
            for r in self.resources.values():
                self._by_type.setdefault(self.types[r.name], []).append(r)
        return self._by_type.get(type_name, [])

    def names_of_type(self, type_name: str) -> set[str]:
        """The names of the resources of ``type_name`` (do not modify)."""
        names = self._names.get(type_name)
        if names is None:
            names = self._names[type_name] = {r.name for r in self.of_type(type_name)}
        return names

    def keyed(self, type_name: str, names: tuple[str, ...], within: str | None = None) -> dict[Any, list[str]]:
        """Resources of ``type_name`` by the :func:`reference_key` of their first property of
        ``names`` (inside the map property ``within`` when given; resources where that is not a
        map are left out)."""
        cache_key = (type_name, names, within)
        table = self._keyed.get(cache_key)
        if table is None:
            table = self._keyed[cache_key] = {}
            for r in self.of_type(type_name):
                props = r.properties
                if within is not None:
                    props = first_prop(props, within)
                    if not isinstance(props, dict):
                        continue
                table.setdefault(reference_key(first_prop(props, *names)), []).append(r.name)
        return table

    def on(self, type_name: str, names: tuple[str, ...], key: Any, within: str | None = None) -> list[str]:
        """Names of the resources of ``type_name`` whose ``names`` property has ``key``."""
        return self.keyed(type_name, names, within).get(key, [])
