"""Out-of-band views of the target's servers and image, straight from the APIs."""

import base64
import json
import sys

import openstack

cloud, action = sys.argv[1:3]
conn = openstack.connect(cloud=cloud)
if action == "servers":
    # admin: Nova shows OS-EXT-SRV-ATTR:user_data (compute >= 2.3) to admins only
    stack = sys.argv[3]
    out = {"_count": 0}
    for srv in conn.compute.servers(all_projects=True):
        meta = srv.metadata or {}
        if meta.get("heatlike_stack") != stack:
            continue
        ifaces = list(conn.compute.server_interfaces(srv.id))
        out[meta.get("heatlike_resource")] = {
            "id": srv.id, "status": srv.status, "flavor": (srv.flavor or {}).get("original_name"),
            "image": (srv.image or {}).get("id"),
            "user_data": base64.b64decode(srv.user_data).decode() if srv.user_data else None,
            "networks": sorted(conn.network.get_network(i.net_id).name for i in ifaces),
        }
        out["_count"] += 1
    print(json.dumps(out))
elif action == "image-create":
    name = sys.argv[3]
    image = conn.image.find_image(name, ignore_missing=True)
    if image is None:
        image = conn.image.create_image(name=name, data=b"hlit second image\n".ljust(4096, b"\0"),
                                        disk_format="raw", container_format="bare", wait=True)
    print(json.dumps({"id": image.id}))
elif action == "image-delete":
    image = conn.image.find_image(sys.argv[3], ignore_missing=True)
    if image is not None:
        conn.image.delete_image(image)
    print(json.dumps({"deleted": image is not None}))
