"""OS::Keystone::* handlers end to end through converge/destroy over an in-memory Keystone v3."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.services import keystone
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, converge, destroy
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_schema
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import keystone_tag, plain_tag
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

CANARY = "Canary-Ks-5v8W"
_seq = itertools.count(1)


class Resp:
    """A requests.Response look-alike (what openstacksdk's raise_from_response reads)."""

    def __init__(self, status: int, body: Any = None) -> None:
        self.status_code = status
        self._body = body
        self.content = b"" if body is None else json.dumps(body).encode()
        self.text = self.content.decode()
        self.headers = {"content-type": "application/json"}
        self.reason = "error" if status >= 400 else "OK"
        self.request = None
        self.url = "http://keystone/v3"

    def json(self) -> Any:
        return self._body


def err(status: int, message: str) -> Resp:
    return Resp(status, {"error": {"code": status, "message": message}})


class FakeKeystone:
    """Users, groups, roles, projects, domains, memberships and assignments; extras kept."""

    def __init__(self) -> None:
        default = {"id": "default", "name": "Default", "enabled": True}
        self.db: dict[str, dict[str, dict]] = {"users": {}, "groups": {}, "roles": {}, "projects": {},
                                               "domains": {"default": default}}
        self.members: set = set()       # (group id, user id)
        self.assignments: set = set()   # (actor kind, actor id, role, scope, target)
        self.admin = True
        self.calls: list[str] = []
        self.passwords: dict[str, str] = {}

    # ---- REST verbs ----------------------------------------------------------------
    def get(self, path: str, params: Any = None, **_: Any) -> Resp:
        return self._route("GET", path, None, params or {})

    def post(self, path: str, json: Any = None, **_: Any) -> Resp:  # noqa: A002 - requests' name
        return self._route("POST", path, json, {})

    def patch(self, path: str, json: Any = None, **_: Any) -> Resp:  # noqa: A002
        return self._route("PATCH", path, json, {})

    def put(self, path: str, json: Any = None, **_: Any) -> Resp:  # noqa: A002
        return self._route("PUT", path, json, {})

    def delete(self, path: str, **_: Any) -> Resp:
        return self._route("DELETE", path, None, {})

    def _route(self, method: str, path: str, body: Any, params: dict) -> Resp:
        self.calls.append(f"{method} {path}")
        if not self.admin:
            return err(403, "You are not authorized to perform the requested action: identity:x.")
        parts = path.strip("/").split("/")
        if parts == ["role_assignments"]:
            kind = "user" if "user.id" in params else "group"
            actor = params.get(f"{kind}.id")
            items = [{"role": {"id": r}, kind: {"id": a}, "scope": {s: {"id": t}}}
                     for (k, a, r, s, t) in sorted(self.assignments) if k == kind and a == actor]
            return Resp(200, {"role_assignments": items})
        if len(parts) == 6 and parts[4] == "roles":
            scope, target, actors, actor, _roles, role = parts
            key = (actors[:-1], actor, role, scope[:-1], target)
            if method == "PUT":
                if role not in self.db["roles"] or actor not in self.db[actors]:
                    return err(404, f"Could not find role: {role}.")
                self.assignments.add(key)
                return Resp(204)
            if key not in self.assignments:
                return err(404, "Could not find role assignment.")
            self.assignments.discard(key)
            return Resp(204)
        if len(parts) == 4 and parts[0] == "groups" and parts[2] == "users":
            key = (parts[1], parts[3])
            if method == "PUT":
                self.members.add(key)
            elif key in self.members:
                self.members.discard(key)
            else:
                return err(404, "not a member")
            return Resp(204)
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "groups":
            groups = [self.db["groups"][g] for g, u in sorted(self.members) if u == parts[1]]
            return Resp(200, {"groups": groups})
        coll = parts[0]
        member = coll[:-1]
        table = self.db[coll]
        if len(parts) == 1 and method == "GET":
            items = list(table.values())
            if "tags" in params:
                items = [o for o in items if set(params["tags"].split(",")) <= set(o.get("tags") or [])]
            return Resp(200, {coll: items})
        if len(parts) == 1 and method == "POST":
            obj = dict(body[member])
            if "password" in obj:
                pw = obj.pop("password")
            else:
                pw = None
            scope = obj.get("domain_id")
            if any(o["name"].lower() == obj["name"].lower() and o.get("domain_id") == scope for o in table.values()):
                return err(409, f"Conflict occurred attempting to store {member} - Duplicate entry.")
            obj["id"] = uuid.UUID(int=next(_seq)).hex
            if coll == "projects":
                obj.setdefault("parent_id", obj.get("domain_id"))
                obj.setdefault("tags", [])
                for tag in obj["tags"]:
                    if "/" in tag or "," in tag:
                        return err(400, "Invalid input for field 'tags'")
            if coll in ("users", "projects", "domains"):
                obj.setdefault("enabled", True)
            table[obj["id"]] = obj
            if pw is not None:
                self.passwords[obj["id"]] = pw
            return Resp(201, {member: obj})
        oid = parts[1]
        if oid not in table:
            return err(404, f"Could not find {member}: {oid}.")
        obj = table[oid]
        if method == "GET":
            return Resp(200, {member: obj})
        if method == "PATCH":
            change = dict(body[member])
            if "domain_id" in change and change["domain_id"] != obj.get("domain_id"):
                return err(400, "Cannot change Domain ID")
            if "password" in change:
                self.passwords[oid] = change.pop("password")
            obj.update(change)
            return Resp(200, {member: obj})
        if coll == "domains" and obj.get("enabled"):
            return err(403, "Cannot delete a domain that is enabled, please disable it first.")
        del table[oid]
        kind = member
        self.assignments = {a for a in self.assignments
                            if not ((a[0] == kind and a[1] == oid) or (kind == "role" and a[2] == oid)
                                    or (kind in ("project", "domain") and a[3] == kind and a[4] == oid))}
        self.members = {m for m in self.members if oid not in m}
        return Resp(204)

    # ---- find_* (the lookups keystone.find_id uses) -----------------------------------
    def _find(self, coll: str, value: str, domain_id: str | None = None) -> Any:
        self.calls.append(f"find {coll} {value}")
        if not self.admin:
            raise type("ForbiddenException", (Exception,), {"status_code": 403})("identity:list refused")
        table = self.db[coll]
        if value in table:
            return SimpleNamespace(id=value)
        for obj in table.values():
            if obj["name"] == value and (domain_id is None or obj.get("domain_id") == domain_id):
                return SimpleNamespace(id=obj["id"])
        return None

    def find_domain(self, value: str, ignore_missing: bool = True, **q: Any) -> Any:
        return self._find("domains", value) or (SimpleNamespace(id="default") if value == "Default" else None)

    def find_project(self, value: str, ignore_missing: bool = True, **q: Any) -> Any:
        return self._find("projects", value, q.get("domain_id"))

    def find_user(self, value: str, ignore_missing: bool = True, **q: Any) -> Any:
        return self._find("users", value, q.get("domain_id"))

    def find_group(self, value: str, ignore_missing: bool = True, **q: Any) -> Any:
        return self._find("groups", value, q.get("domain_id"))

    def find_role(self, value: str, ignore_missing: bool = True, **q: Any) -> Any:
        return self._find("roles", value, q.get("domain_id"))

    # ---- helpers for tests ---------------------------------------------------------
    def named(self, coll: str, name: str) -> dict:
        return next(o for o in self.db[coll].values() if o["name"] == name)

    def add(self, coll: str, name: str, **extra: Any) -> dict:
        obj = {"id": uuid.UUID(int=next(_seq)).hex, "name": name, "domain_id": "default", **extra}
        self.db[coll][obj["id"]] = obj
        return obj


@pytest.fixture
def ks() -> SimpleNamespace:
    fake = FakeKeystone()
    return SimpleNamespace(identity=fake, fake=fake)


def template(description: str = "ks test", enabled: bool = True, user_roles: bool = True,
             groups: bool = True, assignment: bool = True, extra_role: bool = False) -> dict:
    roles = [{"role": {"get_resource": "role"}, "project": {"get_resource": "project"}}]
    if extra_role:
        roles.append({"role": "reader", "project": {"get_resource": "project"}})
    res: dict[str, Any] = {
        "project": {"type": "OS::Keystone::Project",
                    "properties": {"description": description, "enabled": enabled, "tags": ["team-a"]}},
        "role": {"type": "OS::Keystone::Role", "properties": {"name": "ks-it-role"}},
        "group": {"type": "OS::Keystone::Group",
                  "properties": {"description": description,
                                 "roles": [{"role": "reader", "project": {"get_resource": "project"}}]}},
        "user": {"type": "OS::Keystone::User",
                 "properties": {"name": "ks-it-user", "password": {"get_param": "pw"}, "description": description,
                                "enabled": enabled, "default_project": {"get_resource": "project"},
                                "email": "it@example.org"}},
    }
    if groups:
        res["user"]["properties"]["groups"] = [{"get_resource": "group"}]
    if user_roles:
        res["user"]["properties"]["roles"] = roles
    if assignment:
        res["assign"] = {"type": "OS::Keystone::UserRoleAssignment",
                         "properties": {"user": "outsider",
                                        "roles": [{"role": {"get_resource": "role"}, "domain": "default"}]}}
        res["gassign"] = {"type": "OS::Keystone::GroupRoleAssignment",
                          "properties": {"group": {"get_resource": "group"},
                                         "roles": [{"role": "reader", "domain": "default"}]}}
    return {"heat_template_version": "2018-08-31",
            "parameters": {"pw": {"type": "string", "hidden": True}},
            "resources": res,
            "outputs": {"user_show": {"value": {"get_attr": ["user", "show"]}},
                        "project_name": {"value": {"get_attr": ["project", "name"]}}}}


def run(tmp_path: Any, conn: Any, state_dir: str, tmpl: dict, name: str = "ks", pw: str = CANARY,
        **opts: Any) -> Any:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tmpl))
    resolved = load_stack(str(path), parameters={"pw": pw}, stack_name=name)
    return converge(conn, name, resolved, Options(state_dir=state_dir, retry_base=0.0, **opts), Redactor())


