"""Redaction of secret values (hidden parameters, generated passwords, private keys)."""

from __future__ import annotations

import threading
from typing import Any, Iterable, Mapping

MASK = "******"
MIN_SECRET_LEN = 1


class Redactor:
    """Replaces every occurrence of a known secret inside any string of a structure."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for value in secrets:
            self.add(value)

    def add(self, value: Any) -> None:
        """Register one more secret (strings only; short trivial values are ignored)."""
        if isinstance(value, str) and len(value) >= MIN_SECRET_LEN and value != MASK:
            with self._lock:
                self._secrets.add(value)

    @property
    def secrets(self) -> frozenset:
        """The registered secrets (for Ansible's ``no_log_values``)."""
        with self._lock:
            return frozenset(self._secrets)

    def contains_secret(self, value: Any) -> bool:
        """True when ``value`` (recursively) holds a secret."""
        return self.redact(value) != value

    def redact(self, value: Any) -> Any:
        """A copy of ``value`` with every secret masked."""
        secrets = sorted(self.secrets, key=len, reverse=True)
        if not secrets:
            return value
        return _walk(value, secrets)

    def text(self, message: str) -> str:
        """Mask secrets inside a message."""
        return self.redact(str(message))


def _walk(value: Any, secrets: list) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, Mapping):
        return {_walk(k, secrets) if isinstance(k, str) else k: _walk(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_walk(v, secrets) for v in value]
    return value
