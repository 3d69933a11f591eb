"""Out-of-band look at the servers and server groups of stacks, for the wait target.

    sdk.py CLOUD settled STACK...   polls until no server of the stacks is BUILD (at most 300 s)
    sdk.py CLOUD gone STACK...      polls until nothing of the stacks is left (at most 300 s)

Both print {"servers": [{id, status}], "server_groups": [names]} (servers marked in their
metadata, groups by their deterministic <stack>-<logical> names).
"""

import json
import sys
import time

import openstack

cloud, action, stacks = sys.argv[1], sys.argv[2], sys.argv[3:]
conn = openstack.connect(cloud=cloud)


def show() -> dict:
    return {
        "servers": [{"id": s.id, "status": s.status} for s in conn.compute.servers()
                    if (s.metadata or {}).get("heatlike_stack") in stacks],
        "server_groups": [g.name for g in conn.compute.server_groups()
                          if any(g.name.startswith(stack + "-") for stack in stacks)],
    }


def done(state: dict) -> bool:
    if action == "settled":
        return all(s["status"] != "BUILD" for s in state["servers"])
    return not state["servers"] and not state["server_groups"]


state = show()
deadline = time.monotonic() + 300
while not done(state) and time.monotonic() < deadline:
    time.sleep(2)
    state = show()
print(json.dumps(state))
