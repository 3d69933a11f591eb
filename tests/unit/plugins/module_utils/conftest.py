"""Fixtures for the engine tests: a small in-memory Neutron fake (``conn``, ``state_dir``) and
template helpers (``load``, ``write``)."""

from __future__ import annotations

import itertools
import textwrap
import uuid
from typing import Any

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

_ids = itertools.count()


class Obj:
    """An SDK-like resource: attribute access, ``to_dict``."""

    def __init__(self, **attrs: Any) -> None:
        self.__dict__.update(attrs)

    def to_dict(self, computed: bool = True) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class NotFound(Exception):
    status_code = 404


class FakeNetwork:
    """Networks and subnets with Neutron's tag filter; counts every request."""

    def __init__(self) -> None:
        self.networks_db: dict[str, Obj] = {}
        self.subnets_db: dict[str, Obj] = {}
        self.calls: list[str] = []
        self.reject_tags_in_post = False

    # networks
    def networks(self, tags: str | None = None, **_: Any) -> list:
        self.calls.append("list networks")
        return [n for n in self.networks_db.values() if not tags or set(tags.split(",")) <= set(n.tags)]

    def create_network(self, tags: list | None = None, **body: Any) -> Obj:
        self.calls.append("create network")
        if tags and self.reject_tags_in_post:
            err = Exception("Attribute 'tags' not allowed in POST")
            err.status_code = 400
            raise err
        net = Obj(id=str(uuid.UUID(int=next(_ids) + 1)), name=body.get("name"), tags=list(tags or []),
                  is_admin_state_up=body.get("is_admin_state_up", True), is_shared=bool(body.get("is_shared")),
                  is_port_security_enabled=True, subnet_ids=[], project_id="p", status="ACTIVE")
        self.networks_db[net.id] = net
        return net

    def get_network(self, pid: str) -> Obj:
        self.calls.append("get network")
        if pid not in self.networks_db:
            raise NotFound(pid)
        return self.networks_db[pid]

    def update_network(self, obj: Obj, **body: Any) -> Obj:
        self.calls.append("update network")
        net = self.networks_db[obj.id]
        if "name" in body:
            net.name = body["name"]
        if "is_admin_state_up" in body:
            net.is_admin_state_up = body["is_admin_state_up"]
        return net

    def delete_network(self, pid: str) -> None:
        self.calls.append("delete network")
        if pid not in self.networks_db:
            raise NotFound(pid)
        if any(s.network_id == pid for s in self.subnets_db.values()):
            raise RuntimeError("network in use")
        del self.networks_db[pid]

    def set_tags(self, obj: Obj, tags: list) -> Obj:
        self.calls.append("set tags")
        target = self.networks_db.get(obj.id) or self.subnets_db.get(obj.id)
        target.tags = list(tags)
        return target

    def find_network(self, name: str, ignore_missing: bool = True) -> Obj | None:
        self.calls.append("find network")
        return next((n for n in self.networks_db.values() if name in (n.id, n.name)), None)

    def ports(self, **_: Any) -> list:
        self.calls.append("list ports")
        return []

    # subnets
    def subnets(self, tags: str | None = None, **_: Any) -> list:
        self.calls.append("list subnets")
        return [s for s in self.subnets_db.values() if not tags or set(tags.split(",")) <= set(s.tags)]

    def create_subnet(self, tags: list | None = None, **body: Any) -> Obj:
        self.calls.append("create subnet")
        if body["network_id"] not in self.networks_db:
            raise NotFound(body["network_id"])
        sub = Obj(id=str(uuid.UUID(int=next(_ids) + 1)), name=body.get("name"), tags=list(tags or []),
                  network_id=body["network_id"], cidr=body.get("cidr"), ip_version=body.get("ip_version", 4),
                  is_dhcp_enabled=body.get("is_dhcp_enabled", True),
                  dns_nameservers=list(body.get("dns_nameservers") or []), project_id="p",
                  gateway_ip=body.get("gateway_ip"))
        self.subnets_db[sub.id] = sub
        self.networks_db[sub.network_id].subnet_ids.append(sub.id)
        return sub

    def get_subnet(self, pid: str) -> Obj:
        self.calls.append("get subnet")
        if pid not in self.subnets_db:
            raise NotFound(pid)
        return self.subnets_db[pid]

    def update_subnet(self, obj: Obj, **body: Any) -> Obj:
        self.calls.append("update subnet")
        sub = self.subnets_db[obj.id]
        for attr in ("name", "is_dhcp_enabled", "dns_nameservers"):
            if attr in body:
                setattr(sub, attr, body[attr])
        return sub

    def delete_subnet(self, pid: str) -> None:
        self.calls.append("delete subnet")
        if pid not in self.subnets_db:
            raise NotFound(pid)
        sub = self.subnets_db.pop(pid)
        self.networks_db[sub.network_id].subnet_ids.remove(pid)


class FakeCompute:
    """An empty Nova (plans only)."""

    def servers(self, **_: Any) -> list:
        return []


class FakeConn:
    """Just enough of openstack.connection.Connection."""

    def __init__(self) -> None:
        self.network = FakeNetwork()
        self.compute = FakeCompute()


@pytest.fixture
def conn() -> FakeConn:
    return FakeConn()


@pytest.fixture
def state_dir(tmp_path: Any) -> str:
    return str(tmp_path / "state")


@pytest.fixture
def load(tmp_path):
    """load(text, **kwargs) -> ResolvedStack for a template written as tmp_path/t.yaml."""

    def _load(text: str, name: str = "t.yaml", **kwargs):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return load_stack(str(path), **kwargs)

    return _load


@pytest.fixture
def write(tmp_path):
    """write(name, text) -> absolute path of a file under tmp_path."""

    def _write(name: str, text: str) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return str(path)

    return _write