def pids(result: Any) -> dict:
    return {n: r["physical_id"] for n, r in result["resources"].items()}


def state_text(state_dir: str) -> str:
    out = ""
    for entry in os.listdir(state_dir):
        with open(os.path.join(state_dir, entry)) as fh:
            out += fh.read()
    return out


@pytest.fixture
def world(ks: Any) -> Any:
    ks.fake.add("roles", "reader")
    ks.fake.add("users", "outsider")
    return ks


def test_create_marks_everything_grants_and_hides_the_password(tmp_path, world, state_dir):
    fake = world.fake
    result = run(tmp_path, world, state_dir, template(), diff=True)
    assert result.error is None, result.error
    assert {r["status"] for r in result["resources"].values()} == {"CREATE_COMPLETE"}
    user, group = fake.named("users", "ks-it-user"), fake.named("groups", "ks-group")
    role, project = fake.named("roles", "ks-it-role"), fake.named("projects", "ks-project")
    reader, outsider = fake.named("roles", "reader"), fake.named("users", "outsider")
    assert (user["heatlike_stack"], user["heatlike_resource"]) == ("ks", "user")
    assert (role["heatlike_stack"], group["heatlike_resource"]) == ("ks", "group")
    assert sorted(project["tags"]) == ["heatlike-res=project", "heatlike-stack=ks", "team-a"]
    assert user["default_project_id"] == project["id"] and fake.passwords[user["id"]] == CANARY
    assert (group["id"], user["id"]) in fake.members
    assert ("user", user["id"], role["id"], "project", project["id"]) in fake.assignments
    assert ("user", outsider["id"], role["id"], "domain", "default") in fake.assignments
    assert ("group", group["id"], reader["id"], "project", project["id"]) in fake.assignments
    assert ("group", group["id"], reader["id"], "domain", "default") in fake.assignments
    assert result["resources"]["assign"]["physical_id"] == f"{outsider['id']}:assign"
    assert result["outputs"]["project_name"] == "ks-project"
    assert "heatlike_stack" not in result["outputs"]["user_show"]
    assert CANARY not in json.dumps(result) and CANARY not in state_text(state_dir)
    assert result["diff"]["after"]["user"]["properties"]["password"] == "******"


