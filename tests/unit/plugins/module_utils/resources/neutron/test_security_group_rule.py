"""OS::Neutron::SecurityGroupRule: which rules a stack owns."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group_rule import (
    SecurityGroupRuleHandler)

from ...conftest import Obj


def test_rules_of_a_group_member_are_not_the_parent_stacks():
    rules = [Obj(id="r1", description=ownership.description_mark("st", "rule")),
             Obj(id="r2", description=ownership.description_mark("st/grp", "0"))]
    conn = Obj(network=Obj(security_group_rules=lambda **_: rules))
    found = SecurityGroupRuleHandler(Context(conn=conn, stack_name="st")).list_owned(["rule"])
    assert [(f.logical, f.physical_id) for f in found] == [("rule", "r1")]
