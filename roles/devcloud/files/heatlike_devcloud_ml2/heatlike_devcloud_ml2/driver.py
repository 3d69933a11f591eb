"""A mechanism driver that binds every port, so Nova can boot servers with no L2 agent.

The devcloud runs Neutron with ML2 and no agents; without a driver that binds, ports stay
unbound and Nova fails the boot. Nothing is wired: no traffic ever flows in the devcloud.
"""

from __future__ import annotations

from neutron_lib import constants
from neutron_lib.plugins.ml2 import api


class BindAllMechanismDriver(api.MechanismDriver):
    """Bind the first offered segment of every port as an OVS port, status ACTIVE."""

    def initialize(self) -> None:
        """Nothing to set up."""

    def bind_port(self, context: api.PortContext) -> None:
        """Bind ``context``'s port to its first segment."""
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                "ovs",
                {"port_filter": False, "ovs_hybrid_plug": False},
                status=constants.PORT_STATUS_ACTIVE,
            )
            return
