"""Out-of-band helper for the integration target: drift, counting resources of stacks.

    sdk.py CLOUD rename-net STACK NAME NEW        rename the stack's network NAME to NEW
    sdk.py CLOUD rename-volume STACK LOGICAL NEW  rename the stack's volume LOGICAL to NEW
    sdk.py CLOUD count STACK                      how many of each type the stack owns
    sdk.py CLOUD leftovers STACK...               the same summed over the stacks (nested stacks
                                                  STACK/... included), plus key pairs and server
                                                  groups by their <stack>- names and the ports
                                                  (router interfaces, server ports) on their networks
"""

import json
import sys

import openstack

cloud, action, stack = sys.argv[1:4]
conn = openstack.connect(cloud=cloud)
tag = f"heatlike-stack={stack}"


def counts(stack: str) -> dict:
    tag = f"heatlike-stack={stack}"
    return {
        "networks": len(list(conn.network.networks(tags=tag))),
        "subnets": len(list(conn.network.subnets(tags=tag))),
        "ports": len(list(conn.network.ports(tags=tag))),
        "routers": len(list(conn.network.routers(tags=tag))),
        "security_groups": len(list(conn.network.security_groups(tags=tag))),
        "floating_ips": len(list(conn.network.ips(tags=tag))),
        "servers": sum(1 for s in conn.compute.servers() if (s.metadata or {}).get("heatlike_stack") == stack),
        "volumes": sum(1 for v in conn.block_storage.volumes()
                       if (v.metadata or {}).get("heatlike_stack") == stack),
        "server_groups": sum(1 for g in conn.compute.server_groups() if g.name.startswith(stack + "-")),
    }


def owned(marks: str | None, stacks: list) -> bool:
    return marks is not None and any(marks == s or marks.startswith(s + "/") for s in stacks)


def leftovers(stacks: list) -> dict:
    def tagged(items):
        return [i for i in items if any(owned(t.partition("=")[2], stacks) for t in i.tags or []
                                        if t.startswith("heatlike-stack="))]
    nets = tagged(conn.network.networks())
    net_ids = {n.id for n in nets}
    return {
        "networks": len(nets),
        "subnets": len(tagged(conn.network.subnets())),
        "ports": len(tagged(conn.network.ports())),
        "ports_on_stack_networks": sum(1 for p in conn.network.ports() if p.network_id in net_ids),
        "routers": len(tagged(conn.network.routers())),
        "security_groups": len(tagged(conn.network.security_groups())),
        "floating_ips": len(tagged(conn.network.ips())),
        "servers": sum(1 for s in conn.compute.servers() if owned((s.metadata or {}).get("heatlike_stack"), stacks)),
        "volumes": sum(1 for v in conn.block_storage.volumes()
                       if owned((v.metadata or {}).get("heatlike_stack"), stacks)),
        "server_groups": sum(1 for g in conn.compute.server_groups() if g.name.startswith(tuple(s + "-" for s in stacks))),
        "keypairs": sum(1 for k in conn.compute.keypairs() if k.name.startswith(tuple(s + "-" for s in stacks))),
    }


if action == "rename-net":
    net = next(iter(conn.network.networks(tags=tag, name=sys.argv[4])))
    conn.network.update_network(net, name=sys.argv[5])
    print(json.dumps({"renamed": net.id}))
elif action == "rename-volume":
    vol = next(v for v in conn.block_storage.volumes()
               if (v.metadata or {}).get("heatlike_stack") == stack and v.metadata.get("heatlike_resource") == sys.argv[4])
    conn.block_storage.update_volume(vol, name=sys.argv[5])
    print(json.dumps({"renamed": vol.id}))
elif action == "count":
    print(json.dumps(counts(stack)))
elif action == "leftovers":
    print(json.dumps(leftovers(sys.argv[3:])))
else:
    sys.exit(f"unknown action {action}")
