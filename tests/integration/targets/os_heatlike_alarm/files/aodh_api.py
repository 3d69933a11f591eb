"""Independent check of Aodh's state for the integration target: GET one alarm via openstacksdk.

Usage: aodh_api.py CLOUD ALARM_ID -> prints the alarm as JSON, or {"status": 404}.
Uses openstacksdk's generic 'alarm' proxy, not the collection's code.
"""

import json
import sys

import openstack


def main() -> int:
    cloud, alarm_id = sys.argv[1], sys.argv[2]
    conn = openstack.connect(cloud=cloud)
    base = conn.alarm.get_endpoint().rstrip("/").removesuffix("/v2")
    response = conn.alarm.get(f"{base}/v2/alarms/{alarm_id}", raise_exc=False)
    if response.status_code == 404:
        print(json.dumps({"status": 404}))
        return 0
    response.raise_for_status()
    print(json.dumps(response.json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