def test_rerun_is_unchanged_and_password_is_never_drift(tmp_path, world, state_dir):
    first = run(tmp_path, world, state_dir, template())
    again = run(tmp_path, world, state_dir, template())
    assert again.error is None and again["changed"] is False and again["plan"] == []
    check = run(tmp_path, world, state_dir, template(), check_mode=True, diff=True)
    assert check["plan"] == [] and check["diff"] == {}
    assert pids(again) == pids(first)


def test_update_in_place_keeps_ids(tmp_path, world, state_dir):
    first = run(tmp_path, world, state_dir, template())
    upd = run(tmp_path, world, state_dir, template(description="changed", enabled=False))
    assert upd.error is None, upd.error
    actions = {p["resource"]: p["action"] for p in upd["plan"]}
    assert actions == {"project": "update", "group": "update", "user": "update"}
    assert pids(upd) == pids(first)
    user = world.fake.named("users", "ks-it-user")
    assert user["description"] == "changed" and user["enabled"] is False
    assert world.fake.named("projects", "ks-project")["enabled"] is False


def test_password_change_updates_user_and_stays_masked(tmp_path, world, state_dir):
    run(tmp_path, world, state_dir, template())
    new_pw = CANARY + "-2"
    plan = run(tmp_path, world, state_dir, template(), pw=new_pw, check_mode=True, diff=True)
    assert [(p["resource"], p["action"], p["changes"]) for p in plan["plan"]] == [("user", "update", ["password"])]
    assert plan["diff"]["after"]["user"]["password"] == "******" and new_pw not in json.dumps(plan)
    upd = run(tmp_path, world, state_dir, template(), pw=new_pw)
    uid = world.fake.named("users", "ks-it-user")["id"]
    assert world.fake.passwords[uid] == new_pw
    assert new_pw not in json.dumps(upd) and new_pw not in state_text(state_dir)


