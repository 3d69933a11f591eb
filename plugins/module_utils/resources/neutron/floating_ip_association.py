"""OS::Neutron::FloatingIPAssociation (a relation: the floating IP's port binding)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.implicit import interfaces_behind_ports


class FloatingIPAssociationHandler(CloudHandler):
    """Binds a floating IP to a port; identity is the floating IP id."""

    type_name = "OS::Neutron::FloatingIPAssociation"
    delete_rank = 0

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> list[str]:
        """As Heat: the router interface on the subnet of the port's first fixed IP."""
        return interfaces_behind_ports(resource, index, floating_ip=False)

    marking = "derived"
    create_before_delete = False
    observed = frozenset({"port_id"})

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        fip = self.fetch(props["floatingip_id"])
        if fip is not None and fip.port_id == props.get("port_id"):
            return Found(logical, fip.id, fip)
        return None

    def fetch(self, physical_id: str) -> Any:
        return self.fetch_or_none(self.conn.network.get_ip, physical_id)

    def _bind(self, props: Mapping[str, Any]) -> Any:
        body = {"port_id": props["port_id"]}
        if props.get("fixed_ip_address"):
            body["fixed_ip_address"] = props["fixed_ip_address"]
        return self.call(self.conn.network.update_ip, props["floatingip_id"], **body)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        obj = self._bind(props)
        on_id(obj.id)
        return obj

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        if obj.id != props["floatingip_id"]:
            self.delete(obj.id)
        return self._bind(props)

    def observe(self, obj: Any) -> dict:
        return {"port_id": obj.port_id}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        fip = self.fetch(physical_id)
        if fip is not None and fip.port_id:
            self.call(self.conn.network.update_ip, fip, port_id=None)
