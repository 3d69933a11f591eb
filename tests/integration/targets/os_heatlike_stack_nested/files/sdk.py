"""Out-of-band helper: the stack's marked Neutron resources, per (nested) stack name."""

import json
import sys

import openstack

cloud, stack = sys.argv[1:3]
conn = openstack.connect(cloud=cloud)
prefix = "heatlike-stack="
counts = {}
for kind, items in (("networks", conn.network.networks()), ("subnets", conn.network.subnets()),
                    ("ports", conn.network.ports())):
    for item in items:
        for tag in item.tags or []:
            name = tag[len(prefix):] if tag.startswith(prefix) else None
            if name is not None and (name == stack or name.startswith(stack + "/")):
                key = f"{name} {kind}"
                counts[key] = counts.get(key, 0) + 1
print(json.dumps(counts, sort_keys=True))