def test_removed_roles_and_groups_are_revoked_others_left_alone(tmp_path, world, state_dir):
    fake = world.fake
    run(tmp_path, world, state_dir, template(extra_role=True))
    user, group = fake.named("users", "ks-it-user"), fake.named("groups", "ks-group")
    reader, project = fake.named("roles", "reader"), fake.named("projects", "ks-project")
    foreign = ("user", user["id"], reader["id"], "domain", "default")
    fake.assignments.add(foreign)  # granted out of band: not the stack's
    upd = run(tmp_path, world, state_dir, template(groups=False, user_roles=False, assignment=False))
    assert upd.error is None, upd.error
    assert {(p["resource"], p["action"]) for p in upd["plan"]} == {
        ("user", "update"), ("assign", "delete"), ("gassign", "delete")}
    assert (group["id"], user["id"]) not in fake.members
    assert not [a for a in fake.assignments if a[1] == user["id"] and a != foreign]
    assert foreign in fake.assignments
    outsider = fake.named("users", "outsider")
    assert not [a for a in fake.assignments if a[1] == outsider["id"]]
    assert not [a for a in fake.assignments if a[0] == "group" and a[4] == "default"]
    assert ("group", group["id"], reader["id"], "project", project["id"]) in fake.assignments


def test_revoked_out_of_band_is_drift_and_repaired(tmp_path, world, state_dir):
    fake = world.fake
    run(tmp_path, world, state_dir, template())
    outsider = fake.named("users", "outsider")
    gone = next(a for a in fake.assignments if a[1] == outsider["id"])
    fake.assignments.discard(gone)
    plan = run(tmp_path, world, state_dir, template(), check_mode=True)
    assert [(p["resource"], p["action"], p.get("drift")) for p in plan["plan"]] == [("assign", "update", True)]
    run(tmp_path, world, state_dir, template())
    assert gone in fake.assignments


def test_lost_record_adopts_everything(tmp_path, world, state_dir):
    fake = world.fake
    first = run(tmp_path, world, state_dir, template())
    counts = {k: len(v) for k, v in fake.db.items()}
    for entry in os.listdir(state_dir):
        os.remove(os.path.join(state_dir, entry))
    mark = len(fake.calls)
    adopted = run(tmp_path, world, state_dir, template())
    assert adopted.error is None, adopted.error
    assert adopted["changed"] is False and adopted["plan"] == []
    assert pids(adopted) == pids(first)
    assert {k: len(v) for k, v in fake.db.items()} == counts
    assert not [c for c in fake.calls[mark:] if c.startswith(("POST", "PATCH", "PUT", "DELETE"))]


