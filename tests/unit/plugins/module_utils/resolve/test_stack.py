"""Parameters, conditions, environments, files, graph and implicit edges."""

from __future__ import annotations

import os

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    CycleError,
    FileAccessError,
    LimitError,
    ParameterError,
    TemplateError,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.dag import Graph
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits

PARAMS = """
heat_template_version: 2017-02-24
parameters:
  s: {type: string, default: 7}
  n: {type: number, default: '2.5'}
  l: {type: comma_delimited_list, default: 'a, b'}
  j: {type: json, default: '{"k": 1}'}
  b: {type: boolean, default: 'yes'}
  pw: {type: string, hidden: true, default: secret}
  m: {type: number, default: 4, constraints: [{modulo: {step: 2, offset: 0}}]}
"""


def test_parameter_conversions(load):
    rs = load(PARAMS)
    # like Heat, comma_delimited_list items are not stripped
    assert rs.parameters == {"s": "7", "n": 2.5, "l": ["a", " b"], "j": {"k": 1}, "b": True,
                             "pw": "secret", "m": 4}
    assert rs.parameter_info()["pw"]["value"] == "******"
    assert rs.hidden == {"pw"} and rs.hidden_values == {"secret"}


@pytest.mark.parametrize("params,match", [
    ({"n": "x"}, "not a number"),
    ({"b": "maybe"}, "Unrecognized value"),
    ({"m": 3}, "not a multiple"),
    ({"j": "{bad"}, "valid JSON"),
])
def test_parameter_errors(load, params, match):
    with pytest.raises(ParameterError, match=match):
        load(PARAMS, parameters=params)


def test_hidden_value_not_in_error(load):
    with pytest.raises(ParameterError) as err:
        load("""
            heat_template_version: 2013-05-23
            parameters:
              pw: {type: string, hidden: true, constraints: [{length: {min: 10}}]}
            """, parameters={"pw": "tooshort"})
    assert "tooshort" not in str(err.value)


def test_missing_and_constraint(load):
    with pytest.raises(ParameterError, match=r"The Parameter \(p\) was not provided"):
        load("heat_template_version: 2013-05-23\nparameters:\n  p: {type: string}\n")
    with pytest.raises(ParameterError, match="allowed value"):
        load("heat_template_version: 2013-05-23\nparameters:\n  p: {type: string, constraints: [{allowed_values: [a]}]}\n",
             parameters={"p": "b"})
    with pytest.raises(ParameterError, match="does not match pattern"):
        load("heat_template_version: 2013-05-23\nparameters:\n  p: {type: string, constraints: [{allowed_pattern: '[a-z]+'}]}\n",
             parameters={"p": "A1"})


def test_custom_constraint_is_recorded_skipped(load):
    rs = load("heat_template_version: 2013-05-23\nparameters:\n  f: {type: string, default: m1, constraints: [{custom_constraint: nova.flavor}]}\n")
    assert rs.skipped_constraints == [{"parameter": "f", "constraint": "nova.flavor", "value": "m1"}]


def test_conditions_disable_resources_and_outputs(load):
    rs = load("""
        heat_template_version: 2016-10-14
        parameters:
          env: {type: string, default: prod}
        conditions:
          prod: {equals: [{get_param: env}, prod]}
          dev: {not: prod}
          both: {and: [prod, {or: [dev, true]}]}
        resources:
          a: {type: OS::Heat::None, condition: dev}
          b:
            type: OS::Heat::None
            properties: {x: {if: [prod, {get_resource: c}, {get_resource: a}]}}
          c: {type: OS::Heat::None}
        outputs:
          oa: {value: 1, condition: dev}
          ob: {value: 2, condition: both}
        """)
    assert rs.conditions == {"prod": True, "dev": False, "both": True}
    assert rs.disabled_resources == ["a"] and set(rs.resources) == {"b", "c"}
    assert rs.resources["b"].depends_on == {"c"}
    assert rs.outputs == {"oa": None, "ob": 2}


def test_environment_registry_defaults_and_merge(load, write):
    write("nested.yaml", """
        heat_template_version: 2013-05-23
        parameters:
          size: {type: number}
        resources:
          inner: {type: OS::Heat::None}
        """)
    env = write("env.yaml", """
        parameters:
          l: 'a'
        parameter_merge_strategies:
          l: merge
        parameter_defaults:
          size: 3
        resource_registry:
          My::Thing: nested.yaml
          My::Alias: OS::Heat::None
          resources:
            special: {My::Alias: nested.yaml}
        event_sinks: []
        """)
    env2 = write("env2.yaml", "parameters:\n  l: b\nparameter_merge_strategies:\n  l: merge\n")
    rs = load("""
        heat_template_version: 2013-05-23
        parameters:
          l: {type: comma_delimited_list}
        resources:
          t: {type: My::Thing}
          plain: {type: My::Alias}
          special: {type: My::Alias}
        """, environment_files=[env, env2])
    assert rs.parameters["l"] == ["a", "b"]
    assert rs.resources["t"].nested is not None
    assert rs.resources["t"].nested.parameters == {"size": 3}
    assert rs.resources["plain"].nested is None
    assert rs.resources["special"].nested is not None


