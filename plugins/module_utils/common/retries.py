"""One retry policy for every cloud call: jittered exponential backoff on transient errors.

Transient = HTTP 429, any 5xx, 409 Conflict, and connection failures. Heat retries 5 times
with 2^n s backoff plus jitter; so do we (both configurable).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

T = TypeVar("T")

TRANSIENT_STATUS = frozenset({409, 429})


def status_of(exc: BaseException) -> int | None:
    """HTTP status of an openstacksdk/keystoneauth exception, if it has one.

    The first of ``status_code``, ``http_status`` and ``response.status_code`` that is an
    integer (or the text of one) wins.
    """
    response = getattr(exc, "response", None)
    for value in (getattr(exc, "status_code", None), getattr(exc, "http_status", None),
                  getattr(response, "status_code", None)):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
    return None


def is_transient(exc: BaseException) -> bool:
    """True when retrying ``exc`` can help."""
    status = status_of(exc)
    if status is not None:
        return status in TRANSIENT_STATUS or 500 <= status < 600
    name = type(exc).__name__
    return name in {"ConnectFailure", "ConnectTimeout", "ConnectionError", "RetriableConnectionFailure"}


@dataclass
class RetryPolicy:
    """``attempts`` tries in all; sleep ``base * 2**n`` (capped) plus up to ``jitter`` s."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 30.0
    jitter: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        """Backoff before retry number ``attempt`` (0-based)."""
        return min(self.cap, self.base * (2 ** attempt)) + random.uniform(0, self.jitter)

    def call(self, fn: Callable[..., T], *args: Any, retry_conflict: bool = True, **kwargs: Any) -> T:
        """Call ``fn`` and retry on transient errors; the last error propagates."""
        attempt = 0
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - classified below
                transient = is_transient(exc)
                if transient and status_of(exc) == 409 and not retry_conflict:
                    transient = False
                if not transient or attempt + 1 >= self.attempts:
                    raise
                self.sleep(self.delay(attempt))
                attempt += 1
