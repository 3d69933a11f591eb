"""Read (and seed) Swift through openstacksdk for the os_heatlike_stack_swift target.

Usage: sw.py CLOUD state PREFIX   -> JSON {"account": url, "containers": {name: headers}}
       sw.py CLOUD put CONTAINER OBJECT
       sw.py CLOUD empty PREFIX         (cleanup: delete the objects of the PREFIX containers)
Headers are lower-cased; only containers whose name starts with PREFIX are reported.
"""

from __future__ import annotations

import json
import sys

import openstack


def main() -> int:
    """Command line entry point."""
    cloud, cmd, *args = sys.argv[1:]
    conn = openstack.connect(cloud=cloud)
    store = conn.object_store
    if cmd == "put":
        store.upload_object(container=args[0], name=args[1], data=b"heatlike swift target\n")
        return 0
    if cmd == "empty":
        for container in store.containers(prefix=args[0]):
            for obj in list(store.objects(container.name)):
                store.delete_object(obj, container=container.name, ignore_missing=True)
        return 0
    out = {}
    for container in store.containers(prefix=args[0]):
        resp = store.request("/" + container.name, "HEAD", raise_exc=False)
        out[container.name] = {k.lower(): v for k, v in resp.headers.items()}
        out[container.name]["objects"] = [o.name for o in store.objects(container.name)]
    print(json.dumps({"account": store.get_endpoint(), "project": conn.current_project_id, "containers": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