def test_merge_strategies_follow_parameter_types(load, write):
    e1 = write("e1.yaml", """
        parameters:
          s: a
          n: 1
          j: {x: {y: 1}}
          d: {x: {y: 1}}
          o: first
        """)
    e2 = write("e2.yaml", """
        parameter_merge_strategies:
          default: merge
          d: deep_merge
          o: overwrite
        parameters:
          s: b
          n: 2
          j: {x: {z: 2}}
          d: {x: {z: 2}}
          o: second
        """)
    rs = load("""
        heat_template_version: 2013-05-23
        parameters:
          s: {type: string}
          n: {type: number}
          j: {type: json}
          d: {type: json}
          o: {type: string}
        """, environment_files=[e1, e2], parameters={"o": "explicit"})
    assert rs.parameters == {"s": "ab", "n": 3, "j": {"x": {"z": 2}}, "d": {"x": {"y": 1, "z": 2}},
                             "o": "explicit"}


def test_unknown_environment_parameter_is_an_error(load, write):
    env = write("e.yaml", "parameters:\n  nope: 1\n")
    with pytest.raises(ParameterError, match="not defined in template"):
        load("heat_template_version: 2013-05-23\n", environment_files=[env])


def test_get_file_confined(load, write, tmp_path):
    write("files/a.txt", "hello")
    rs = load("heat_template_version: 2013-05-23\noutputs:\n  o: {value: {get_file: files/a.txt}}\n")
    assert rs.outputs["o"] == "hello"
    for ref in ("../../etc/passwd", "file:///etc/passwd", "/etc/passwd", "http://example.com/x"):
        with pytest.raises(FileAccessError):
            load("heat_template_version: 2013-05-23\noutputs:\n  o: {value: {get_file: '%s'}}\n" % ref)
    os.symlink("/etc", str(tmp_path / "link"))
    with pytest.raises(FileAccessError, match="outside the allowed"):
        load("heat_template_version: 2013-05-23\noutputs:\n  o: {value: {get_file: link/hostname}}\n")


def test_nested_depth_limit(load, write):
    for i in range(1, 8):
        write("n%d.yaml" % i, "heat_template_version: 2013-05-23\nresources:\n  r: {type: n%d.yaml}\n" % (i + 1))
    write("n8.yaml", "heat_template_version: 2013-05-23\n")
    with pytest.raises(LimitError, match="nested stack depth exceeds 5"):
        load("heat_template_version: 2013-05-23\nresources:\n  r: {type: n1.yaml}\n")
    rs = load("heat_template_version: 2013-05-23\nresources:\n  r: {type: n4.yaml}\n")
    assert rs.resources["r"].type.startswith("file://")


def test_resource_limit_counts_nested(load, write):
    write("n.yaml", "heat_template_version: 2013-05-23\nresources:\n  a: {type: OS::Heat::None}\n  b: {type: OS::Heat::None}\n")
    with pytest.raises(LimitError, match="more than 3 resources"):
        load("heat_template_version: 2013-05-23\nresources:\n  x: {type: n.yaml}\n  y: {type: OS::Heat::None}\n",
             limits=Limits(max_resources=3))


def test_cycle_names_the_cycle(load):
    with pytest.raises(CycleError) as err:
        load("""
            heat_template_version: 2013-05-23
            resources:
              a: {type: OS::Heat::None, depends_on: [b]}
              b: {type: OS::Heat::None, properties: {x: {get_attr: [c, y]}}}
              c: {type: OS::Heat::None, depends_on: a}
            """)
    assert "a -> b -> c -> a" in str(err.value)
    assert str(err.value).split(": ", maxsplit=1)[0].endswith("t.yaml")


def test_graph_waves_and_reverse():
    g = Graph(["a", "b", "c", "d"])
    g.add_edge("c", "a")
    g.add_edge("d", "c")
    g.add_edge("d", "b")
    assert g.waves() == [["a", "b"], ["c"], ["d"]]
    assert g.reverse_waves() == [["d"], ["c"], ["a", "b"]]


