"""Out-of-band help for the duplicates target, straight from the APIs (openstacksdk).

  sdk.py CLOUD count STACK   every resource marked for STACK (and STACK/child, STACK/grp), per type and
                             logical name: {"<type>": {"<logical>": [ids]}}
  sdk.py CLOUD copy STACK    a second marked copy of every resource (what a second controller
                             with its own state_dir converging at the same moment creates)
  sdk.py CLOUD purge STACK   delete whatever is still marked (cleanup after a failure)
"""

import json
import sys
import time

import openstack

cloud, action, stack = sys.argv[1:4]
child = f"{stack}/child"
group = f"{stack}/grp"
PREFIX = {stack: "", child: "child/", group: "grp/"}  # owner stack -> how the plan names its resources
conn = openstack.connect(cloud=cloud)
ALARMING = {"service_type": "alarming", "interface": "public"}

NEUTRON = {  # type -> (list call, marked logical names)
    "OS::Neutron::Net": conn.network.networks,
    "OS::Neutron::Subnet": conn.network.subnets,
    "OS::Neutron::Port": conn.network.ports,
    "OS::Neutron::Router": conn.network.routers,
    "OS::Neutron::SecurityGroup": conn.network.security_groups,
    "OS::Neutron::FloatingIP": conn.network.ips,
}


def tags(owner: str, logical: str) -> list:
    return [f"heatlike-stack={owner}", f"heatlike-res={logical}"]


def marked(create, owner: str, logical: str, **body):
    """Create, then tag (this Neutron takes no tags in POST, as the engine finds out too)."""
    obj = create(**body)
    return conn.network.set_tags(obj, tags(owner, logical))


def alarms() -> list:
    return conn.session.get("/v2/alarms", endpoint_filter=ALARMING).json()


def count() -> dict:
    out = {}
    for rtype, lister in NEUTRON.items():
        for owner, prefix in PREFIX.items():
            for obj in lister(tags=f"heatlike-stack={owner}"):
                logical = next((t.split("=", 1)[1] for t in obj.tags if t.startswith("heatlike-res=")), "?")
                key = prefix + logical
                out.setdefault(rtype, {}).setdefault(key, []).append(obj.id)
    for srv in conn.compute.servers():
        if (srv.metadata or {}).get("heatlike_stack") == stack:
            out.setdefault("OS::Nova::Server", {}).setdefault(srv.metadata["heatlike_resource"], []).append(srv.id)
    for vol in conn.block_storage.volumes():
        if (vol.metadata or {}).get("heatlike_stack") == stack:
            out.setdefault("OS::Cinder::Volume", {}).setdefault(vol.metadata["heatlike_resource"], []).append(vol.id)
    for sgroup in conn.compute.server_groups():
        if sgroup.name == f"{stack}-server_group":
            out.setdefault("OS::Nova::ServerGroup", {}).setdefault("server_group", []).append(sgroup.id)
    for alarm in alarms():
        if alarm["name"] == f"{stack}-alarm":
            out.setdefault("OS::Aodh::EventAlarm", {}).setdefault("alarm", []).append(alarm["alarm_id"])
    return {t: {k: sorted(v) for k, v in names.items()} for t, names in out.items()}


def copy() -> dict:
    # Neutron and Nova keep created_at to the second: start the copies in a later second than
    # every original, so "the oldest" is well defined (this waits for the clock, not for progress)
    time.sleep(1.0 - time.time() % 1.0 + 0.05)
    net = marked(conn.network.create_network, stack, "net", name=f"{stack}-net")
    subnet = marked(conn.network.create_subnet, stack, "subnet", network_id=net.id, cidr="10.79.0.0/24",
                    ip_version=4)
    port = marked(conn.network.create_port, stack, "port", network_id=net.id, name=f"{stack}-port")
    child_port = marked(conn.network.create_port, child, "port", network_id=net.id, name=f"{stack}-child-port")
    member = marked(conn.network.create_port, group, "0", network_id=net.id, name=f"{stack}-grp-port-0")
    router = marked(conn.network.create_router, stack, "router", name=f"{stack}-router")
    secgroup = marked(conn.network.create_security_group, stack, "secgroup", name=f"{stack}-sg")
    public = conn.network.find_network("public", ignore_missing=False)
    fip = marked(conn.network.create_ip, stack, "fip", floating_network_id=public.id)
    sgroup = conn.compute.create_server_group(name=f"{stack}-server_group", policies=["anti-affinity"])
    image = conn.image.find_image("tiny", ignore_missing=False)
    flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
    server = conn.compute.create_server(name=f"{stack}-server", image_id=image.id, flavor_id=flavor.id,
                                        networks=[{"port": port.id}],
                                        metadata={"heatlike_stack": stack, "heatlike_resource": "server"})
    volume = conn.block_storage.create_volume(size=1, name=f"{stack}-volume",
                                              metadata={"heatlike_stack": stack, "heatlike_resource": "volume"})
    alarm = conn.session.post("/v2/alarms", endpoint_filter=ALARMING, json={
        "name": f"{stack}-alarm", "type": "event",
        "event_rule": {"event_type": "compute.instance.delete.end", "query": []}}).json()
    conn.compute.wait_for_server(server, wait=120)
    conn.block_storage.wait_for_status(volume, "available", wait=120)
    return {"net": net.id, "subnet": subnet.id, "port": port.id, "child/port": child_port.id, "grp/0": member.id,
            "router": router.id, "secgroup": secgroup.id, "fip": fip.id, "server_group": sgroup.id,
            "server": server.id, "volume": volume.id, "alarm": alarm["alarm_id"]}


def purge() -> dict:
    found = count()
    gone = 0
    for srv in found.get("OS::Nova::Server", {}).values():
        for sid in srv:
            conn.compute.delete_server(sid, ignore_missing=True)
            conn.compute.wait_for_delete(conn.compute.get_server(sid), wait=120)
            gone += 1
    order = ["OS::Aodh::EventAlarm", "OS::Neutron::FloatingIP", "OS::Cinder::Volume", "OS::Nova::ServerGroup",
             "OS::Neutron::Port", "OS::Neutron::Subnet", "OS::Neutron::Router", "OS::Neutron::SecurityGroup",
             "OS::Neutron::Net"]
    delete = {
        "OS::Aodh::EventAlarm": lambda i: conn.session.delete(f"/v2/alarms/{i}", endpoint_filter=ALARMING),
        "OS::Neutron::FloatingIP": lambda i: conn.network.delete_ip(i, ignore_missing=True),
        "OS::Cinder::Volume": lambda i: conn.block_storage.delete_volume(i, ignore_missing=True),
        "OS::Nova::ServerGroup": lambda i: conn.compute.delete_server_group(i, ignore_missing=True),
        "OS::Neutron::Port": lambda i: conn.network.delete_port(i, ignore_missing=True),
        "OS::Neutron::Subnet": lambda i: conn.network.delete_subnet(i, ignore_missing=True),
        "OS::Neutron::Router": lambda i: conn.network.delete_router(i, ignore_missing=True),
        "OS::Neutron::SecurityGroup": lambda i: conn.network.delete_security_group(i, ignore_missing=True),
        "OS::Neutron::Net": lambda i: conn.network.delete_network(i, ignore_missing=True),
    }
    for rtype in order:
        for ids in found.get(rtype, {}).values():
            for pid in ids:
                delete[rtype](pid)
                gone += 1
    return {"deleted": gone}


print(json.dumps({"count": count, "copy": copy, "purge": purge}[action]()))
