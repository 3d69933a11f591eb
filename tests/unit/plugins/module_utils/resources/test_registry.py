"""Adding a resource type is one handler file plus one registry entry.

``BoxHandler`` below is written the way a handler file under ``resources/`` is: its type's
own implicit dependency (``add_dependencies``) and orphan delete order (``delete_rank``)
next to ``type_name``. Registered with one entry in the registry mapping, it resolves and
converges through the engine like a built-in type.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Mapping

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils import resources
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import handlers
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Found, Handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import (
    StackIndex, first_prop, reference_key)
from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import Property, ResourceSchema

BOX = "Test::Fake::Box"


class Box:
    """A cloud object of the fake box service."""

    def __init__(self, pid: str, network_id: str, tags: list[str]) -> None:
        self.id, self.network_id, self.tags = pid, network_id, tags

    def to_dict(self, computed: bool = True) -> dict:
        return {"id": self.id, "network_id": self.network_id, "tags": list(self.tags)}


class FakeBoxes:
    """The box service; logs into the fake Neutron's call list, so the order shows."""

    def __init__(self, calls: list[str]) -> None:
        self.db: dict[str, Box] = {}
        self.calls = calls
        self._ids = itertools.count(1)

    def create(self, network_id: str, tags: list[str]) -> Box:
        self.calls.append("create box")
        box = Box(f"box-{next(self._ids)}", network_id, tags)
        self.db[box.id] = box
        return box

    def list(self) -> list[Box]:
        self.calls.append("list boxes")
        return list(self.db.values())

    def get(self, pid: str) -> Box | None:
        return self.db.get(pid)

    def delete(self, pid: str) -> None:
        self.calls.append("delete box")
        self.db.pop(pid, None)


class BoxHandler(Handler):
    """A box on a network, tagged with its stack and logical name."""

    type_name = BOX
    delete_rank = 0

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> Iterable[str]:
        """A box waits for every subnet of its network."""
        net = reference_key(first_prop(resource.properties, "network"))
        return index.on("OS::Neutron::Subnet", ("network", "network_id"), net)

    own_schema = ResourceSchema(BOX, {"network": Property("String", required=True)}, ("network_id",))
    attributes = ("network_id", "show")

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        wanted = list(wanted)
        found = []
        for box in self.ctx.conn.boxes.list():
            logical = ownership.logical_from_tags(self.ctx.stack_name, box.tags, wanted)
            if logical:
                found.append(Found(logical, box.id, box))
        return found

    def fetch(self, physical_id: str) -> Any:
        return self.ctx.conn.boxes.get(physical_id)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        box = self.ctx.conn.boxes.create(props["network"], ownership.tags_for(self.ctx.stack_name, logical))
        on_id(box.id)
        return box

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.ctx.conn.boxes.delete(physical_id)


def _template() -> dict:
    return {"heat_template_version": "2018-08-31", "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "n1"}},
        "sub": {"type": "OS::Neutron::Subnet",
                "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.0.0/24"}},
        "box": {"type": BOX, "properties": {"network": {"get_resource": "net"}}}}}


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> type[BoxHandler]:
    """The one registry entry a new type needs."""
    monkeypatch.setitem(handlers.HANDLERS, BOX, BoxHandler)
    return BoxHandler


def _load(tmp_path: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(_template()))
    return load_stack(str(path), stack_name="st")


def test_one_registry_entry_makes_the_type_known(registered):
    assert resources.get_handler(BOX) is BoxHandler
    assert resources.get_resource_type(BOX) is BoxHandler
    assert BOX in resources.handler_types()
    assert resources.get_schema(BOX) is not None


def test_its_implicit_dependency_shows_in_the_graph_and_waves(tmp_path, registered):
    resolved = _load(tmp_path)
    box = resolved.resources["box"]
    assert box.implicit_depends_on == {"sub"}
    assert box.depends_on == {"net", "sub"}
    assert resolved.creation_order == [["net"], ["sub"], ["box"]]


def test_it_converges_after_the_subnet_it_implicitly_waits_for(tmp_path, conn, state_dir, registered):
    conn.boxes = FakeBoxes(conn.network.calls)
    result = converge(conn, "st", _load(tmp_path), Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert result.error is None
    creates = [c for c in conn.network.calls if c.startswith("create")]
    assert creates == ["create network", "create subnet", "create box"]
    assert [b.network_id for b in conn.boxes.db.values()] == [result["resources"]["net"]["physical_id"]]


@pytest.mark.parametrize("rank, order", [(0, ["delete box", "delete network"]),
                                         (7, ["delete network", "delete box"])])
def test_its_delete_rank_orders_an_orphan_delete(tmp_path, conn, state_dir, registered, monkeypatch, rank, order):
    monkeypatch.setattr(BoxHandler, "delete_rank", rank)
    conn.boxes = FakeBoxes(conn.network.calls)
    conn.network.create_network(name="old", tags=ownership.tags_for("st", "gone-net"))
    conn.boxes.create("old-net", ownership.tags_for("st", "gone-box"))
    conn.network.calls.clear()
    result = converge(conn, "st", _load(tmp_path), Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert result.error is None
    orphans = sorted(p["resource"] for p in result["plan"] if p["action"] == "delete" and "orphan" in p["reason"])
    assert len(orphans) == 2
    assert [c for c in conn.network.calls if c.startswith("delete")] == order


@pytest.mark.parametrize("type_name", ["OS::Neutron::RouterGateway", "OS::Neutron::FloatingIPPortForward"])
def test_type_knowledge_alone_does_not_make_a_type_converged(type_name):
    assert resources.get_handler(type_name) is None
    assert type_name not in resources.handler_types()
    assert resources.get_resource_type(type_name).type_name == type_name
