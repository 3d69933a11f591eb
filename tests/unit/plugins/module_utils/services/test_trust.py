"""Unit tests of plugins/module_utils/keystone_trust.py over a faked Keystone.

The fake: A small in-memory Keystone trust API behind an openstacksdk-like connection.

Reproduces what the trust module relies on (Keystone 30): list omits roles, GET/DELETE of an
expired or used-up trust is 404, the unique constraint on (trustor, trustee, project,
impersonation, expires_at), roles the trustor lacks are "Could not find role", unknown trustee
is "Could not find user", delegated tokens cannot manage trusts, users are not listable by a
non-admin.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from types import SimpleNamespace

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.services import trust as kt
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, PropertyError

ROLES = {"member": "r-member", "reader": "r-reader", "admin": "r-admin", "heat_stack_owner": "r-hso"}


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status_code = status
        self.details = message


class FakeTrust(dict):
    """Looks like an openstacksdk Trust enough for trust_view (attribute access)."""

    def __getattr__(self, name):
        mapping = {"is_impersonation": "impersonation"}
        return self.get(mapping.get(name, name))


class FakeIdentity:
    def __init__(self, world: FakeKeystone):
        self.w = world

    def _live(self, trust: dict) -> bool:
        exp = trust.get("expires_at")
        if exp and dt.datetime.fromisoformat(exp.replace("Z", "+00:00")) <= self.w.now:
            return False
        return trust.get("remaining_uses") is None or trust["remaining_uses"] > 0

    def _check_delegated(self):
        if self.w.methods == ["application_credential"]:
            raise HttpError(403, "You are not authorized to perform the requested action: Delegated tokens cannot manage trusts.")

    def trusts(self, trustor_user_id=None, trustee_user_id=None):
        self._check_delegated()
        for trust in self.w.trusts.values():
            if trust["deleted"]:
                continue
            if trustor_user_id and trust["trustor_user_id"] != trustor_user_id:
                continue
            if trustee_user_id and trust["trustee_user_id"] != trustee_user_id:
                continue
            yield FakeTrust({k: v for k, v in trust.items() if k != "roles"})

    def get_trust(self, trust_id):
        self._check_delegated()
        trust = self.w.trusts.get(trust_id)
        if trust is None or trust["deleted"] or not self._live(trust):
            raise HttpError(404, f"Could not find trust: {trust_id}.")
        return FakeTrust({**trust, "roles": [{"id": ROLES[r], "name": r} for r in trust["roles"]]})

    def create_trust(self, **body):
        self._check_delegated()
        if body["trustor_user_id"] != self.w.user_id:
            raise HttpError(403, "The authenticated user should match the trustor")
        if body["trustee_user_id"] not in self.w.users.values():
            raise HttpError(404, f"Could not find user: {body['trustee_user_id']}.")
        names = []
        for role in body["roles"]:
            name = role.get("name") or {v: k for k, v in ROLES.items()}.get(role["id"])
            if name not in ROLES:
                raise HttpError(404, f"Could not find role: {role.get('name') or role.get('id')}.")
            if name not in self.w.held_roles:
                raise HttpError(404, f"Could not find role: {ROLES[name]}.")
            names.append(name)
        allow = body.get("allow_redelegation", False)
        if allow and body.get("remaining_uses") is not None:
            raise HttpError(400, "remaining_uses must not be set if redelegation is allowed")
        for other in self.w.trusts.values():
            if body.get("expires_at") is None:
                continue
            same = all(other[k] == body.get(k) for k in ("trustor_user_id", "trustee_user_id", "project_id"))
            same = same and (other["expires_at"] or "")[:19] == body["expires_at"][:19]  # MySQL: whole seconds
            if same and other["impersonation"] == body["is_impersonation"]:
                raise HttpError(409, "Conflict occurred attempting to store trust - Duplicate entry.")
        trust = {"id": uuid.uuid4().hex, "trustor_user_id": body["trustor_user_id"],
                 "trustee_user_id": body["trustee_user_id"], "project_id": body["project_id"],
                 "impersonation": body["is_impersonation"], "expires_at": body.get("expires_at"),
                 "remaining_uses": body.get("remaining_uses"),
                 "redelegation_count": (body.get("redelegation_count") or 3) if allow else 0,
                 "roles": names, "deleted": False}
        self.w.trusts[trust["id"]] = trust
        self.w.log.append(("create", trust["id"]))
        return self.get_trust(trust["id"])

    def delete_trust(self, trust_id, ignore_missing=True):
        self._check_delegated()
        trust = self.w.trusts.get(trust_id)
        if trust is None or trust["deleted"] or not self._live(trust):
            raise HttpError(404, f"Could not find trust: {trust_id}.")
        trust["deleted"] = True  # Keystone soft-deletes: the row still holds the unique key
        self.w.log.append(("delete", trust_id))

    def find_user(self, name, ignore_missing=True, **query):
        if not self.w.admin:
            raise HttpError(403, "You are not authorized to perform the requested action: identity:list_users.")
        uid = self.w.users.get(name)
        return SimpleNamespace(id=uid) if uid else None

    def find_domain(self, name, ignore_missing=True):
        return SimpleNamespace(id="default") if name in ("Default", "default") else None

    def find_project(self, name, ignore_missing=True):
        if not self.w.admin:
            raise HttpError(403, "You are not authorized to perform the requested action: identity:list_projects.")
        return SimpleNamespace(id="p-other") if name == "other" else None


class FakeAccess:
    def __init__(self, world):
        self.user_id = world.user_id
        self.project_id = world.project_id
        self.project_name = "demo"
        self.trust_id = None
        self.role_names = sorted(world.held_roles)
        self._data = {"token": {"methods": world.methods}}


class FakeAuth:
    def __init__(self, world):
        self.w = world

    def get_access(self, session):
        return FakeAccess(self.w)


class FakeKeystone:
    """The connection: ``.identity`` and ``.session.auth``."""

    def __init__(self, admin=False, methods=("password",)):
        self.now = dt.datetime.now(dt.timezone.utc)
        self.user_id = "u" * 32
        self.project_id = "d" * 32
        self.admin = admin
        self.methods = list(methods)
        self.held_roles = {"member", "reader"}
        self.users = {"alt": "a" * 32, "demo": self.user_id}
        self.trusts: dict[str, dict] = {}  # including soft-deleted ones (see live_ids)
        self.log: list[tuple[str, str]] = []
        self.identity = FakeIdentity(self)
        self.session = SimpleNamespace(auth=FakeAuth(self))
        self.config = SimpleNamespace(config={"auth": {}})

    def live_ids(self) -> list[str]:
        return [tid for tid, trust in self.trusts.items() if not trust["deleted"]]


# ============================================================ tests

ALT = "a" * 32


def run(ks, check_mode=False, **params):
    params.setdefault("state", "present")
    return kt.ensure_trust(kt.TrustService(ks), params, check_mode=check_mode, now=ks.now)


def later(ks, days=30):
    return (ks.now + dt.timedelta(days=days)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_create_then_rerun_is_unchanged():
    ks = FakeKeystone()
    first = run(ks, trustee=ALT, roles=["member"])
    assert first["changed"] and first["action"] == "create"
    assert first["trust"]["roles"] == ["member"] and first["trust"]["trustee_user_id"] == ALT
    again = run(ks, trustee=ALT, roles=["member"])
    assert not again["changed"] and again["trust_id"] == first["trust_id"]
    assert len(ks.live_ids()) == 1


def test_changed_roles_replace_create_first_then_delete_old_and_say_so():
    ks = FakeKeystone()
    old = run(ks, trustee=ALT, roles=["member"])["trust_id"]
    result = run(ks, trustee=ALT, roles=["member", "reader"])
    assert result["action"] == "replace" and result["deleted"] == [old]
    assert result["changes"] == ["roles"]
    assert "trusts are immutable" in result["msg"] and old in result["msg"]
    assert ks.live_ids() == [result["trust_id"]]
    assert [entry[0] for entry in ks.log] == ["create", "create", "delete"]


def test_changed_expiry_replaces():
    ks = FakeKeystone()
    run(ks, trustee=ALT, roles=["member"], expires_at=later(ks, 10))
    result = run(ks, trustee=ALT, roles=["member"], expires_at=later(ks, 20))
    assert result["action"] == "replace" and result["changes"] == ["expires_at"]
    assert len(ks.live_ids()) == 1


def test_same_expiry_other_roles_nudges_expiry_past_keystone_unique_constraint():
    ks = FakeKeystone()
    exp = later(ks)
    old = run(ks, trustee=ALT, roles=["member"], expires_at=exp)["trust_id"]
    result = run(ks, trustee=ALT, roles=["reader"], expires_at=exp)
    assert result["action"] == "replace" and result["deleted"] == [old]
    assert "expires_at moved 1 second(s) earlier" in result["msg"]
    assert kt.parse_time(result["trust"]["expires_at"]) == kt.parse_time(exp) - dt.timedelta(seconds=1)
    assert [entry[0] for entry in ks.log] == ["create", "create", "delete"]
    again = run(ks, trustee=ALT, roles=["reader"], expires_at=exp)
    assert not again["changed"]


def test_recreating_a_deleted_trust_with_the_same_expiry_works():
    ks = FakeKeystone()
    exp = later(ks)
    first = run(ks, trustee=ALT, roles=["member"], expires_at=exp)["trust_id"]
    run(ks, state="absent", id=first)
    result = run(ks, trustee=ALT, roles=["member"], expires_at=exp)
    assert result["action"] == "create" and result["trust_id"] != first


def test_expiry_slack_is_only_earlier_and_bounded():
    want = kt.parse_time("2030-01-01T00:00:00Z")
    assert kt._same_expiry(want, "2030-01-01T00:00:00.000000Z")
    assert kt._same_expiry(want, "2029-12-31T23:59:51.000000Z")
    assert not kt._same_expiry(want, "2029-12-31T23:59:50.000000Z")
    assert not kt._same_expiry(want, "2030-01-01T00:00:01.000000Z")
    assert not kt._same_expiry(want, None) and kt._same_expiry(None, None)


def test_expiry_in_the_past_is_a_clear_error():
    ks = FakeKeystone()
    with pytest.raises(PropertyError, match="expires_at: .* is in the past"):
        run(ks, trustee=ALT, roles=["member"], expires_at="2001-01-01T00:00:00Z")


def test_expires_at_offsets_compare_equal():
    ks = FakeKeystone()
    when = (ks.now + dt.timedelta(days=3)).replace(microsecond=0)
    run(ks, trustee=ALT, roles=["member"], expires_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    as_offset = when.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    assert not run(ks, trustee=ALT, roles=["member"], expires_at=as_offset)["changed"]


def test_bad_time_format_is_rejected():
    with pytest.raises(PropertyError, match="not an ISO 8601 time"):
        kt.parse_time("next tuesday")


def test_unknown_trustee_id_is_a_clear_error():
    ks = FakeKeystone()
    with pytest.raises(CloudError, match="trustee 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' not found"):
        run(ks, trustee="b" * 32, roles=["member"])


def test_trustee_by_name_without_user_listing_right_asks_for_the_id():
    ks = FakeKeystone(admin=False)
    with pytest.raises(CloudError, match="give the trustee's user id"):
        run(ks, trustee="alt", roles=["member"])


def test_trustee_by_name_as_admin():
    ks = FakeKeystone(admin=True)
    result = run(ks, trustee="alt", trustee_domain="Default", roles=["member"])
    assert result["trust"]["trustee_user_id"] == ALT
    with pytest.raises(CloudError, match="user 'nobody' in domain 'Default' not found"):
        run(ks, trustee="nobody", trustee_domain="Default", roles=["member"])


def test_role_the_trustor_lacks_is_a_clear_error():
    ks = FakeKeystone()
    with pytest.raises(CloudError) as err:
        run(ks, trustee=ALT, roles=["admin"])
    assert "not held by you (the trustor)" in str(err.value) and "a trust can only delegate" in str(err.value)
    assert ks.live_ids() == []


def test_application_credential_auth_is_refused_before_any_call():
    ks = FakeKeystone(methods=["application_credential"])
    with pytest.raises(CloudError, match="application credential"):
        run(ks, trustee=ALT, roles=["member"])
    assert ks.log == []


def test_keystone_delegated_token_refusal_is_explained():
    err = kt.explain(HttpError(403, "Delegated tokens cannot manage trusts."), "create trust")
    assert "refuses trust operations to delegated authentication" in str(err)


def test_check_mode_create_and_replace_do_not_write():
    ks = FakeKeystone()
    planned = run(ks, check_mode=True, trustee=ALT, roles=["member"])
    assert planned["changed"] and planned["action"] == "create" and ks.live_ids() == []
    run(ks, trustee=ALT, roles=["member"])
    snapshot = json.dumps(ks.trusts, sort_keys=True)
    planned = run(ks, check_mode=True, trustee=ALT, roles=["reader"])
    assert planned["action"] == "replace" and planned["changes"] == ["roles"]
    assert json.dumps(ks.trusts, sort_keys=True) == snapshot


def test_not_exclusive_keeps_other_trusts():
    ks = FakeKeystone()
    run(ks, trustee=ALT, roles=["member"])
    result = run(ks, trustee=ALT, roles=["reader"], exclusive=False)
    assert result["action"] == "create" and result["deleted"] == []
    assert len(ks.live_ids()) == 2


def test_absent_by_id_and_again_unchanged():
    ks = FakeKeystone()
    trust_id = run(ks, trustee=ALT, roles=["member"])["trust_id"]
    gone = run(ks, state="absent", id=trust_id)
    assert gone["changed"] and gone["deleted"] == [trust_id] and ks.live_ids() == []
    again = run(ks, state="absent", id=trust_id)
    assert not again["changed"] and "does not exist" in again["msg"]


def test_absent_by_fields_only_deletes_matching_trusts():
    ks = FakeKeystone()
    run(ks, trustee=ALT, roles=["member"], exclusive=False)
    keep = run(ks, trustee=ALT, roles=["reader"], exclusive=False)["trust_id"]
    result = run(ks, state="absent", trustee=ALT, roles=["member"])
    assert result["changed"] and len(result["deleted"]) == 1
    assert ks.live_ids() == [keep]
    assert run(ks, state="absent", trustee=ALT)["deleted"] == [keep]


def test_used_up_trust_is_ignored_and_replaced():
    ks = FakeKeystone()
    first = run(ks, trustee=ALT, roles=["member"], remaining_uses=2)
    ks.trusts[first["trust_id"]]["remaining_uses"] = 0
    result = run(ks, trustee=ALT, roles=["member"], remaining_uses=2)
    assert result["changed"] and result["action"] == "create" and result["trust_id"] != first["trust_id"]


def test_remaining_uses_with_redelegation_is_rejected():
    with pytest.raises(PropertyError, match="refuses remaining_uses"):
        kt.build_desired({"trustee": ALT, "roles": ["member"], "remaining_uses": 1, "allow_redelegation": True})


def test_redelegation_matches_on_count():
    ks = FakeKeystone()
    first = run(ks, trustee=ALT, roles=["member"], allow_redelegation=True, redelegation_count=2)
    assert first["trust"]["allow_redelegation"] and first["trust"]["redelegation_count"] == 2
    assert not run(ks, trustee=ALT, roles=["member"], allow_redelegation=True, redelegation_count=2)["changed"]
    assert not run(ks, trustee=ALT, roles=["member"], allow_redelegation=True)["changed"]
    assert run(ks, trustee=ALT, roles=["member"], allow_redelegation=True, redelegation_count=1)["changes"] == \
        ["redelegation_count"]


def test_result_never_contains_token_like_fields():
    ks = FakeKeystone()
    result = run(ks, trustee=ALT, roles=["member"])
    assert set(result["trust"]) == {"id", "trustor_user_id", "trustee_user_id", "project_id", "roles",
                                    "impersonation", "expires_at", "remaining_uses", "redelegation_count",
                                    "allow_redelegation", "redelegated_trust_id", "expired"}


def test_trust_info_lists_as_trustor_and_hides_expired_unless_asked():
    ks = FakeKeystone()
    live = run(ks, trustee=ALT, roles=["member"], exclusive=False)["trust_id"]
    dead = run(ks, trustee=ALT, roles=["reader"], exclusive=False, remaining_uses=1)["trust_id"]
    ks.trusts[dead]["remaining_uses"] = 0
    service = kt.TrustService(ks)
    assert [t["id"] for t in kt.trust_info(service)] == [live]
    everything = kt.trust_info(service, include_expired=True)
    assert {t["id"]: t["expired"] for t in everything} == {live: False, dead: True}
    assert kt.trust_info(service, trust_id=dead) == []


def test_authenticate_failure_with_trust_id_is_explained():
    class Unauthorized(Exception):
        http_status = 401

    class BadAuth:
        def get_access(self, session):
            raise Unauthorized("The request you have made requires authentication. (HTTP 401)")

    ks = FakeKeystone()
    ks.session.auth = BadAuth()
    ks.config.config["auth"]["trust_id"] = "t" * 32
    with pytest.raises(CloudError, match=r"authentication with trust t+ failed: the trust was deleted"):
        kt.authenticate(ks)
