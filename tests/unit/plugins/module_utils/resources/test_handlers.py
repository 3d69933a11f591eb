"""Handler details that need no cloud: defaults, comparisons, config content, random strings."""

from __future__ import annotations

import string

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context, HandlerError, same
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.handlers import HANDLERS
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.random_string import generate
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.heat.software_config import (
    CloudConfigHandler, MultipartMimeHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.neutron.security_group import (
    SecurityGroupHandler)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.nova.server import ServerHandler

from ..conftest import Obj


def ctx() -> Context:
    return Context(conn=None, stack_name="web")


def test_registry_covers_the_issue_types():
    wanted = {"OS::Neutron::Net", "OS::Neutron::Subnet", "OS::Neutron::Port", "OS::Neutron::Router",
              "OS::Neutron::RouterInterface", "OS::Neutron::SecurityGroup", "OS::Neutron::SecurityGroupRule",
              "OS::Neutron::FloatingIP", "OS::Neutron::FloatingIPAssociation", "OS::Nova::Server",
              "OS::Nova::KeyPair", "OS::Nova::ServerGroup", "OS::Cinder::Volume", "OS::Cinder::VolumeAttachment",
              "OS::Heat::RandomString", "OS::Heat::Value", "OS::Heat::None", "OS::Heat::TestResource",
              "OS::Heat::SoftwareConfig", "OS::Heat::CloudConfig", "OS::Heat::MultipartMime"}
    assert wanted <= set(HANDLERS)
    assert get_handler("OS::Nope::Thing") is None
    for cls in HANDLERS.values():
        assert cls.type_name and isinstance(cls.schema_overrides, dict)


def test_update_allowed_follows_declarations():
    assert ServerHandler.update_allowed("name") and not ServerHandler.update_allowed("flavor_x")
    assert not get_handler("OS::Neutron::Subnet").update_allowed("cidr")
    assert get_handler("OS::Neutron::Subnet").update_allowed("dns_nameservers")


@pytest.mark.parametrize("a,b,equal", [(None, "", True), ([], None, True), (1, "1", True), (True, "true", True),
                                       (["b", "a"], ["a", "b"], True), ({"x": 1}, {"x": 2}, False),
                                       ("a", "b", False)])
def test_loose_equality_used_for_drift(a, b, equal):
    assert same(a, b) is equal


def test_security_group_rules_compare_as_a_set_ignoring_default_egress():
    handler = SecurityGroupHandler(ctx())
    desired = handler.desired("sg", {"rules": [{"protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
                                                "remote_ip_prefix": "0.0.0.0/0"}]})
    observed = Obj(id="g1", security_group_rules=[
        {"id": "r1", "direction": "egress", "ethertype": "IPv4", "protocol": None, "port_range_min": None,
         "port_range_max": None, "remote_ip_prefix": None, "remote_group_id": None},
        {"id": "r2", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": None}])
    assert handler.desired_compare("rules", desired["rules"], observed) is True
    observed.security_group_rules[1]["port_range_max"] = 23
    assert handler.desired_compare("rules", desired["rules"], observed) is False


def test_server_user_data_from_a_config_resource_is_its_content():
    context = ctx()
    cc = CloudConfigHandler(context)
    config_id = cc.ref({"props": {"cloud_config": {"packages": ["nginx"]}}}, "web-cc")
    server = ServerHandler(context)
    import base64

    text = base64.b64decode(server._user_data({"user_data": config_id})).decode()
    assert text.startswith("#cloud-config\n") and "nginx" in text


def test_multipart_mime_embeds_referenced_configs():
    context = ctx()
    cc = CloudConfigHandler(context)
    config_id = cc.ref({"props": {"cloud_config": {"runcmd": ["true"]}}}, "web-cc")
    mime = MultipartMimeHandler(context)
    content = mime.attribute({"props": {"parts": [{"config": config_id}, {"config": "#!/bin/sh\necho hi"}]}},
                             "config")
    assert "multipart/mixed" in content and "text/cloud-config" in content and "text/x-shellscript" in content


def test_random_string_honours_class_minimums():
    value = generate(12, [{"class": "digits", "min": 4}, {"class": "lowercase", "min": 3}], [{"sequence": "!@",
                                                                                              "min": 2}])
    assert len(value) == 12
    assert sum(c in string.digits for c in value) >= 4
    assert sum(c in string.ascii_lowercase for c in value) >= 3
    assert sum(c in "!@" for c in value) >= 2
    with pytest.raises(HandlerError):
        generate(3, [{"class": "digits", "min": 4}], [])


def test_diff_masks_secret_properties_of_new_resources(tmp_path, conn, state_dir):
    import yaml

    from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge
    from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    tmpl = {"heat_template_version": "2018-08-31", "resources": {
        "srv": {"type": "OS::Nova::Server", "properties": {"flavor": "m1.tiny", "image": "tiny",
                                                           "admin_pass": "plain-but-secret"}}}}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    result = converge(conn, "st", load_stack(str(path), stack_name="st"),
                      Options(state_dir=state_dir, check_mode=True, diff=True), Redactor())
    assert result["diff"]["after"]["srv"]["properties"]["admin_pass"] == "******"
    assert "plain-but-secret" not in repr(result)
