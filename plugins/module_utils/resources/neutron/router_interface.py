"""OS::Neutron::RouterInterface (a relation: no object of its own, no marks)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found


class RouterInterfaceHandler(CloudHandler):
    """Attach a subnet or port to a router; identity is ``<router>:subnet_id=<id>``."""

    type_name = "OS::Neutron::RouterInterface"
    delete_rank = 1
    marking = "derived"
    create_before_delete = False

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["router"] = self.resolve_id("router", out.get("router") or out.get("router_id"))
        out.pop("router_id", None)
        subnet = out.pop("subnet_id", None) or out.get("subnet")
        port = out.pop("port_id", None) or out.get("port")
        out["subnet"] = self.resolve_id("subnet", subnet) if subnet else None
        out["port"] = self.resolve_id("port", port) if port else None
        return {k: v for k, v in out.items() if v is not None}

    @staticmethod
    def _pid(router: str, subnet: str | None, port: str | None) -> str:
        return f"{router}:subnet_id={subnet}" if subnet else f"{router}:port_id={port}"

    def _interfaces(self) -> list:
        return self.ctx.cached("router_interface_ports", lambda: self.call_list(
            self.conn.network.ports, device_owner="network:router_interface"))

    def _match(self, router: str, subnet: str | None, port: str | None) -> Any:
        for p in self._interfaces():
            if p.device_id != router:
                continue
            if port and p.id == port:
                return p
            if subnet and any(ip.get("subnet_id") == subnet for ip in p.fixed_ips or []):
                return p
        return None

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        d = self.desired(logical, props)
        p = self._match(d["router"], d.get("subnet"), d.get("port"))
        if p is None:
            return None
        return Found(logical, self._pid(d["router"], d.get("subnet"), d.get("port")), p)

    def fetch(self, physical_id: str) -> Any:
        router, _sep, rest = physical_id.partition(":")
        kind, _eq, value = rest.partition("=")
        for p in self._interfaces():
            if p.device_id != router:
                continue
            if kind == "port_id" and p.id == value:
                return p
            if kind == "subnet_id" and any(ip.get("subnet_id") == value for ip in p.fixed_ips or []):
                return p
        return None

    def physical_id(self, obj: Any) -> str:
        return obj.id

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        d = self.desired(logical, props)
        router = self.call(self.conn.network.get_router, d["router"])
        self.call(self.conn.network.add_interface_to_router, router,
                  subnet=d.get("subnet"), port=d.get("port"))
        pid = self._pid(d["router"], d.get("subnet"), d.get("port"))
        on_id(pid)
        self.ctx.forget("router_interface_ports")
        return self.fetch(pid)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        router, _sep, rest = physical_id.partition(":")
        kind, _eq, value = rest.partition("=")
        try:
            router_obj = self.call(self.conn.network.get_router, router)
        except Exception as exc:  # noqa: BLE001
            from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import is_not_found
            if is_not_found(exc):
                return
            raise
        self.delete_ignoring_missing(self.conn.network.remove_interface_from_router, router_obj,
                                     **{kind.replace("_id", ""): value})

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        raise NotImplementedError("RouterInterface has no update-allowed properties")
