"""Side-by-side benchmark: the same template through real Heat and through os_heatlike_stack.

Deploys a small (7 resources) and a larger (60 resources, several waves) template on the
devcloud, both ways, and prints wall times of create, no-op rerun and delete, the ratio
heatlike/Heat, and the number of API requests of heatlike's no-op rerun (versus
2 x resource types + authentication).

    source /tmp/devcloud-ready   # exports OS_CLIENT_CONFIG_FILE
    .venv/bin/python bench/stack_vs_heat.py [--cloud devcloud] [--sizes small,large] [--repeat 1]

The heatlike side runs the engine in-process (what the module runs), with a fresh
openstacksdk connection per phase, like one Ansible task each.
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _import_collection() -> None:
    tree = os.path.join(tempfile.gettempdir(), "heatlike-bench-coll")
    link = os.path.join(tree, "ansible_collections", "heatlike", "cloud")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    sys.path.insert(0, tree)


_import_collection()

import openstack  # noqa: E402

from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy  # noqa: E402
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor  # noqa: E402
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack  # noqa: E402


class RequestCounter(logging.Handler):
    """Counts HTTP requests logged by keystoneauth (one ``REQ:`` line per request)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.auth = 0

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith("REQ: curl"):
            self.count += 1
            if "/auth/tokens" in msg or "/v3 " in msg or msg.rstrip().endswith("/v3"):
                self.auth += 1


