"""The local state backend: stack records (secrets, events) and the stack lock."""

from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LockError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend, StackRecord


def test_record_never_contains_registered_secrets(tmp_path):
    backend = LocalBackend(str(tmp_path))
    red = Redactor(["Canary-123"])
    rec = StackRecord(backend, "st", red)
    rec.set_resource("r", type="T", physical_id="p", properties={"pw": "Canary-123"})
    rec.event("r", "CREATE", "FAILED", "boom with Canary-123")
    text = (tmp_path / "st.json").read_text()
    assert "Canary-123" not in text and "******" in text
    assert oct(os.stat(tmp_path / "st.json").st_mode & 0o777) == "0o600"


def test_events_are_bounded(tmp_path):
    rec = StackRecord(LocalBackend(str(tmp_path)), "st", Redactor(), max_events=5)
    for i in range(20):
        rec.event("r", "CREATE", "COMPLETE", str(i))
    assert [e["reason"] for e in rec.to_dict()["events"]] == [str(i) for i in range(15, 20)]


def test_lock_held_by_live_process_fails_fast_naming_holder(tmp_path):
    backend = LocalBackend(str(tmp_path))
    with backend.lock("st"):
        with pytest.raises(LockError) as err:
            with backend.lock("st", timeout=0):
                pass
    assert f"pid {os.getpid()}" in str(err.value)
    with backend.lock("st"):  # released afterwards
        pass


def test_lock_of_dead_process_is_taken_over(tmp_path):
    backend = LocalBackend(str(tmp_path))
    backend.ensure()
    (tmp_path / "st.lock").write_text(json.dumps({"pid": 2 ** 22 + 12345, "host": socket.gethostname(),
                                                  "user": "x", "since": "then"}))
    with backend.lock("st") as me:
        assert me["pid"] == os.getpid()


def test_lock_timeout_waits_for_the_holder_to_finish(tmp_path):
    backend = LocalBackend(str(tmp_path))
    held = threading.Event()
    release = threading.Event()

    def holder():
        with backend.lock("st"):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(10)
    threading.Timer(0.3, release.set).start()
    with backend.lock("st", timeout=30, poll=0.05) as me:  # waits instead of failing
        assert me["pid"] == os.getpid()
    t.join()
