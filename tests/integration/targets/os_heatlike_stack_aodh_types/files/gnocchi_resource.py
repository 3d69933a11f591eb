"""A Gnocchi resource with a ``cpu`` metric for the gnocchi_* alarms to point at.

Usage: gnocchi_resource.py CLOUD create NAME   -> JSON {resource_id, metric_id}
       gnocchi_resource.py CLOUD delete NAME   -> deletes the resources named NAME (JSON {deleted: n})
"""

import json
import uuid
import sys

import openstack


def main() -> int:
    cloud, action, name = sys.argv[1:4]
    conn = openstack.connect(cloud=cloud)

    def call(method: str, path: str, body: object = None):  # noqa: ANN202
        return conn.session.request(path, method, json=body, raise_exc=False,
                                    endpoint_filter={"service_type": "metric"})

    if action == "create":
        resp = call("POST", "/v1/resource/generic", {
            "id": f"{name}-{uuid.uuid4()}", "metrics": {"cpu": {"archive_policy_name": "low"}}})
        if resp.status_code != 201:
            raise SystemExit(f"gnocchi: {resp.status_code} {resp.text[:300]}")
        body = resp.json()
        print(json.dumps({"resource_id": body["id"], "original_resource_id": body.get("original_resource_id"),
                          "metric_id": body["metrics"]["cpu"]}))
    elif action == "delete":
        resp = call("POST", "/v1/search/resource/generic", {"like": {"original_resource_id": f"{name}-%"}})
        resp.raise_for_status()
        found = resp.json()
        for resource in found:
            call("DELETE", f"/v1/resource/generic/{resource['id']}")
        print(json.dumps({"deleted": len(found)}))
    else:
        raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