NET = """
heat_template_version: 2013-05-23
resources:
  net: {type: OS::Neutron::Net}
  other_net: {type: OS::Neutron::Net}
  sub: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.0.0.0/24}}
  other_sub: {type: OS::Neutron::Subnet, properties: {network_id: {get_resource: other_net}, cidr: 10.1.0.0/24}}
  port: {type: OS::Neutron::Port, properties: {network: {get_resource: net}}}
  srv_port_only: {type: OS::Nova::Server, properties: {image: i, flavor: f, networks: [{port: {get_resource: port}}]}}
  srv_net: {type: OS::Nova::Server, properties: {image: i, flavor: f, networks: [{network: {get_resource: other_net}}]}}
  router: {type: OS::Neutron::Router, properties: {external_gateway_info: {network: public}}}
  iface: {type: OS::Neutron::RouterInterface, properties: {router: {get_resource: router}, subnet: {get_resource: sub}}}
  fport: {type: OS::Neutron::Port, properties: {network: {get_resource: net}, fixed_ips: [{subnet: {get_resource: sub}}]}}
  fip: {type: OS::Neutron::FloatingIP, properties: {floating_network: public, port_id: {get_resource: fport}}}
  gw: {type: OS::Neutron::RouterGateway, properties: {router_id: {get_resource: router}, network: public}}
"""


def test_port_depends_on_every_subnet_of_its_network(load):
    rs = load(NET)
    assert rs.resources["port"].implicit_depends_on == {"sub"}


def test_server_with_only_a_port_depends_on_every_subnet(load):
    rs = load(NET)
    assert rs.resources["srv_port_only"].implicit_depends_on == {"sub", "other_sub"}
    assert rs.resources["srv_net"].implicit_depends_on == {"other_sub"}


def test_floating_ip_depends_on_router_interface_and_gateway(load):
    rs = load(NET)
    assert rs.resources["fip"].implicit_depends_on == {"router", "iface", "gw"}
    assert rs.resources["gw"].implicit_depends_on == {"iface"}
    assert rs.creation_order[-1] == ["fip"]
    assert rs.deletion_order[0] == ["fip"]


def test_get_attr_of_an_attribute_the_type_lacks_is_an_error(load):
    text = """
        heat_template_version: 2013-05-23
        resources:
          r: {type: OS::Heat::RandomString}
        outputs:
          o: {value: {get_attr: [r, %s]}}
        """
    assert load(text % "value").outputs == {"o": {"get_attr": ["r", "value"]}}
    with pytest.raises(TemplateError, match=r"The Referenced Attribute \(r nope\) is incorrect"):
        load(text % "nope")


def test_resource_facade_in_a_provider_template(load, write):
    write("inner.yaml", """
        heat_template_version: 2013-05-23
        outputs:
          md: {value: {resource_facade: metadata}}
          dp: {value: {resource_facade: deletion_policy}}
        """)
    rs = load("""
        heat_template_version: 2013-05-23
        resources:
          r:
            type: inner.yaml
            metadata: {k: v}
            deletion_policy: Retain
        """)
    assert rs.resources["r"].nested.outputs == {"md": {"k": "v"}, "dp": "Retain"}


def test_os_heat_none_mapping_keeps_the_template_type(load, write):
    env = write("e.yaml", "resource_registry:\n  OS::Nova::Server: OS::Heat::None\n")
    rs = load("""
        heat_template_version: 2013-05-23
        resources:
          s: {type: OS::Nova::Server, properties: {anything: goes}}
        """, environment_files=[env])
    assert rs.resources["s"].type == "OS::Nova::Server"
    assert rs.resources["s"].properties == {"anything": "goes"}


def test_template_dict_of_the_caller_is_not_modified(write, tmp_path):
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    write("inner.yaml", "heat_template_version: 2013-05-23\n")
    template = {"heat_template_version": "2013-05-23", "resources": {"n": {"type": "inner.yaml"}}}
    rs = load_stack(template, allowed_roots=[str(tmp_path)])
    assert template["resources"]["n"]["type"] == "inner.yaml"
    assert rs.resources["n"].type == "file://" + str(tmp_path / "inner.yaml")


def test_hidden_values_of_nested_stacks_are_collected(load, write):
    write("inner.yaml", """
        heat_template_version: 2013-05-23
        parameters:
          secret: {type: string, hidden: true}
        """)
    rs = load("""
        heat_template_version: 2013-05-23
        resources:
          n: {type: inner.yaml, properties: {secret: s3cr3t-value}}
        """)
    assert "s3cr3t-value" in rs.hidden_values
    assert rs.resources["n"].nested.parameter_info()["secret"]["value"] == "******"


