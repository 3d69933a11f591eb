"""Looks at the cloud through openstacksdk for the os_heatlike_stack_types target.

Usage: check.py CLOUD ADMIN_CLOUD COMMAND [ARGS...]; prints one JSON document.

  show STACK [SECTION...]   what the stack owns, found by its ownership marks
  exists KIND=ID...   {id: bool}; KIND is networks, servers, volumes, keypairs, server_groups,
                      rules or snapshots
  cleanup-volumes NAME...   delete these volumes and their snapshots (by name), wait until gone
  leftovers STACK... -- NAME...   how many of each type the stacks (and their nested stacks
                      STACK/...) still own, by every mark: tags, metadata, rule descriptions,
                      <stack>- names; plus ports on their networks and volumes or snapshots NAMEd
"""

import base64
import email
import json
import sys
import time

import openstack

cloud, admin_cloud, command, *args = sys.argv[1:]
conn = openstack.connect(cloud=cloud)


def _mime_text(data: str) -> str:
    """user_data with each MIME part decoded (cloud-init reads it that way)."""
    msg = email.message_from_string(data)
    if not msg.is_multipart():
        return data
    parts = [f"{p.get_content_type()}\n{p.get_payload(decode=True).decode()}" for p in msg.walk()
             if not p.is_multipart()]
    return f"{msg.get_content_type()}\n" + "\n".join(parts)


def show(stack: str, sections: list) -> dict:
    """What the stack owns, by section (all sections when none is named)."""
    tag = f"heatlike-stack={stack}"
    finders = {
        "networks": lambda: {n.name: n.id for n in conn.network.networks(tags=tag)},
        "group_nets": lambda: {n.name: n.id for n in conn.network.networks(tags=f"{tag}/nets")},
        "ports": lambda: {p.name: p.id for p in conn.network.ports(tags=tag)},
        "fips": lambda: {f.id: f.port_id for f in conn.network.ips(tags=tag)},
        "rules": lambda: {r.id: [r.protocol, r.port_range_min, r.port_range_max, r.remote_ip_prefix]
                          for r in conn.network.security_group_rules()
                          if (r.description or "").startswith(f"heatlike:{stack}/")},
        "keypairs": lambda: {k.name: {"fingerprint": k.fingerprint, "public_key": k.public_key}
                             for k in conn.compute.keypairs() if k.name.startswith("hlty-types")},
        "server_groups": lambda: {g.id: {"name": g.name, "policy": g.policy or (g.policies or [None])[0],
                                         "members": list(g.member_ids or [])}
                                  for g in conn.compute.server_groups() if g.name.startswith(stack)},
        "servers": lambda: _servers(stack),
        "volumes": lambda: {v.metadata["heatlike_resource"]: {"id": v.id, "name": v.name, "size": v.size,
                                                              "status": v.status, "bootable": v.is_bootable}
                            for v in conn.block_storage.volumes(details=True)
                            if (v.metadata or {}).get("heatlike_stack") == stack},
    }
    return {name: finders[name]() for name in sections or finders}


def _servers(stack: str) -> dict:
    servers = {}
    admin = None
    for srv in conn.compute.servers(details=True):
        if (srv.metadata or {}).get("heatlike_stack") != stack:
            continue
        admin = admin or openstack.connect(cloud=admin_cloud)
        full = admin.compute.get_server(srv.id)  # user_data needs admin (microversion 2.3)
        data = full.user_data
        servers[srv.metadata["heatlike_resource"]] = {
            "id": srv.id, "status": srv.status, "key_name": srv.key_name, "image": (srv.image or {}).get("id"),
            "volumes": sorted(v["id"] for v in srv.attached_volumes or []),
            "user_data": _mime_text(base64.b64decode(data).decode()) if data else None}
    return servers


