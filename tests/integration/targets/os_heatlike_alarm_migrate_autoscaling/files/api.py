#!/usr/bin/env python
"""Independent checks of Neutron and Gnocchi for the autoscaling migration target (openstacksdk only).

Usage:
  api.py CLOUD ports STACK GROUP          ids of the ports marked as members of the group, as JSON
  api.py CLOUD measures RESOURCE METRIC   the metric's measures (refresh=true) as JSON
  api.py CLOUD delete-resource RESOURCE   delete an instance resource of Gnocchi
"""

from __future__ import annotations

import json
import sys

import openstack


def main() -> int:
    """Entry point."""
    cloud, action, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    conn = openstack.connect(cloud=cloud)
    metric = {"service_type": "metric"}
    if action == "ports":
        tag = f"heatlike-stack={args[0]}/{args[1]}"
        print(json.dumps(sorted(p.id for p in conn.network.ports(tags=tag))))
    elif action == "measures":
        response = conn.session.get(f"/v1/resource/instance/{args[0]}/metric/{args[1]}/measures",
                                    params={"refresh": "true"}, endpoint_filter=metric, raise_exc=False)
        print(json.dumps(response.json() if response.status_code == 200 else []))
    elif action == "delete-resource":
        conn.session.delete(f"/v1/resource/instance/{args[0]}", endpoint_filter=metric, raise_exc=False)
        print("{}")
    else:
        raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