def test_destroy_deletes_all_and_revokes_assignments(tmp_path, world, state_dir):
    fake = world.fake
    run(tmp_path, world, state_dir, template())
    result = destroy(world, "ks", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert result.error is None, result.error
    assert not fake.db["users"].keys() - {fake.named("users", "outsider")["id"]}
    assert not fake.db["projects"] and not fake.db["groups"]
    assert [r["name"] for r in fake.db["roles"].values()] == ["reader"]
    assert not fake.assignments and not fake.members


def test_non_admin_fails_before_any_write_naming_the_resource(tmp_path, world, state_dir):
    world.fake.admin = False
    result = None
    with pytest.raises(CloudError) as info:
        result = run(tmp_path, world, state_dir, template(assignment=False))
    assert result is None
    msg = str(info.value)
    assert msg.startswith("resources.") and "OS::Keystone::" in msg and "admin cloud" in msg
    assert "HTTP 403" in msg and "\n" not in msg
    assert not [c for c in world.fake.calls if c.startswith(("POST", "PATCH", "PUT", "DELETE"))]


def test_name_taken_by_a_foreign_user_is_a_clear_error(tmp_path, world, state_dir):
    world.fake.add("users", "ks-it-user")
    result = run(tmp_path, world, state_dir, template(assignment=False))
    assert result.error and "resources.user (OS::Keystone::User): create failed" in result.error
    assert "already exists and is not this stack's" in result.error and "\n" not in result.error


def test_role_entry_needs_project_or_domain(tmp_path, world, state_dir):
    tmpl = template(assignment=False)
    tmpl["resources"]["group"]["properties"]["roles"] = [{"role": "reader"}]
    with pytest.raises(CloudError) as info:
        run(tmp_path, world, state_dir, tmpl)
    assert "Either project or domain must be specified for role reader" in str(info.value)
    assert str(info.value).startswith("resources.group")


def test_domain_is_disabled_then_deleted(tmp_path, ks, state_dir):
    tmpl = {"heat_template_version": "2018-08-31", "parameters": {"pw": {"type": "string"}},
            "resources": {"dom": {"type": "OS::Keystone::Domain", "properties": {"description": "d"}}}}
    created = run(tmp_path, ks, state_dir, tmpl)
    assert created.error is None and ks.fake.named("domains", "ks-dom")["heatlike_resource"] == "dom"
    assert run(tmp_path, ks, state_dir, tmpl)["changed"] is False
    gone = destroy(ks, "ks", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert gone.error is None and list(ks.fake.db["domains"]) == ["default"]


def test_project_tags_survive_keystone_tag_rules():
    for tag in ("heatlike-stack=a/b", "x,y", "100%", "plain"):
        encoded = keystone_tag(tag)
        assert "/" not in encoded and "," not in encoded and plain_tag(encoded) == tag


def test_schemas_keep_heat_names_and_update_flags():
    user = get_schema("OS::Keystone::User")
    assert user.properties["password"].update_allowed and user.properties["groups"].update_allowed
    for rtype in ("OS::Keystone::UserRoleAssignment", "OS::Keystone::GroupRoleAssignment"):
        assert get_schema(rtype) is not None
    assert get_schema("OS::Keystone::RoleAssignment") is None  # Heat has no such type


def test_find_id_takes_ids_as_is_and_explains_failures(ks):
    fake = ks.fake
    assert keystone.find_id(fake, "user", "0" * 32) == "0" * 32 and fake.calls == []
    with pytest.raises(keystone.KeystoneLookupError) as missing:
        keystone.find_id(fake, "group", "nope", domain="default")
    assert missing.value.status == 404 and "group 'nope' in domain 'default' not found" in str(missing.value)
    fake.admin = False
    with pytest.raises(keystone.KeystoneLookupError) as refused:
        keystone.find_id(fake, "role", "reader")
    assert refused.value.status == 403 and "refused" in str(refused.value)


def test_check_mode_on_a_new_stack_plans_creates_and_writes_nothing(tmp_path, world, state_dir):
    plan = run(tmp_path, world, state_dir, template(), check_mode=True, diff=True)
    assert plan.error is None and {p["action"] for p in plan["plan"]} == {"create"}
    assert len(plan["plan"]) == 6 and CANARY not in json.dumps(plan)
    assert not [c for c in world.fake.calls if c.startswith(("POST", "PATCH", "PUT", "DELETE"))]


def test_retain_keeps_the_user_and_drops_its_marks(tmp_path, world, state_dir):
    tmpl = template(assignment=False)
    tmpl["resources"]["user"]["deletion_policy"] = "Retain"
    run(tmp_path, world, state_dir, tmpl)
    gone = destroy(world, "ks", Options(state_dir=state_dir, retry_base=0.0), Redactor())
    assert gone.error is None, gone.error
    kept = world.fake.named("users", "ks-it-user")
    assert kept["heatlike_stack"] is None and not world.fake.db["projects"]