def test_parameter_groups_are_checked(load):
    text = """
        heat_template_version: 2013-05-23
        parameter_groups:
          - label: g
            parameters: [%s]
        parameters:
          a: {type: string, default: x}
        """
    assert load(text % "a").parameter_groups == [{"label": "g", "parameters": ["a"]}]
    with pytest.raises(TemplateError, match="does not reference a valid parameter"):
        load(text % "nope")


def test_hidden_json_parameter_values_are_all_redacted(load):
    rs = load("""
        heat_template_version: 2013-05-23
        parameters:
          creds: {type: json, hidden: true, default: {user: admin, password: hunter2, port: 5432}}
        """)
    assert {"admin", "hunter2", "5432"} <= rs.hidden_values


def test_depends_on_unknown_resource(load):
    with pytest.raises(TemplateError, match=r'The specified reference "ghost" \(in a\) is incorrect'):
        load("""
            heat_template_version: 2013-05-23
            resources:
              a: {type: OS::Heat::None, depends_on: [ghost]}
            """)


def test_cloud_backed_property_constraints_are_listed_as_skipped(load):
    rs = load("""
        heat_template_version: 2013-05-23
        resources:
          s: {type: OS::Nova::Server, properties: {image: img, flavor: m1.small}}
        """)
    skipped = [e for e in rs.skipped_constraints if e.get("resource") == "s"]
    assert {"constraint": "nova.flavor", "value": "m1.small"}.items() <= next(
        e for e in skipped if e["constraint"] == "nova.flavor").items()


ASSOC = """
heat_template_version: 2013-05-23
resources:
  net: {type: OS::Neutron::Net}
  sub: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.0.0.0/24}}
  router: {type: OS::Neutron::Router}
  iface: {type: OS::Neutron::RouterInterface, properties: {router: {get_resource: router}, subnet: {get_resource: sub}}}
  port_on_sub: {type: OS::Neutron::Port, properties: {network: {get_resource: net}, fixed_ips: [{subnet: {get_resource: sub}}]}}
  port_no_ips: {type: OS::Neutron::Port, properties: {network: {get_resource: net}}}
  fip: {type: OS::Neutron::FloatingIP, properties: {floating_network: public}}
  assoc: {type: OS::Neutron::FloatingIPAssociation, properties: {floatingip_id: {get_resource: fip}, port_id: {get_resource: port_on_sub}}}
  fip_no_ips: {type: OS::Neutron::FloatingIP, properties: {floating_network: public, port_id: {get_resource: port_no_ips}}}
"""


def test_floating_ip_association_depends_on_the_interface_of_its_ports_subnet(load):
    rs = load(ASSOC)
    assert rs.resources["assoc"].implicit_depends_on == {"iface"}


def test_floating_ip_on_a_port_without_fixed_ips_waits_for_no_known_interface(load):
    # Heat asks Neutron for the port's network here; offline (and before creation) that fails
    rs = load(ASSOC)
    assert rs.resources["fip_no_ips"].implicit_depends_on == set()


def test_server_on_a_network_known_only_after_creation_waits_for_every_subnet(load):
    rs = load("""
        heat_template_version: 2013-05-23
        resources:
          net: {type: OS::Neutron::Net}
          sub1: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.0.0.0/24}}
          sub2: {type: OS::Neutron::Subnet, properties: {network: other, cidr: 10.1.0.0/24}}
          srv:
            type: OS::Nova::Server
            properties: {image: i, flavor: f, networks: [{network: {get_attr: [net, name]}}]}
          srv_named: {type: OS::Nova::Server, properties: {image: i, flavor: f, networks: [{network: other}]}}
        """)
    assert rs.resources["srv"].implicit_depends_on == {"sub1", "sub2"}
    assert rs.resources["srv_named"].implicit_depends_on == {"sub2"}


def test_resolve_outputs_keeps_disabled_outputs_as_none(load):
    rs = load("""
        heat_template_version: 2016-10-14
        conditions:
          disabled: false
        resources:
          r: {type: OS::Heat::None}
        outputs:
          on_out: {value: {get_resource: r}}
          off_out: {value: {get_resource: r}, condition: disabled}
        """)

    class Runtime:
        def get_resource(self, name):
            return "uuid-" + name

        def get_attr(self, name, attr, *path):
            raise AssertionError("no attribute is needed")

    assert rs.resolve_outputs(Runtime()) == {"on_out": "uuid-r", "off_out": None}
    assert rs.outputs_unresolved == ["on_out"]
