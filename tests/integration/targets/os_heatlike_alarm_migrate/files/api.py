#!/usr/bin/env python
"""Independent checks of Aodh and Gnocchi for the alarm migration target (openstacksdk only).

Usage:
  api.py CLOUD alarm ALARM_ID             the alarm as JSON, or {"status": 404}
  api.py CLOUD alarm-by-name NAME         the alarms of that name, as a JSON list
  api.py CLOUD create-alarm JSON          create an alarm from a JSON body, print it
  api.py CLOUD delete-alarms NAME...      delete every alarm with one of these names
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
    alarming = {"service_type": "alarming"}
    metric = {"service_type": "metric"}
    session = conn.session
    if action == "alarm":
        response = session.get(f"/v2/alarms/{args[0]}", endpoint_filter=alarming, raise_exc=False)
        if response.status_code != 200:
            print(json.dumps({"status": response.status_code, "body": response.text[:500]}))
        else:
            print(json.dumps(response.json()))
    elif action == "alarm-by-name":
        response = session.get("/v2/alarms", endpoint_filter=alarming,
                               params=[("q.field", "name"), ("q.op", "eq"), ("q.value", args[0])])
        print(json.dumps(response.json()))
    elif action == "create-alarm":
        print(json.dumps(session.post("/v2/alarms", endpoint_filter=alarming, json=json.loads(args[0])).json()))
    elif action == "delete-alarms":
        for alarm in session.get("/v2/alarms", endpoint_filter=alarming).json():
            if alarm["name"] in args:
                session.delete(f"/v2/alarms/{alarm['alarm_id']}", endpoint_filter=alarming, raise_exc=False)
        print("{}")
    elif action == "measures":
        response = session.get(f"/v1/resource/instance/{args[0]}/metric/{args[1]}/measures",
                               params={"refresh": "true"}, endpoint_filter=metric, raise_exc=False)
        print(json.dumps(response.json() if response.status_code == 200 else []))
    elif action == "delete-resource":
        session.delete(f"/v1/resource/instance/{args[0]}", endpoint_filter=metric, raise_exc=False)
        print("{}")
    else:
        raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
