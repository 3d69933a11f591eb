"""Read a stack's resources straight from the APIs as one cloud (openstacksdk, not our code).

Usage: owned.py CLOUD STACK -> JSON {networks|subnets|ports: [{id, project_id}],
alarms: [{id, project_id, name}]} of the resources marked with the stack (tags; alarm names
``<STACK>-*``), as seen by CLOUD (the trustor).
"""

import json
import sys

import openstack


def main() -> int:
    cloud, stack = sys.argv[1:3]
    conn = openstack.connect(cloud=cloud)
    tag = f"heatlike-stack={stack}"
    out = {
        "networks": [{"id": n.id, "project_id": n.project_id} for n in conn.network.networks(tags=tag)],
        "subnets": [{"id": s.id, "project_id": s.project_id} for s in conn.network.subnets(tags=tag)],
        "ports": [{"id": p.id, "project_id": p.project_id} for p in conn.network.ports(tags=tag)],
    }
    base = conn.alarm.get_endpoint().rstrip("/")
    base = base[:-3] if base.endswith("/v2") else base
    response = conn.alarm.get(f"{base}/v2/alarms")
    response.raise_for_status()
    out["alarms"] = [{"id": a["alarm_id"], "project_id": a["project_id"], "name": a["name"]}
                     for a in response.json() if a["name"].startswith(stack + "-")]
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
