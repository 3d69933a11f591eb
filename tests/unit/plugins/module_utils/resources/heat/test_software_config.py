"""OS::Heat::SoftwareConfig: its id follows its content."""

from __future__ import annotations

import uuid

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.software_config import (
    SoftwareConfigHandler)


def test_config_id_follows_the_content():
    handler = SoftwareConfigHandler(Context(conn=None, stack_name="web"))
    one = handler.ref({"props": {"config": "echo one"}}, "web-cfg")
    assert one == handler.ref({"props": {"config": "echo one"}}, "web-cfg")
    two = handler.ref({"props": {"config": "echo two"}}, "web-cfg")
    assert two != one and uuid.UUID(two)
    assert handler.ctx.cache["software_config:" + two] == "echo two"
