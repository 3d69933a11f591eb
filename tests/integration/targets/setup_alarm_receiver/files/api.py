#!/usr/bin/env python
"""Independent checks of Aodh, Gnocchi and Neutron for the alarm targets (openstacksdk only).

Usage:
  api.py CLOUD alarm ALARM_ID             the alarm as JSON, or {"status": 404, ...}
  api.py CLOUD alarms ALARM_ID...         {id: alarm or null (404)}, webhook passwords masked
  api.py CLOUD alarm-by-name NAME         the alarms of that name, as a JSON list
  api.py CLOUD create-alarm JSON          create an alarm from a JSON body, print it
  api.py CLOUD delete-alarms NAME...      delete every alarm with one of these names
  api.py CLOUD measures RESOURCE METRIC   the metric's measures (refresh=true) as JSON
  api.py CLOUD delete-resource RESOURCE   delete an instance resource of Gnocchi
  api.py CLOUD ports STACK GROUP          ids of the ports marked as members of the group, as JSON
"""

from __future__ import annotations

import json
import re
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
    elif action == "alarms":
        out = {}
        for alarm_id in args:
            response = session.get(f"/v2/alarms/{alarm_id}", endpoint_filter=alarming, raise_exc=False)
            if response.status_code == 404:
                out[alarm_id] = None
                continue
            response.raise_for_status()
            alarm = response.json()
            # the tests never need the webhook password: keep it out of the task output
            alarm["alarm_actions"] = [re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)
                                      for url in alarm.get("alarm_actions") or []]
            out[alarm_id] = alarm
        print(json.dumps(out))
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
    elif action == "ports":
        tag = f"heatlike-stack={args[0]}/{args[1]}"
        print(json.dumps(sorted(p.id for p in conn.network.ports(tags=tag))))
    else:
        raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
