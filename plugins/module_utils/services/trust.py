"""Keystone trusts: desired-vs-current matching and replace-on-change over openstacksdk.

Pure Python (no Ansible import). Used by the ``os_heatlike_trust`` modules and meant to
be reused by stack handlers that need deferred credentials (autoscaling).

Facts encoded here (Keystone 30, API v3 ``/OS-TRUST``): trusts are immutable and nameless;
the trustor must be the caller; the list call omits roles (a GET per trust fills them);
expired or used-up trusts are still listed but answer 404 to GET and DELETE; Keystone
forbids two live trusts with the same trustor, trustee, project, impersonation and (non-null)
expiry; delegated tokens (application credentials, OAuth1, EC2) cannot manage trusts;
``allow_redelegation`` is not stored - a trust is redelegatable when its
``redelegation_count`` is above 0; ``remaining_uses`` must not be set with redelegation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError, PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.ids import looks_like_id
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import status_of
from ansible_collections.heatlike.cloud.plugins.module_utils.services.keystone import KeystoneLookupError, error_detail, find_id


# ---------------------------------------------------------------- time


def parse_time(value: Any, where: str = "expires_at") -> dt.datetime | None:
    """Parse an ISO 8601 time (``Z`` or offset; naive means UTC) into an aware UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise PropertyError(f"{where}: '{value}' is not an ISO 8601 time (e.g. 2030-01-31T12:00:00Z)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def format_time(value: dt.datetime | None) -> str | None:
    """Keystone's own form: ``2030-01-31T12:00:00.000000Z``."""
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# ---------------------------------------------------------------- desired / current


def build_desired(params: Mapping[str, Any], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Validate module options into a desired trust (names not yet resolved to ids).

    Keys: ``trustee``, ``trustee_domain``, ``project``, ``roles`` (sorted, unique),
    ``impersonation``, ``expires_at`` (aware datetime or None), ``remaining_uses``,
    ``allow_redelegation``, ``redelegation_count``.
    """
    now = now or _utcnow()
    trustee = params.get("trustee")
    if not trustee:
        raise PropertyError("trustee: is required (a user name or id)")
    roles = params.get("roles")
    if not roles or isinstance(roles, str):
        raise PropertyError("roles: give the exact list of roles to delegate (at least one)")
    role_list = sorted({str(role) for role in roles})
    expires_at = parse_time(params.get("expires_at"))
    if expires_at is not None and expires_at <= now:
        raise PropertyError(f"expires_at: {format_time(expires_at)} is in the past; an expired trust"
                            " cannot be created or used")
    remaining_uses = params.get("remaining_uses")
    if remaining_uses is not None:
        remaining_uses = int(remaining_uses)
        if remaining_uses <= 0:
            raise PropertyError("remaining_uses: must be a positive integer (omit it for unlimited uses)")
    allow = bool(params.get("allow_redelegation"))
    count = params.get("redelegation_count")
    if count is not None:
        count = int(count)
        if count < 0:
            raise PropertyError("redelegation_count: must not be negative")
        if not allow and count > 0:
            raise PropertyError("redelegation_count: only meaningful with allow_redelegation: true")
    if allow and remaining_uses is not None:
        raise PropertyError("remaining_uses: Keystone refuses remaining_uses on a trust that allows redelegation")
    if allow and count == 0:
        allow, count = False, None
    return {
        "trustee": str(trustee),
        "trustee_domain": params.get("trustee_domain"),
        "project": params.get("project"),
        "roles": role_list,
        "impersonation": bool(params.get("impersonation")),
        "expires_at": expires_at,
        "remaining_uses": remaining_uses,
        "allow_redelegation": allow,
        "redelegation_count": count if allow else None,
    }


def trust_view(trust: Any, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Plain dict of a trust (openstacksdk ``Trust`` or API dict): never a token or secret."""
    def get(*names: str) -> Any:
        for name in names:
            value = trust.get(name) if isinstance(trust, Mapping) else getattr(trust, name, None)
            if value is not None:
                return value
        return None

    now = now or _utcnow()
    expires = parse_time(get("expires_at"))
    roles = get("roles")
    count = get("redelegation_count")
    remaining = get("remaining_uses")
    return {
        "id": get("id"),
        "trustor_user_id": get("trustor_user_id"),
        "trustee_user_id": get("trustee_user_id"),
        "project_id": get("project_id"),
        "roles": None if roles is None else sorted(str(r.get("name") or r.get("id")) for r in roles),
        "role_ids": None if roles is None else sorted(str(r.get("id")) for r in roles if r.get("id")),
        "impersonation": bool(get("impersonation", "is_impersonation")),
        "expires_at": format_time(expires),
        "remaining_uses": remaining,
        "redelegation_count": count,
        "allow_redelegation": bool(count and count > 0),
        "redelegated_trust_id": get("redelegated_trust_id"),
        "expired": bool((expires is not None and expires <= now) or (remaining is not None and remaining <= 0)),
    }


def mismatches(desired: Mapping[str, Any], view: Mapping[str, Any], trustee_id: str, project_id: str) -> list[str]:
    """Fields of a (live) trust that differ from the desired one; empty list = match."""
    out = []
    if view["trustee_user_id"] != trustee_id:
        out.append("trustee")
    if view["project_id"] != project_id:
        out.append("project")
    if view["roles"] is None or (desired["roles"] != view["roles"] and desired["roles"] != view["role_ids"]):
        out.append("roles")
    if desired["impersonation"] != view["impersonation"]:
        out.append("impersonation")
    if not _same_expiry(desired["expires_at"], view["expires_at"]):
        out.append("expires_at")
    if desired["remaining_uses"] != view["remaining_uses"]:
        out.append("remaining_uses")
    if desired["allow_redelegation"] != view["allow_redelegation"]:
        out.append("allow_redelegation")
    elif desired["allow_redelegation"] and desired["redelegation_count"] is not None \
            and desired["redelegation_count"] != view["redelegation_count"]:
        out.append("redelegation_count")
    return out


#: A replacement trust may expire up to this many seconds earlier than asked (see ensure_trust).
EXPIRY_SLACK_SECONDS = 10


def _same_expiry(want: dt.datetime | None, have: str | None) -> bool:
    """Expiry match: both never, or ``have`` within :data:`EXPIRY_SLACK_SECONDS` before ``want``."""
    if want is None or have is None:
        return want is None and have is None
    gap = (want - parse_time(have)).total_seconds()
    return 0 <= gap < EXPIRY_SLACK_SECONDS


def create_body(desired: Mapping[str, Any], trustor_id: str, trustee_id: str, project_id: str) -> dict[str, Any]:
    """Keyword arguments for openstacksdk's ``identity.create_trust``."""
    body: dict[str, Any] = {
        "trustor_user_id": trustor_id,
        "trustee_user_id": trustee_id,
        "project_id": project_id,
        "roles": [{"id": r} if looks_like_id(r) else {"name": r} for r in desired["roles"]],
        "is_impersonation": desired["impersonation"],
    }
    if desired["expires_at"] is not None:
        body["expires_at"] = format_time(desired["expires_at"])
    if desired["remaining_uses"] is not None:
        body["remaining_uses"] = desired["remaining_uses"]
    if desired["allow_redelegation"]:
        body["allow_redelegation"] = True
        if desired["redelegation_count"] is not None:
            body["redelegation_count"] = desired["redelegation_count"]
    return body


# ---------------------------------------------------------------- errors


class TrustConflictError(CloudError):
    """Keystone's unique constraint on (trustor, trustee, project, impersonation, expires_at)."""


def _detail(exc: Exception) -> str:
    return error_detail(exc)


def explain(exc: Exception, what: str, *, desired: Mapping[str, Any] | None = None,
            project_id: str | None = None) -> CloudError:
    """Turn an openstacksdk/keystoneauth error of a trust call into one clear line."""
    status = status_of(exc)
    detail = _detail(exc)
    low = detail.lower()
    if "delegated tokens cannot manage trusts" in low or "application credential" in low:
        return CloudError(f"{what}: Keystone refuses trust operations to delegated authentication"
                          " (application credentials, OAuth1, EC2); authenticate with a password or token"
                          f" ({detail})")
    if status == 404 and "could not find user" in low and desired:
        return CloudError(f"{what}: trustee '{desired['trustee']}' not found ({detail})")
    if status == 404 and "could not find role" in low and desired:
        return CloudError(f"{what}: a role of {desired['roles']} is unknown or not held by you (the trustor)"
                          f" in project {project_id}; a trust can only delegate roles the trustor has ({detail})")
    if status == 404 and "could not find trust" in low:
        return CloudError(f"{what}: the trust does not exist, has expired or has no uses left ({detail})")
    if status == 409:
        return TrustConflictError(f"{what}: Keystone already holds (or held) a trust with the same trustee,"
                                  f" project, impersonation and expiry ({detail})")
    if status == 403 and "redelegat" in low:
        return CloudError(f"{what}: redelegation refused by Keystone ({detail})")
    prefix = f"{what}: Keystone answered {status}" if status else f"{what}: Keystone error"
    return CloudError(f"{prefix}: {detail}")


# ---------------------------------------------------------------- authentication


def configured_trust_id(conn: Any) -> str | None:
    """The ``trust_id`` of the connection's auth options (clouds.yaml or ``auth``), if any."""
    config = getattr(getattr(conn, "config", None), "config", None)
    auth = config.get("auth") if isinstance(config, Mapping) else None
    trust_id = auth.get("trust_id") if isinstance(auth, Mapping) else None
    return str(trust_id) if trust_id else None


def authenticate(conn: Any, trust_id: str | None = None) -> Any:
    """Authenticate ``conn`` now and return keystoneauth's access info, failing clearly.

    With a trust-scoped auth (``auth.trust_id``), a 401/404 means the trust was deleted,
    has expired, has no uses left, or the caller is not its trustee.
    """
    session = conn.session
    trust_id = trust_id or configured_trust_id(conn)
    try:
        return session.auth.get_access(session)
    except Exception as exc:  # noqa: BLE001 - keystoneauth raises many kinds
        status = status_of(exc)
        detail = " ".join(str(exc).split())
        if trust_id and (status in (401, 403, 404) or "unauthorized" in type(exc).__name__.lower()
                         or "not find trust" in detail.lower()):
            raise CloudError(f"authentication with trust {trust_id} failed: the trust was deleted, has"
                             " expired or has no uses left, or you are not its trustee"
                             f" (Keystone: {detail})") from None
        if status == 401 or "unauthorized" in type(exc).__name__.lower():
            raise CloudError(f"authentication failed: {detail}") from None
        raise


# ---------------------------------------------------------------- client


class TrustService:
    """Trust operations for the caller (the trustor) over an openstacksdk connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.identity = conn.identity
        self._access: Any = None

    # -- who am I
    def _access_info(self) -> Any:
        if self._access is None:
            session = self.conn.session
            self._access = session.auth.get_access(session)
        return self._access

    def caller(self) -> dict[str, Any]:
        """Caller's user id, project id/name, auth methods and trust id (if trust-scoped)."""
        access = self._access_info()
        data = getattr(access, "_data", None)
        token = data.get("token", {}) if isinstance(data, dict) else {}
        methods = list(token.get("methods") or []) if isinstance(token, dict) else []
        trust_id = getattr(access, "trust_id", None)
        return {"user_id": access.user_id, "project_id": access.project_id,
                "project_name": getattr(access, "project_name", None),
                "methods": methods, "trust_id": trust_id}

    def require_trust_capable_auth(self) -> dict[str, Any]:
        """Fail early (and clearly) when Keystone would refuse trust calls for this auth."""
        auth_name = type(getattr(self.conn.session, "auth", None)).__name__.lower()
        me = self.caller()
        if "application_credential" in me["methods"] or "applicationcredential" in auth_name:
            raise CloudError("trusts cannot be managed when authenticated with an application credential:"
                             " Keystone refuses trust operations to delegated authentication;"
                             " use a password (or token) for the trustor")
        return me

    def resolve_trustee(self, trustee: str, domain: str | None) -> str:
        """User id of the trustee, by id (taken as is) or by name (+ domain name or id)."""
        try:
            return find_id(self.identity, "user", trustee, domain=domain)
        except KeystoneLookupError as err:
            if err.kind == "domain" and err.status == 404:
                raise CloudError(f"trustee_domain: domain '{domain}' not found") from None
            if err.status in (401, 403):
                raise CloudError(f"trustee: '{trustee}' is a name, and you may not look users up by name"
                                 " (Keystone policy); give the trustee's user id instead") from None
            if err.status == 404:
                where = f" in domain '{domain}'" if domain else ""
                raise CloudError(f"trustee: user '{trustee}'{where} not found") from None
            raise CloudError(f"trustee '{trustee}': {err.message}") from None

    def resolve_project(self, project: str | None) -> str:
        """Project id: the caller's project when omitted; ids taken as is; names looked up."""
        me = self.caller()
        if not project:
            if not me["project_id"]:
                raise CloudError("project: the connection is not project-scoped; give project")
            return me["project_id"]
        if project in (me["project_id"], me["project_name"]):
            return me["project_id"]
        try:
            return find_id(self.identity, "project", project)
        except KeystoneLookupError as err:
            if err.status in (401, 403):
                raise CloudError(f"project: '{project}' is a name you may not look up; give its id") from None
            if err.status == 404:
                raise CloudError(f"project: '{project}' not found") from None
            raise CloudError(f"project '{project}': {err.message}") from None

    # -- trusts
    def list_as_trustor(self, user_id: str) -> list[dict[str, Any]]:
        """Live and dead trusts of the trustor, roles filled in for live ones."""
        return self._list(trustor_user_id=user_id)

    def list_as_trustee(self, user_id: str) -> list[dict[str, Any]]:
        """Trusts delegated to the user (roles filled in for live ones)."""
        return self._list(trustee_user_id=user_id)

    def _list(self, **query: str) -> list[dict[str, Any]]:
        try:
            listed = list(self.identity.trusts(**query))
        except Exception as exc:  # noqa: BLE001
            raise explain(exc, "list trusts") from None
        out = []
        for trust in listed:
            view = trust_view(trust)
            if not view["expired"]:
                # a trust that vanished between list and get counts as dead
                view = self.get(view["id"]) or {**view, "expired": True}
            out.append(view)
        return sorted(out, key=lambda v: v["id"] or "")

    def get(self, trust_id: str) -> dict[str, Any] | None:
        """One live trust with its roles; None when gone, expired or used up (Keystone's 404)."""
        try:
            return trust_view(self.identity.get_trust(trust_id))
        except Exception as exc:  # noqa: BLE001
            if status_of(exc) == 404:
                return None
            raise explain(exc, f"trust {trust_id}") from None

    def create(self, body: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
        """Create a trust; returns its view."""
        try:
            return trust_view(self.identity.create_trust(**body))
        except Exception as exc:  # noqa: BLE001
            raise explain(exc, "create trust", desired=desired, project_id=body.get("project_id")) from None

    def delete(self, trust_id: str) -> bool:
        """Delete a trust; False when already gone (or expired: Keystone no longer shows it)."""
        try:
            self.identity.delete_trust(trust_id, ignore_missing=False)
        except Exception as exc:  # noqa: BLE001
            if status_of(exc) == 404:
                return False
            raise explain(exc, f"delete trust {trust_id}") from None
        return True


# ---------------------------------------------------------------- converge


def _public(view: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {k: v for k, v in view.items() if k != "role_ids"}


def _create_nudging_expiry(service: TrustService, body: dict[str, Any],
                           desired: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """Create the trust; on Keystone's duplicate-trust conflict, retry with the expiry a few
    seconds earlier. Keystone's unique key (trustor, trustee, project, impersonation,
    expires_at) also covers soft-deleted trusts and MySQL keeps whole seconds, so deleting the
    old trust first would not help. Returns the trust and the shift in seconds."""
    for shift in range(EXPIRY_SLACK_SECONDS):
        if shift:
            body = {**body, "expires_at": format_time(desired["expires_at"] - dt.timedelta(seconds=shift))}
        try:
            return service.create(body, desired), shift
        except TrustConflictError:
            if desired["expires_at"] is None or shift == EXPIRY_SLACK_SECONDS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def ensure_trust(service: TrustService, params: Mapping[str, Any], *, check_mode: bool = False,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """Converge the trust from the caller to a trustee for a project.

    A trust is identified by (trustor, trustee, project). With ``state=present`` a live
    trust matching every field is kept (``changed: false``); otherwise a new one is created
    and, when ``exclusive`` (default), every other live trust for the same trustee and
    project is deleted - "replace", reported in ``replaced``. With ``state=absent``: the
    trust ``id`` when given, else every live trust for trustee and project that matches the
    given fields (all of them when ``roles`` is omitted).
    """
    now = now or _utcnow()
    state = params.get("state") or "present"
    me = service.require_trust_capable_auth()

    if state == "absent" and params.get("id"):
        trust_id = str(params["id"])
        current = service.get(trust_id)
        if current is None:
            return {"changed": False, "action": "none", "trust": None, "trust_id": None, "deleted": [],
                    "msg": f"trust {trust_id} does not exist (or has expired or has no uses left)",
                    "diff": {"before": {}, "after": {}}}
        if current["trustor_user_id"] != me["user_id"]:
            raise CloudError(f"trust {trust_id}: you are not its trustor; only the trustor may delete it here")
        if not check_mode:
            service.delete(trust_id)
        return {"changed": True, "action": "delete", "trust": None, "trust_id": None, "deleted": [trust_id],
                "diff": {"before": _public(current), "after": {}}}

    if state == "absent":
        if not params.get("trustee"):
            raise PropertyError("state=absent needs id, or trustee (+ project, roles...) to match")
        match_params = {**params, "roles": params.get("roles") or ["*"]}
        desired = build_desired(match_params, now=now - dt.timedelta(days=36500))
    else:
        desired = build_desired(params, now=now)

    trustee_id = service.resolve_trustee(desired["trustee"], desired["trustee_domain"])
    project_id = service.resolve_project(desired["project"])
    trusts = [t for t in service.list_as_trustor(me["user_id"])
              if t["trustee_user_id"] == trustee_id and t["project_id"] == project_id]
    live = [t for t in trusts if not t["expired"]]

    if state == "absent":
        victims = []
        for view in live:
            diffs = mismatches(desired, view, trustee_id, project_id)
            if not params.get("roles"):
                diffs = [d for d in diffs if d != "roles"]
            given = {k for k in ("impersonation", "expires_at", "remaining_uses", "allow_redelegation",
                                 "redelegation_count") if params.get(k) is not None}
            if not [d for d in diffs if d in given or d == "roles"]:
                victims.append(view)
        if not check_mode:
            for view in victims:
                service.delete(view["id"])
        return {"changed": bool(victims), "action": "delete" if victims else "none", "trust": None,
                "trust_id": None, "deleted": [v["id"] for v in victims],
                "diff": {"before": {"trusts": [_public(v) for v in victims]}, "after": {}}}

    matching = [t for t in live if not mismatches(desired, t, trustee_id, project_id)]
    keep = matching[0] if matching else None
    exclusive = params.get("exclusive", True) is not False
    stale = [t for t in live if t is not keep] if exclusive else []
    expected = {
        "trustor_user_id": me["user_id"], "trustee_user_id": trustee_id, "project_id": project_id,
        "roles": desired["roles"], "impersonation": desired["impersonation"],
        "expires_at": format_time(desired["expires_at"]), "remaining_uses": desired["remaining_uses"],
        "allow_redelegation": desired["allow_redelegation"],
        "redelegation_count": desired["redelegation_count"],
    }
    before = {"trusts": [_public(t) for t in live]}

    if keep is not None and not stale:
        return {"changed": False, "action": "none", "trust": _public(keep), "trust_id": keep["id"],
                "deleted": [], "diff": {"before": before, "after": before}}

    if keep is not None:
        if not check_mode:
            for view in stale:
                service.delete(view["id"])
        after = {"trusts": [_public(keep)]}
        return {"changed": True, "action": "delete", "trust": _public(keep), "trust_id": keep["id"],
                "deleted": [t["id"] for t in stale],
                "msg": f"kept trust {keep['id']}; deleted {len(stale)} other trust(s) for the same trustee"
                       " and project", "diff": {"before": before, "after": after}}

    changed_fields = sorted({f for t in stale for f in mismatches(desired, t, trustee_id, project_id)})
    action = "replace" if stale else "create"
    if check_mode:
        return {"changed": True, "action": action, "trust": None, "trust_id": None,
                "deleted": [t["id"] for t in stale], "changes": changed_fields,
                "diff": {"before": before, "after": {"trusts": [expected]}}}

    body = create_body(desired, me["user_id"], trustee_id, project_id)
    created, nudged = _create_nudging_expiry(service, body, desired)
    for view in stale:
        service.delete(view["id"])
    msg = None
    if stale:
        msg = (f"trusts are immutable: created trust {created['id']} and deleted"
               f" {', '.join(t['id'] for t in stale)} (changed: {', '.join(changed_fields) or 'duplicates'})")
    if nudged:
        note = (f"expires_at moved {nudged} second(s) earlier: Keystone refuses a trust with the same trustee,"
                " project, impersonation and expiry as an existing or deleted one")
        msg = f"{msg}; {note}" if msg else note
    result = {"changed": True, "action": action, "trust": _public(created), "trust_id": created["id"],
              "deleted": [t["id"] for t in stale], "changes": changed_fields,
              "diff": {"before": before, "after": {"trusts": [_public(created)]}}}
    if msg:
        result["msg"] = msg
    return result


def trust_info(service: TrustService, *, trust_id: str | None = None, role: str = "trustor",
               include_expired: bool = False) -> list[dict[str, Any]]:
    """Trusts of the caller as trustor (default) or trustee, or one by id."""
    me = service.require_trust_capable_auth()
    if trust_id:
        found = service.get(trust_id)
        return [_public(found)] if found else []
    if role == "trustee":
        trusts = service.list_as_trustee(me["user_id"])
    else:
        trusts = service.list_as_trustor(me["user_id"])
    return [_public(t) for t in trusts if include_expired or not t["expired"]]
