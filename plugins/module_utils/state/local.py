"""Stack records: a small backend interface and the ``local`` (directory) backend.

A record holds the template hash, the resolved non-secret properties, physical ids,
statuses, dependencies, outputs and a bounded event log. Secrets never go in: values are
passed through the run's redactor before anything is written. Generated secrets that the
stack must keep (``OS::Heat::RandomString`` values, saved private keys) live in a separate
``<stack>.secrets.json`` with mode 0600, never in the record.
"""

from __future__ import annotations

import collections
import datetime
import getpass
import json
import os
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LockError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor

RECORD_VERSION = 1
MAX_EVENTS = 1000


def now() -> str:
    """UTC timestamp, ISO 8601."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_atomic(path: str, data: Any, mode: int = 0o600) -> None:
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1, sort_keys=True, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalBackend:
    """Records as JSON files in a directory: ``<stack>.json``, ``<stack>.lock``, ``<stack>.secrets.json``."""

    name = "local"

    def __init__(self, directory: str) -> None:
        self.directory = os.path.abspath(os.path.expanduser(directory))

    def _path(self, stack: str, suffix: str) -> str:
        return os.path.join(self.directory, f"{stack}{suffix}")

    def ensure(self) -> None:
        """Create the directory (0700) if needed."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)

    def load(self, stack: str) -> dict | None:
        """The stack's record, or None when there is none."""
        try:
            with open(self._path(stack, ".json")) as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None

    def save(self, stack: str, record: dict) -> None:
        """Write the record atomically."""
        self.ensure()
        _write_atomic(self._path(stack, ".json"), record)

    def delete(self, stack: str) -> None:
        """Forget the stack (record and secret store)."""
        for suffix in (".json", ".secrets.json"):
            try:
                os.unlink(self._path(stack, suffix))
            except FileNotFoundError:
                pass

    def load_secrets(self, stack: str) -> dict:
        """The generated secrets the stack keeps (0600 file)."""
        try:
            with open(self._path(stack, ".secrets.json")) as fh:
                return json.load(fh)
        except FileNotFoundError:
            return {}

    def save_secrets(self, stack: str, data: dict) -> None:
        """Write the secret store (0600), or remove it when empty."""
        self.ensure()
        path = self._path(stack, ".secrets.json")
        if not data:
            if os.path.exists(path):
                os.unlink(path)
            return
        _write_atomic(path, data, mode=0o600)

    def list_stacks(self) -> list[str]:
        """Names of the stacks that have a record."""
        if not os.path.isdir(self.directory):
            return []
        return sorted(f[:-5] for f in os.listdir(self.directory)
                      if f.endswith(".json") and not f.endswith(".secrets.json") and not f.startswith("."))

    def holder(self, stack: str) -> dict | None:
        """Who holds the stack's lock, or None."""
        try:
            with open(self._path(stack, ".lock")) as fh:
                return json.load(fh)
        except (FileNotFoundError, ValueError):
            return None

    @contextmanager
    def lock(self, stack: str, timeout: float = 0.0, poll: float = 1.0) -> Iterator[dict]:
        """Hold the stack lock; wait up to ``timeout`` s, then raise LockError naming the holder.

        A lock left by a dead process on this host (kill -9) is taken over.
        """
        self.ensure()
        path = self._path(stack, ".lock")
        me = {"pid": os.getpid(), "host": socket.gethostname(), "user": _user(), "since": now()}
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                held = self.holder(stack)
                if held is None or (held.get("host") == me["host"] and not _pid_alive(int(held.get("pid", 0)))):
                    try:
                        os.unlink(path)
                    except FileNotFoundError:
                        pass
                    continue
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"stack '{stack}' is locked by pid {held.get('pid')} of {held.get('user')}@"
                        f"{held.get('host')} since {held.get('since')} (lock file {path}); "
                        "wait for that run or raise lock_timeout") from None
                time.sleep(poll)
                continue
            with os.fdopen(fd, "w") as fh:
                json.dump(me, fh)
            break
        try:
            yield me
        finally:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return str(os.getuid())


class StackRecord:
    """The in-memory record of one run, flushed to the backend on every physical id change."""

    def __init__(self, backend: LocalBackend, stack: str, redactor: Redactor, data: dict | None = None,
                 max_events: int = MAX_EVENTS) -> None:
        self.backend = backend
        self.stack = stack
        self.redactor = redactor
        self.lock = threading.RLock()
        data = data or {}
        self.resources: dict[str, dict] = dict(data.get("resources") or {})
        self.stack_info: dict = dict(data.get("stack") or {"name": stack})
        self.outputs: dict = dict(data.get("outputs") or {})
        self.pending_deletes: list = list(data.get("pending_deletes") or [])
        self.events: collections.deque = collections.deque(data.get("events") or [], maxlen=max_events)
        self.existed = bool(data)

    def to_dict(self) -> dict:
        """The JSON document written to the backend (already redacted)."""
        with self.lock:
            doc = {
                "version": RECORD_VERSION,
                "stack": self.stack_info,
                "resources": self.resources,
                "outputs": self.outputs,
                "pending_deletes": self.pending_deletes,
                "events": list(self.events),
            }
            return self.redactor.redact(doc)

    def flush(self) -> None:
        """Write the record now."""
        with self.lock:
            self.backend.save(self.stack, self.to_dict())

    def set_resource(self, logical: str, flush: bool = True, **fields: Any) -> None:
        """Update one resource's entry (and write the record)."""
        with self.lock:
            entry = self.resources.setdefault(logical, {})
            entry.update(self.redactor.redact(fields))
            if flush:
                self.flush()

    def drop_resource(self, logical: str, flush: bool = True) -> None:
        """Forget one resource."""
        with self.lock:
            self.resources.pop(logical, None)
            if flush:
                self.flush()

    def add_pending_delete(self, item: dict) -> None:
        """Remember a physical resource that must still be deleted (old half of a replace)."""
        with self.lock:
            if item not in self.pending_deletes:
                self.pending_deletes.append(item)
            self.flush()

    def done_pending_delete(self, item: dict) -> None:
        """The physical resource was deleted."""
        with self.lock:
            if item in self.pending_deletes:
                self.pending_deletes.remove(item)
            self.flush()

    def event(self, resource: str, action: str, status: str, reason: str = "", physical_id: str | None = None) -> dict:
        """Append one event (bounded, redacted) and return it."""
        ev = {"time": now(), "resource": resource, "action": action, "status": status,
              "reason": self.redactor.text(reason) if reason else ""}
        if physical_id:
            ev["physical_id"] = physical_id
        with self.lock:
            self.events.append(ev)
        return ev
