"""Crash safety: kill -9 a create of a >= 20-resource stack at given points, rerun, count.

    python crash.py <cloud> <stack> <state_dir> <delay> [<delay> ...]

For each delay: start from nothing, start a create in a child process, SIGKILL it after
<delay> s, rerun to completion, then list the project: every resource the stack owns must
exist exactly once (no duplicates) and nothing marked or named for the stack may be left
over (no orphans). Prints one JSON document.
"""

import json
import os
import signal
import subprocess
import sys
import time

import openstack

HERE = os.path.dirname(os.path.abspath(__file__))
GROUPS = 3


def template():
    res = {"sg": {"type": "OS::Neutron::SecurityGroup",
                  "properties": {"rules": [{"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}]}},
           "sg2": {"type": "OS::Neutron::SecurityGroup"},  # rules come from SecurityGroupRule resources
           "router": {"type": "OS::Neutron::Router", "properties": {"external_gateway_info": {"network": "public"}}}}
    for g in range(GROUPS):
        p = f"g{g}_"
        res.update({
            p + "net": {"type": "OS::Neutron::Net"},
            p + "subnet": {"type": "OS::Neutron::Subnet",
                           "properties": {"network": {"get_resource": p + "net"}, "cidr": f"10.93.{g}.0/24"}},
            p + "ri": {"type": "OS::Neutron::RouterInterface",
                       "properties": {"router": {"get_resource": "router"}, "subnet": {"get_resource": p + "subnet"}}},
            p + "port": {"type": "OS::Neutron::Port",
                         "properties": {"network": {"get_resource": p + "net"},
                                        "fixed_ips": [{"subnet": {"get_resource": p + "subnet"}}],
                                        "security_groups": [{"get_resource": "sg"}]}},
            p + "rule": {"type": "OS::Neutron::SecurityGroupRule",
                         "properties": {"security_group": {"get_resource": "sg2"}, "protocol": "tcp",
                                        "port_range_min": 1000 + g, "port_range_max": 1000 + g}},
            p + "volume": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
            p + "server": {"type": "OS::Nova::Server",
                           "properties": {"image": "tiny", "flavor": "m1.tiny",
                                          "networks": [{"port": {"get_resource": p + "port"}}]}},
            p + "attach": {"type": "OS::Cinder::VolumeAttachment",
                           "properties": {"instance_uuid": {"get_resource": p + "server"},
                                          "volume_id": {"get_resource": p + "volume"}}},
        })
    return {"heat_template_version": "2018-08-31", "resources": res}


EXPECTED = {"networks": GROUPS, "subnets": GROUPS, "ports": GROUPS, "routers": 1, "security_groups": 2,
            "sg_rules": GROUPS, "servers": GROUPS, "volumes": GROUPS, "router_interfaces": GROUPS,
            "attachments": GROUPS}


def count(conn, stack):
    tag = f"heatlike-stack={stack}"
    routers = list(conn.network.routers(tags=tag))
    servers = [s for s in conn.compute.servers() if (s.metadata or {}).get("heatlike_stack") == stack]
    volumes = [v for v in conn.block_storage.volumes() if (v.metadata or {}).get("heatlike_stack") == stack]

    def unmarked(items):
        return sum(1 for i in items if (i.name or "").startswith(stack + "-") and tag not in (i.tags or []))

    unmarked_neutron = (unmarked(conn.network.networks()) + unmarked(conn.network.subnets())
                        + unmarked(conn.network.ports()) + unmarked(conn.network.routers())
                        + unmarked(conn.network.security_groups()))
    return {
        "networks": len(list(conn.network.networks(tags=tag))),
        "subnets": len(list(conn.network.subnets(tags=tag))),
        "ports": len(list(conn.network.ports(tags=tag))),
        "routers": len(routers),
        "security_groups": len(list(conn.network.security_groups(tags=tag))),
        "sg_rules": sum(1 for r in conn.network.security_group_rules()
                        if (r.description or "").startswith(f"heatlike:{stack}/")),
        "servers": len(servers),
        "volumes": len(volumes),
        "router_interfaces": sum(1 for r in routers for _p in conn.network.ports(
            device_id=r.id, device_owner="network:router_interface")),
        "attachments": sum(len(v.attachments or []) for v in volumes),
        "unmarked_neutron": unmarked_neutron,
        "unmarked_servers": sum(1 for s in conn.compute.servers() if (s.name or "").startswith(stack + "-")
                                and (s.metadata or {}).get("heatlike_stack") != stack),
    }


def child(cloud, stack, state_dir, action):
    sys.path.insert(0, os.environ["HEATLIKE_COLLECTIONS"])
    from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
    from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

    conn = openstack.connect(cloud=cloud)
    opts = Options(state_dir=state_dir, max_concurrency=8)
    if action == "absent":
        result = destroy(conn, stack, opts, Redactor())
    else:
        result = converge(conn, stack, load_stack(template(), stack_name=stack), opts, Redactor())
    print(json.dumps({"error": result.error, "changed": result["changed"],
                      "plan": [(p["resource"], p["action"]) for p in result["plan"]]}))
    return 0 if not result.error else 1


def run_child(cloud, stack, state_dir, action, kill_after=None):
    cmd = [sys.executable, __file__, "--child", cloud, stack, state_dir, action]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if kill_after is not None:
        try:
            out, err = proc.communicate(timeout=kill_after)
            return {"finished_before_kill": True, "rc": proc.returncode, "out": out[-500:]}
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {"killed": True}
    out, err = proc.communicate(timeout=900)
    doc = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": err[-800:]}
    doc["rc"] = proc.returncode
    return doc


def main():
    if sys.argv[1] == "--child":
        return child(*sys.argv[2:6])
    cloud, stack, state_dir = sys.argv[1:4]
    delays = [float(d) for d in sys.argv[4:]]
    conn = openstack.connect(cloud=cloud)
    report = {"points": [], "expected": EXPECTED}
    ok = True
    for delay in delays:
        clean = run_child(cloud, stack, state_dir, "absent")
        t0 = time.monotonic()
        killed = run_child(cloud, stack, state_dir, "present", kill_after=delay)
        rerun = run_child(cloud, stack, state_dir, "present")
        again = run_child(cloud, stack, state_dir, "present")
        counts = count(conn, stack)
        good = (rerun.get("rc") == 0 and again.get("rc") == 0 and not again.get("changed")
                and all(counts[k] == v for k, v in EXPECTED.items())
                and counts["unmarked_neutron"] == 0 and counts["unmarked_servers"] == 0)
        ok = ok and good
        report["points"].append({"delay": delay, "killed": killed.get("killed", False), "clean_rc": clean.get("rc"),
                                 "rerun_rc": rerun.get("rc"), "rerun_error": rerun.get("error"),
                                 "rerun_plan_size": len(rerun.get("plan") or []),
                                 "second_rerun_changed": again.get("changed"), "counts": counts, "ok": good,
                                 "seconds": round(time.monotonic() - t0, 1)})
    final = run_child(cloud, stack, state_dir, "absent")
    leftover = count(conn, stack)
    report["final_delete_rc"] = final.get("rc")
    report["leftover"] = leftover
    report["ok"] = ok and final.get("rc") == 0 and sum(leftover.values()) == 0
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
