"""Out-of-band helper for the integration target: drift, counting resources of a stack."""

import json
import sys

import openstack

cloud, action, stack = sys.argv[1:4]
conn = openstack.connect(cloud=cloud)
tag = f"heatlike-stack={stack}"
if action == "rename-net":
    net = next(iter(conn.network.networks(tags=tag, name=sys.argv[4])))
    conn.network.update_network(net, name=sys.argv[5])
    print(json.dumps({"renamed": net.id}))
elif action == "count":
    counts = {
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
    print(json.dumps(counts))
