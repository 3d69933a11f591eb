"""Read alarms straight from Aodh's API (openstacksdk session, not the collection's code).

Usage: aodh_get.py CLOUD ALARM_ID [ALARM_ID ...] -> JSON {id: alarm or null (404)}.
"""

import json
import re
import sys

import openstack


def main() -> int:
    conn = openstack.connect(cloud=sys.argv[1])
    base = conn.alarm.get_endpoint().rstrip("/")
    if base.endswith("/v2"):
        base = base[:-3]
    out = {}
    for alarm_id in sys.argv[2:]:
        response = conn.alarm.get(f"{base}/v2/alarms/{alarm_id}", raise_exc=False)
        if response.status_code == 404:
            out[alarm_id] = None
            continue
        response.raise_for_status()
        alarm = response.json()
        # the test never needs the webhook password: keep it out of the task output
        alarm["alarm_actions"] = [re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)
                                  for url in alarm.get("alarm_actions") or []]
        out[alarm_id] = alarm
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
