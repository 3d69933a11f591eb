"""Custom constraints Heat checks without a cloud (``expiration``, ``iso_8601``, ``ip_addr``...).

Each check takes the value and the validation context (which gives ``now()``) and returns
``(ok, message)``; :class:`~.constraints.CustomConstraint` turns a failure into Heat's wording.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
from typing import Any, Callable

_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _parse_iso(text: str) -> datetime.datetime:
    """ISO 8601 date/time (Heat uses iso8601.parse_date: UTC when no offset is given)."""
    short = _YEAR_MONTH.match(text)
    if short:  # iso8601 accepts a bare year or year-month
        return datetime.datetime(int(short.group(1)), int(short.group(2) or 1), 1, tzinfo=datetime.timezone.utc)
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _check_expiration(value: Any, ctx: Any) -> tuple[bool, str | None]:
    if not value:
        return True, None
    try:
        when = _parse_iso(str(value).strip())
        if when > ctx.now():
            return True, None
        reason = "Expiration time is out of date."
    except (ValueError, TypeError):
        reason = "Unable to parse date string %r" % (value,)
    return False, "Expiration %s is invalid: %s" % (value, reason)


def _check_iso_8601(value: Any, ctx: Any) -> tuple[bool, str | None]:
    try:
        _parse_iso(str(value))
    except (ValueError, TypeError):
        return False, None
    return True, None


def _check_ip_addr(value: Any, ctx: Any) -> tuple[bool, str | None]:
    if isinstance(value, str):
        try:
            ipaddress.ip_address(value)
            return True, None
        except ValueError:
            pass
    return False, "Invalid IP address"


_MAC = re.compile(r"^[0-9A-Fa-f]{2}([-:]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$")


def _check_mac_addr(value: Any, ctx: Any) -> tuple[bool, str | None]:
    return bool(isinstance(value, str) and _MAC.match(value)), "Invalid MAC address."


def _parsed_or_empty(parse: Callable[[Any], Any], errors: tuple[type[BaseException], ...],
                     message: Callable[[Any, BaseException], str]) -> Callable[[Any, Any], tuple[bool, str | None]]:
    """A check accepting an empty value or one ``parse`` accepts; else ``message(value, exc)``."""

    def check(value: Any, ctx: Any) -> tuple[bool, str | None]:
        if not value:
            return True, None
        try:
            parse(value)
            return True, None
        except errors as exc:
            return False, message(value, exc)

    return check


def _zone(value: Any) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(value)


#: any failure means "not a zone"
_check_timezone = _parsed_or_empty(_zone, (Exception,), lambda value, exc: "Invalid timezone: %s" % exc)
_check_json_string = _parsed_or_empty(json.loads, (ValueError, TypeError),
                                      lambda value, exc: "JSON string %s is invalid: %s" % (value, exc))


#: custom constraints checked offline: name -> check(value, ctx) -> (ok, message)
OFFLINE_CUSTOM_CONSTRAINTS: dict[str, Callable[[Any, Any], tuple[bool, str | None]]] = {
    "expiration": _check_expiration,
    "iso_8601": _check_iso_8601,
    "ip_addr": _check_ip_addr,
    "mac_addr": _check_mac_addr,
    "timezone": _check_timezone,
    "json_string": _check_json_string,
}
