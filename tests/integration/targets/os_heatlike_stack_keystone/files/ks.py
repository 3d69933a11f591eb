"""Out-of-band view of the Keystone objects of a stack (admin), and a password check.

ks.py CLOUD state STACK PREFIX   -> JSON: objects marked with STACK, objects named PREFIX-*,
                                    the user's groups and role assignments (role names)
ks.py CLOUD auth USER_ID PROJECT_ID -> JSON {"ok": bool}; the password comes on stdin
"""

import json
import sys

import openstack

cloud, action = sys.argv[1:3]
conn = openstack.connect(cloud=cloud)
idn = conn.identity


def rest(path, **params):
    return idn.get(path, params=params).json()


if action == "auth":
    user_id, project_id = sys.argv[3:5]
    auth = dict(conn.config.config["auth"])
    try:
        other = openstack.connect(auth_url=auth["auth_url"], user_id=user_id, password=sys.stdin.read().strip(),
                                  project_id=project_id, region_name=conn.config.region_name)
        other.authorize()
        print(json.dumps({"ok": True}))
    except Exception as exc:  # noqa: BLE001 - the outcome is the answer
        print(json.dumps({"ok": False, "error": type(exc).__name__}))
    sys.exit(0)

stack, prefix = sys.argv[3:5]
roles = {r["id"]: r["name"] for r in rest("/roles")["roles"]}
out = {"marked": {}, "named": {}}
for coll in ("users", "groups", "roles", "domains"):
    items = rest(f"/{coll}")[coll]
    out["marked"][coll] = sorted(o["heatlike_resource"] for o in items if o.get("heatlike_stack") == stack)
    out["named"][coll] = sorted(o["name"] for o in items if o["name"].startswith(prefix + "-"))
projects = rest("/projects", tags=f"heatlike-stack={stack}")["projects"]
out["marked"]["projects"] = sorted(t.split("=", 1)[1] for p in projects for t in p["tags"] if t.startswith("heatlike-res="))
out["named"]["projects"] = sorted(p["name"] for p in rest("/projects")["projects"] if p["name"].startswith(prefix + "-"))
users = [u for u in rest("/users")["users"] if u["name"] == f"{prefix}-user"]
if users:
    user = users[0]
    out["user"] = {k: user.get(k) for k in ("id", "enabled", "description", "email", "default_project_id")}
    out["user"]["groups"] = sorted(g["name"] for g in rest(f"/users/{user['id']}/groups")["groups"])
    out["user"]["roles"] = sorted(
        f"{roles.get(a['role']['id'])}@{a['scope']['project']['id']}"
        for a in rest("/role_assignments", **{"user.id": user["id"]})["role_assignments"] if "project" in a["scope"])
groups = [g for g in rest("/groups")["groups"] if g["name"] == f"{prefix}-group"]
if groups:
    out["group"] = {"id": groups[0]["id"], "description": groups[0].get("description"), "roles": sorted(
        f"{roles.get(a['role']['id'])}@{a['scope']['project']['id']}"
        for a in rest("/role_assignments", **{"group.id": groups[0]["id"]})["role_assignments"]
        if "project" in a["scope"])}
if projects:
    out["project"] = {k: projects[0].get(k) for k in ("id", "enabled", "description", "tags")}
print(json.dumps(out, sort_keys=True))
