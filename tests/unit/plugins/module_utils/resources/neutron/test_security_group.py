"""OS::Neutron::SecurityGroup: rule comparison."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group import (
    SecurityGroupHandler)

from ...conftest import Obj


def test_group_rules_ignore_rules_of_security_group_rule_resources():
    handler = SecurityGroupHandler(Context(conn=None, stack_name="st"))
    desired = handler.desired("sg", {"rules": []})
    observed = Obj(id="g1", security_group_rules=[
        {"id": "r1", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "remote_ip_prefix": "192.0.2.0/24", "remote_group_id": None,
         "description": ownership.description_mark("st", "rule")}])
    assert handler.desired_compare("rules", desired["rules"], observed) is True
    observed.security_group_rules[0]["description"] = ""
    assert handler.desired_compare("rules", desired["rules"], observed) is False