def exists(pairs: list) -> dict:
    getters = {"networks": conn.network.get_network, "servers": conn.compute.get_server,
               "volumes": conn.block_storage.get_volume, "keypairs": conn.compute.get_keypair,
               "server_groups": conn.compute.get_server_group, "rules": conn.network.get_security_group_rule,
               "snapshots": conn.block_storage.get_snapshot}
    out = {}
    for pair in pairs:
        kind, _sep, ident = pair.partition("=")
        try:
            obj = getters[kind](ident)
            out[ident] = not (kind == "servers" and obj.status == "DELETED")
        except openstack.exceptions.NotFoundException:
            out[ident] = False
    return out


def volume_state(names: list) -> dict:
    """Volumes and snapshots with these names (metadata included)."""
    vols = [v for v in conn.block_storage.volumes(details=True) if v.name in names]
    snaps = [s for s in conn.block_storage.snapshots(details=True)
             if any(s.name and s.name.startswith(n) for n in names)]
    return {"volumes": {v.name: {"id": v.id, "status": v.status, "metadata": v.metadata or {}} for v in vols},
            "snapshots": {s.name: {"id": s.id, "status": s.status, "volume_id": s.volume_id} for s in snaps}}


def cleanup_volumes(names: list) -> dict:
    """Delete the snapshots, wait until they are gone, then delete the volumes."""
    state = volume_state(names)
    for snap in state["snapshots"].values():
        conn.block_storage.delete_snapshot(snap["id"], ignore_missing=True)
    for snap in state["snapshots"].values():
        for _attempt in range(120):
            if not exists([f"snapshots={snap['id']}"])[snap["id"]]:
                break
            time.sleep(0.5)
    for vol in state["volumes"].values():
        conn.block_storage.delete_volume(vol["id"], ignore_missing=True)
    for vol in state["volumes"].values():
        for _attempt in range(240):
            if not exists([f"volumes={vol['id']}"])[vol["id"]]:
                break
            time.sleep(0.5)
    return state


def leftovers(stacks: list, names: list) -> dict:
    """Counts of what is left of ``stacks`` (nested ones included) and of the named volumes."""
    def owned(mark: str | None) -> bool:
        return mark is not None and any(mark == s or mark.startswith(s + "/") for s in stacks)

    def tagged(items) -> list:
        return [i for i in items if any(owned(t.partition("=")[2]) for t in i.tags or []
                                        if t.startswith("heatlike-stack="))]

    prefixes = tuple(s + "-" for s in stacks)
    nets = tagged(conn.network.networks())
    net_ids = {n.id for n in nets}
    named = volume_state(names)
    return {
        "networks": len(nets),
        "subnets": len(tagged(conn.network.subnets())),
        "ports": len(tagged(conn.network.ports())),
        "ports_on_stack_networks": sum(1 for p in conn.network.ports() if p.network_id in net_ids),
        "routers": len(tagged(conn.network.routers())),
        "security_groups": len(tagged(conn.network.security_groups())),
        "security_group_rules": sum(1 for r in conn.network.security_group_rules()
                                    if owned((r.description or "").removeprefix("heatlike:").rpartition("/")[0])),
        "floating_ips": len(tagged(conn.network.ips())),
        "servers": sum(1 for s in conn.compute.servers() if owned((s.metadata or {}).get("heatlike_stack"))),
        "volumes": sum(1 for v in conn.block_storage.volumes() if owned((v.metadata or {}).get("heatlike_stack"))),
        "named_volumes": len(named["volumes"]),
        "named_snapshots": len(named["snapshots"]),
        "keypairs": sum(1 for k in conn.compute.keypairs() if k.name.startswith(prefixes)),
        "server_groups": sum(1 for g in conn.compute.server_groups() if g.name.startswith(prefixes)),
    }


if command == "show":
    print(json.dumps(show(args[0], args[1:])))
elif command == "exists":
    print(json.dumps(exists(args)))
elif command == "volumes":
    print(json.dumps(volume_state(args)))
elif command == "cleanup-volumes":
    print(json.dumps(cleanup_volumes(args)))
elif command == "leftovers":
    split = args.index("--") if "--" in args else len(args)
    print(json.dumps(leftovers(args[:split], args[split + 1:])))
else:
    sys.exit(f"unknown command {command}")
