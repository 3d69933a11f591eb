"""Keystone helpers shared by the trust modules and the OS::Keystone::* stack handlers.

Pure Python (no Ansible import): one-line error details of Keystone answers,
and name-or-id lookups of domains, projects, users, groups and roles over openstacksdk's
identity proxy (``find_*``). Ids (32 hex digits or a dashed UUID) are taken as they are,
without a request; names cost one lookup (callers cache per run).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import CloudError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.ids import looks_like_id
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import status_of

#: kinds of Keystone objects :func:`find_id` can look up, and the proxy method doing it
FINDERS = {
    "domain": "find_domain",
    "project": "find_project",
    "user": "find_user",
    "group": "find_group",
    "role": "find_role",
}


def error_detail(exc: BaseException) -> str:
    """Keystone's own error message of ``exc`` (``{"error": {"message": ...}}``), on one line."""
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            data = response.json()
            message = data.get("error", {}).get("message")
            if message:
                return " ".join(str(message).split())
        except Exception:  # noqa: BLE001 - fall back to the exception text
            pass
    for attr in ("details", "message"):
        value = getattr(exc, attr, None)
        if value:
            return " ".join(str(value).split())
    return " ".join(str(exc).split())


class KeystoneLookupError(CloudError):
    """A name-or-id lookup failed: not found (``status`` 404) or refused (401/403)."""

    def __init__(self, message: str, *, kind: str, value: str, status: int | None = None,
                 detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.value = value
        self.status = status
        self.detail = detail


def find_id(identity: Any, kind: str, value: Any, *, domain: Any = None) -> str:
    """Id of the ``kind`` (domain, project, user, group, role) named or identified by ``value``.

    Ids are returned as given. ``domain`` (a name or id) scopes a name lookup of a project,
    user, group or role. Raises :class:`KeystoneLookupError` when Keystone has no such object
    or refuses the lookup (``status`` tells which).
    """
    if kind not in FINDERS:
        raise ValueError(f"unknown Keystone kind {kind!r}")
    text = str(value)
    if looks_like_id(text):
        return text
    query: dict[str, Any] = {}
    if domain not in (None, "") and kind != "domain":
        query["domain_id"] = find_id(identity, "domain", domain)
    try:
        found = getattr(identity, FINDERS[kind])(text, ignore_missing=True, **query)
    except Exception as exc:  # noqa: BLE001 - mapped to one clear line
        status = status_of(exc)
        detail = error_detail(exc)
        if status in (401, 403):
            raise KeystoneLookupError(f"{kind} '{text}': Keystone refused the lookup (HTTP {status}): {detail}",
                                      kind=kind, value=text, status=status, detail=detail) from None
        if type(exc).__name__ == "DuplicateResource":
            raise KeystoneLookupError(f"{kind} '{text}' is ambiguous (several match); give its id or domain",
                                      kind=kind, value=text, status=409, detail=detail) from None
        raise KeystoneLookupError(f"{kind} '{text}': lookup failed: {detail}", kind=kind, value=text,
                                  status=status, detail=detail) from None
    if found is None:
        where = f" in domain '{domain}'" if query else ""
        raise KeystoneLookupError(f"{kind} '{text}'{where} not found", kind=kind, value=text, status=404)
    return str(found.id)