def small_template() -> dict:
    """7 resources: security group, net, subnet, port, server, volume, attachment."""
    return {
        "heat_template_version": "2018-08-31",
        "parameters": {"image": {"type": "string", "default": "tiny"},
                       "flavor": {"type": "string", "default": "m1.tiny"}},
        "resources": {
            "sg": {"type": "OS::Neutron::SecurityGroup",
                   "properties": {"rules": [{"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}]}},
            "net": {"type": "OS::Neutron::Net"},
            "subnet": {"type": "OS::Neutron::Subnet",
                       "properties": {"network": {"get_resource": "net"}, "cidr": "10.91.0.0/24"}},
            "port": {"type": "OS::Neutron::Port",
                     "properties": {"network": {"get_resource": "net"},
                                    "security_groups": [{"get_resource": "sg"}]}},
            "server": {"type": "OS::Nova::Server",
                       "properties": {"image": {"get_param": "image"}, "flavor": {"get_param": "flavor"},
                                      "networks": [{"port": {"get_resource": "port"}}]}},
            "volume": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
            "attach": {"type": "OS::Cinder::VolumeAttachment",
                       "properties": {"instance_uuid": {"get_resource": "server"},
                                      "volume_id": {"get_resource": "volume"}}},
        },
        "outputs": {"ip": {"value": {"get_attr": ["port", "fixed_ips", 0, "ip_address"]}}},
    }


def large_template(groups: int = 6) -> dict:
    """10 resources per group (net, subnet, sg, rule, 2 ports, server, volume, attachment, random)."""
    tmpl = small_template()
    res: dict = {}
    for g in range(groups):
        p = f"g{g}_"
        res.update({
            p + "sg": {"type": "OS::Neutron::SecurityGroup"},
            p + "rule": {"type": "OS::Neutron::SecurityGroupRule",
                         "properties": {"security_group": {"get_resource": p + "sg"}, "protocol": "tcp",
                                        "port_range_min": 80, "port_range_max": 80}},
            p + "net": {"type": "OS::Neutron::Net"},
            p + "subnet": {"type": "OS::Neutron::Subnet",
                           "properties": {"network": {"get_resource": p + "net"}, "cidr": f"10.92.{g}.0/24"}},
            p + "port": {"type": "OS::Neutron::Port",
                         "properties": {"network": {"get_resource": p + "net"},
                                        "security_groups": [{"get_resource": p + "sg"}]}},
            p + "port2": {"type": "OS::Neutron::Port", "properties": {"network": {"get_resource": p + "net"}}},
            p + "server": {"type": "OS::Nova::Server",
                           "properties": {"image": {"get_param": "image"}, "flavor": {"get_param": "flavor"},
                                          "networks": [{"port": {"get_resource": p + "port"}},
                                                       {"port": {"get_resource": p + "port2"}}]}},
            p + "volume": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
            p + "attach": {"type": "OS::Cinder::VolumeAttachment",
                           "properties": {"instance_uuid": {"get_resource": p + "server"},
                                          "volume_id": {"get_resource": p + "volume"}}},
            p + "secret": {"type": "OS::Heat::RandomString"},
        })
    tmpl["resources"] = res
    tmpl["outputs"] = {}
    return tmpl


def heat_run(cloud: str, name: str, template: dict) -> dict:
    """Create, no-op update, delete through the Heat API; wall times in seconds."""
    conn = openstack.connect(cloud=cloud)
    orch = conn.orchestration

    def wait(stack_id: str, done: str, gone_ok: bool = False) -> None:
        while True:
            try:
                stack = orch.get_stack(stack_id)
            except openstack.exceptions.NotFoundException:
                if gone_ok:
                    return
                raise
            if stack is None and gone_ok:
                return
            status = stack.status
            if status == done:
                return
            if status.endswith("FAILED"):
                raise RuntimeError(f"heat {name}: {status}: {stack.status_reason}")
            time.sleep(0.5)

    times = {}
    old = orch.find_stack(name, ignore_missing=True)
    if old is not None:  # leftover of an interrupted benchmark
        orch.delete_stack(old)
        wait(old.id, "DELETE_COMPLETE", gone_ok=True)
    t0 = time.monotonic()
    stack = orch.create_stack(name=name, template=template, parameters={}, timeout_mins=30)
    wait(stack.id, "CREATE_COMPLETE")
    times["create"] = time.monotonic() - t0
    t0 = time.monotonic()
    resp = orch.put(f"/stacks/{name}/{stack.id}", json={"template": template, "parameters": {}})
    if resp.status_code >= 400:
        raise RuntimeError(f"heat update of {name}: HTTP {resp.status_code}: {resp.text[:300]}")
    time.sleep(0.5)
    wait(stack.id, "UPDATE_COMPLETE")
    times["noop"] = time.monotonic() - t0
    t0 = time.monotonic()
    orch.delete_stack(stack)
    wait(stack.id, "DELETE_COMPLETE", gone_ok=True)
    times["delete"] = time.monotonic() - t0
    return times


def heatlike_run(cloud: str, name: str, template: dict, state_dir: str, concurrency: int) -> dict:
    """Create, no-op rerun (with its API request count), delete through the engine."""
    counter = RequestCounter()
    ks_log = logging.getLogger("keystoneauth")
    ks_log.setLevel(logging.DEBUG)
    ks_log.addHandler(counter)
    opts = Options(state_dir=state_dir, max_concurrency=concurrency)
    times: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        import yaml

        path = os.path.join(tmp, "t.yaml")
        with open(path, "w") as fh:
            yaml.safe_dump(template, fh)
        for phase in ("create", "noop", "delete"):
            conn = openstack.connect(cloud=cloud)
            counter.count = counter.auth = 0
            t0 = time.monotonic()
            if phase == "delete":
                result = destroy(conn, name, opts, Redactor())
            else:
                resolved = load_stack(path, stack_name=name)
                result = converge(conn, name, resolved, opts, Redactor())
            times[phase] = time.monotonic() - t0
            if result.error:
                raise RuntimeError(f"heatlike {name} {phase}: {result.error}")
            if phase == "noop":
                times["noop_changed"] = result["changed"]
                times["noop_requests"] = counter.count
                times["noop_auth_requests"] = counter.auth
            conn.close()
    ks_log.removeHandler(counter)
    return times


def main() -> int:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--cloud", default="devcloud")
    ap.add_argument("--sizes", default="small,large")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--skip-heat", action="store_true")
    args = ap.parse_args()
    templates = {"small": small_template(), "large": large_template()}
    state_dir = tempfile.mkdtemp(prefix="heatlike-bench-")
    rows = []
    for size in args.sizes.split(","):
        tmpl = templates[size]
        types = len({r["type"] for r in tmpl["resources"].values()})
        n = len(tmpl["resources"])
        heat = None if args.skip_heat else heat_run(args.cloud, f"bench-heat-{size}", copy.deepcopy(tmpl))
        ours = heatlike_run(args.cloud, f"bench-hl-{size}", tmpl, state_dir, args.concurrency)
        rows.append((size, n, types, heat, ours))
    print(f"{'template':8} {'res':>4} {'types':>5} {'phase':7} {'heat s':>8} {'heatlike s':>10} {'ratio':>6}")
    for size, n, types, heat, ours in rows:
        for phase in ("create", "noop", "delete"):
            h = heat[phase] if heat else float("nan")
            print(f"{size:8} {n:4d} {types:5d} {phase:7} {h:8.2f} {ours[phase]:10.2f} {ours[phase] / h:6.2f}")
        budget = 2 * types
        print(f"{size:8} no-op rerun: changed={ours['noop_changed']} API requests={ours['noop_requests']} "
              f"(auth {ours['noop_auth_requests']}; budget 2 x {types} types + auth = {budget} + auth)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
