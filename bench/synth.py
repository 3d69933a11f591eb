"""Deterministic synthetic HOT templates for the engine benchmark.

A template of ``n`` resources is built from *cells* of eight resources each (a network, a
subnet, two ports, a random string, a volume, a server and a volume attachment), padded with
extra random strings so the count is exactly ``n``.  Cells form chains of ``chain_length``
servers (each server reads the previous server's address), which gives a dependency depth of
about ten creation waves whatever ``n`` is.  Properties use ``get_param``, ``get_resource``,
``get_attr`` (with attribute paths), ``str_replace`` and ``list_join`` nested in each other,
and the ports and servers also get Heat's implicit edges (a port waits for the subnets of its
network, a server for the subnets of its networks).

Everything comes from ``random.Random(seed)``: the same ``(n, seed)`` gives byte-identical
YAML on every run and machine.

Command line: ``python bench/synth.py N [--seed S] [--out FILE]`` prints or writes a template.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from typing import Any

import yaml

try:  # the C emitter is only a speed-up; output is identical
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

#: Written unquoted, as real templates do (YAML reads it as a date, Heat accepts that).
TEMPLATE_VERSION = datetime.date(2018, 8, 31)
CELL_SIZE = 8
DEFAULT_CHAIN_LENGTH = 6

#: Values for the parameters that have no default (pass them to ``load_stack``).
PARAMETERS: dict[str, Any] = {
    "image": "cirros-0.6.2-x86_64-disk",
    "admin_pass": "s3cret-bench-pass",
}

#: Resource types a cell contains, in cell order.
CELL_TYPES: tuple[str, ...] = (
    "OS::Neutron::Net",
    "OS::Neutron::Subnet",
    "OS::Neutron::Port",
    "OS::Neutron::Port",
    "OS::Heat::RandomString",
    "OS::Cinder::Volume",
    "OS::Nova::Server",
    "OS::Cinder::VolumeAttachment",
)


def _parameters() -> dict[str, Any]:
    return {
        "prefix": {"type": "string", "default": "bench",
                   "constraints": [{"length": {"min": 1, "max": 32}},
                                   {"allowed_pattern": "[a-z][a-z0-9-]*"}]},
        "image": {"type": "string", "description": "Image for every server"},
        "flavor": {"type": "string", "default": "m1.small",
                   "constraints": [{"allowed_values": ["m1.tiny", "m1.small", "m1.medium"]}]},
        "key_name": {"type": "string", "default": "bench-key"},
        "volume_size": {"type": "number", "default": 1,
                        "constraints": [{"range": {"min": 1, "max": 1024}}]},
        "dns": {"type": "comma_delimited_list", "default": "192.0.2.53,198.51.100.53"},
        "admin_pass": {"type": "string", "hidden": True},
    }


def _cell(i: int, prev_server: str | None, rng: random.Random) -> dict[str, dict[str, Any]]:
    """The eight resources of cell ``i``; ``prev_server`` is the previous server of its chain."""
    net, subnet, port, vport = f"net_{i}", f"subnet_{i}", f"port_{i}", f"vport_{i}"
    rand, vol, server, attach = f"rand_{i}", f"vol_{i}", f"server_{i}", f"attach_{i}"
    cidr = f"10.{(i >> 8) & 255}.{i & 255}.0/24"
    metadata: dict[str, Any] = {"cell": str(i), "role": rng.choice(["web", "app", "db", "cache"]),
                                "spare_mac": {"get_attr": [port, "mac_address"]}}
    if prev_server is not None:
        metadata["upstream"] = {"get_attr": [prev_server, "first_address"]}
        metadata["upstream_net"] = {"get_attr": [prev_server, "networks", f"net_{i - 1}", 0]}
    user_data = {
        "str_replace": {
            "template": "#!/bin/sh\necho $NAME $ADDR $DISK > /etc/motd\nping -c1 $UP\n",
            "params": {
                "$NAME": {"list_join": ["-", [{"get_param": "prefix"}, "srv", str(i)]]},
                "$ADDR": {"get_attr": [vport, "fixed_ips", 0, "ip_address"]},
                "$DISK": {"list_join": [":", [{"get_resource": vol},
                                              {"get_attr": [rand, "value"]}]]},
                "$UP": ({"get_attr": [prev_server, "first_address"]}
                        if prev_server is not None else "127.0.0.1"),
            },
        }
    }
    return {
        net: {
            "type": "OS::Neutron::Net",
            "properties": {
                "name": {"list_join": ["-", [{"get_param": "prefix"}, "net", str(i)]]},
                "admin_state_up": True,
            },
        },
        subnet: {
            "type": "OS::Neutron::Subnet",
            "properties": {
                "network": {"get_resource": net},
                "cidr": cidr,
                "ip_version": 4,
                "enable_dhcp": rng.random() < 0.5,
                "dns_nameservers": {"get_param": "dns"},
            },
        },
        port: {
            "type": "OS::Neutron::Port",
            "properties": {
                "network": {"get_resource": net},
                "name": {"str_replace": {"template": "port-$I", "params": {"$I": str(i)}}},
            },
        },
        vport: {
            "type": "OS::Neutron::Port",
            "properties": {
                "network": {"get_resource": net},
                "fixed_ips": [{"subnet": {"get_resource": subnet}}],
                "name": {"list_join": ["-", [{"get_param": "prefix"}, "vport", str(i)]]},
            },
        },
        rand: {
            "type": "OS::Heat::RandomString",
            "properties": {"length": rng.randint(8, 32)},
        },
        vol: {
            "type": "OS::Cinder::Volume",
            "properties": {
                "size": {"get_param": "volume_size"},
                "name": {"list_join": ["-", ["vol", str(i), {"get_attr": [rand, "value"]}]]},
            },
        },
        server: {
            "type": "OS::Nova::Server",
            "properties": {
                "name": {"str_replace": {"template": "srv-$IDX-$RND",
                                         "params": {"$IDX": str(i),
                                                    "$RND": {"get_attr": [rand, "value"]}}}},
                "image": {"get_param": "image"},
                "flavor": {"get_param": "flavor"},
                "key_name": {"get_param": "key_name"},
                "admin_pass": {"get_param": "admin_pass"},
                "networks": [{"network": {"get_resource": net}}],
                "metadata": metadata,
                "user_data_format": "RAW",
                "user_data": user_data,
            },
        },
        attach: {
            "type": "OS::Cinder::VolumeAttachment",
            "properties": {
                "instance_uuid": {"get_resource": server},
                "volume_id": {"get_resource": vol},
                "mountpoint": rng.choice(["/dev/vdb", "/dev/vdc"]),
            },
        },
    }


def generate(n: int, seed: int = 0, *, chain_length: int = DEFAULT_CHAIN_LENGTH) -> dict[str, Any]:
    """Return a HOT template (a dict) with exactly ``n`` resources.

    The resource order in the mapping is shuffled (seeded) so the engine cannot lean on
    dict order; the same ``(n, seed, chain_length)`` always gives the same template.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if chain_length < 1:
        raise ValueError("chain_length must be >= 1")
    rng = random.Random(f"heatlike-bench-{seed}")
    resources: dict[str, dict[str, Any]] = {}
    cells = n // CELL_SIZE
    for i in range(cells):
        prev = f"server_{i - 1}" if i % chain_length else None
        resources.update(_cell(i, prev, rng))
    for j in range(n - cells * CELL_SIZE):
        resources[f"pad_{j}"] = {
            "type": "OS::Heat::RandomString",
            "properties": {"length": rng.randint(8, 64), "salt": {"get_param": "prefix"}},
        }
    names = list(resources)
    rng.shuffle(names)
    outputs: dict[str, Any] = {}
    for i in range(0, cells, max(1, chain_length)):
        last = min(i + chain_length, cells) - 1
        outputs[f"chain_{i}_tail"] = {
            "description": f"address of the last server of chain {i}",
            "value": {"get_attr": [f"server_{last}", "first_address"]},
        }
    outputs["prefix"] = {"value": {"str_replace": {"template": "stack $P",
                                                   "params": {"$P": {"get_param": "prefix"}}}}}
    if cells:
        outputs["volumes"] = {"value": {"list_join": [",", [{"get_resource": f"vol_{i}"}
                                                            for i in range(min(cells, 50))]]}}
    return {
        "heat_template_version": TEMPLATE_VERSION,
        "description": f"heatlike.cloud synthetic benchmark: {n} resources, seed {seed}",
        "parameter_groups": [{"label": "servers", "parameters": ["image", "flavor", "key_name"]}],
        "parameters": _parameters(),
        "resources": {name: resources[name] for name in names},
        "outputs": outputs,
    }


def dump(template: dict[str, Any]) -> str:
    """Serialize a template to YAML deterministically (key order kept, block style)."""
    return yaml.dump(template, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=120)


def write(path: str, n: int, seed: int = 0, *, chain_length: int = DEFAULT_CHAIN_LENGTH) -> int:
    """Write the template of ``n`` resources to ``path``; return its size in bytes."""
    data = dump(generate(n, seed, chain_length=chain_length)).encode("utf-8")
    with open(path, "wb") as handle:
        handle.write(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of resources")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chain-length", type=int, default=DEFAULT_CHAIN_LENGTH)
    parser.add_argument("--out", help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    if args.out:
        size = write(args.out, args.n, args.seed, chain_length=args.chain_length)
        print(f"{args.out}: {args.n} resources, {size} bytes")
    else:
        sys.stdout.write(dump(generate(args.n, args.seed, chain_length=args.chain_length)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
