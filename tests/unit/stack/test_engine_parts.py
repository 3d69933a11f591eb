"""Unit tests of ownership marks, retries, redaction, the state backend and the graph runner."""

from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LockError
from ansible_collections.heatlike.cloud.plugins.module_utils.graph.walk import run_graph
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import RetryPolicy, is_transient
from ansible_collections.heatlike.cloud.plugins.module_utils.state.local import LocalBackend, StackRecord


class HTTPErr(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status_code = status


def test_tags_round_trip_and_stay_within_neutron_limit():
    long_stack = "s" * 200
    tags = ownership.tags_for(long_stack, "port", ["user-tag", ownership.stack_tag("other")])
    assert all(len(t) <= ownership.MAX_TAG_LEN for t in tags)
    assert "user-tag" in tags and ownership.stack_tag("other") not in tags
    assert ownership.logical_from_tags(long_stack, tags, ["port"]) == "port"
    assert ownership.logical_from_tags("another", tags, ["port"]) is None
    assert ownership.user_tags(tags) == ["user-tag"]


def test_metadata_marks_and_description_marks():
    meta = ownership.metadata_for("web", "srv", {"role": "db"})
    assert ownership.logical_from_metadata("web", meta) == "srv"
    assert ownership.logical_from_metadata("other", meta) is None
    assert ownership.user_metadata(meta) == {"role": "db"}
    assert ownership.logical_from_description("web", ownership.description_mark("web", "r1")) == "r1"


@pytest.mark.parametrize("name,ok", [("web", True), ("a.b-c_1", True), ("1abc", False), ("", False),
                                     ("a,b", False), ("a" * 256, False)])
def test_stack_names_follow_heats_rule(name, ok):
    assert ownership.valid_stack_name(name) is ok


def test_transient_errors_are_retried_then_succeed():
    calls = []
    policy = RetryPolicy(attempts=4, base=0, jitter=0, sleep=calls.append)
    outcomes = iter([HTTPErr(503), HTTPErr(429), "ok"])

    def flaky():
        item = next(outcomes)
        if isinstance(item, Exception):
            raise item
        return item

    assert policy.call(flaky) == "ok"
    assert len(calls) == 2


def test_client_errors_are_not_retried_and_conflict_can_be_excluded():
    policy = RetryPolicy(attempts=5, base=0, jitter=0, sleep=lambda s: None)
    count = {"n": 0}

    def bad(status):
        count["n"] += 1
        raise HTTPErr(status)

    with pytest.raises(HTTPErr):
        policy.call(bad, 400)
    assert count["n"] == 1
    count["n"] = 0
    with pytest.raises(HTTPErr):
        policy.call(bad, 409, retry_conflict=False)
    assert count["n"] == 1
    assert is_transient(HTTPErr(409)) and is_transient(HTTPErr(500)) and not is_transient(HTTPErr(404))


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base=1, cap=8, jitter=0)
    assert [policy.delay(n) for n in range(5)] == [1, 2, 4, 8, 8]


def test_redactor_masks_substrings_in_nested_values():
    red = Redactor(["s3cret!"])
    expected = {"a": ["x ****** y", 3], "b": {"c": "******"}}
    assert red.redact({"a": ["x s3cret! y", 3], "b": {"c": "s3cret!"}}) == expected


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


def _graph_run(width: int, rounds: int, max_concurrency: int):
    """Run root -> ``width * rounds`` independent nodes -> last; each middle node waits at a barrier
    of ``min(width, max_concurrency)`` parties, so it passes only if that many really run at once.
    Returns (failures, start order, peak number of nodes running at once)."""
    order, running, peak = [], [0], [0]
    lock = threading.Lock()
    # the barrier's timeout turns a runner that launches fewer nodes than allowed into a failure
    # (BrokenBarrierError), not a hang; it is never compared with a clock
    barrier = threading.Barrier(min(width, max_concurrency), timeout=10)

    def node(name, wait):
        def go():
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                order.append(name)
            try:
                if wait:
                    barrier.wait()
            finally:
                with lock:
                    running[0] -= 1
        return go

    middle = [f"n{i:02d}" for i in range(width * rounds)]
    deps = {n: {"root"} for n in middle}
    deps["root"] = set()
    deps["last"] = set(middle)
    nodes = {n: node(n, True) for n in middle}
    nodes.update(root=node("root", False), last=node("last", False))
    return run_graph(nodes, deps, max_concurrency=max_concurrency), order, peak[0]


def test_run_graph_respects_dependencies_and_concurrency():
    # 9 ready nodes, at most 3 at once: three rounds of exactly 3 (a serial runner breaks the
    # barrier, an unbounded one exceeds the peak)
    failures, order, peak = _graph_run(width=3, rounds=3, max_concurrency=3)
    assert failures == {}
    assert order[0] == "root" and order[-1] == "last" and len(order) == 11
    assert peak == 3


def test_run_graph_reaches_the_width_of_the_graph_below_the_limit():
    # 4 ready nodes with room for 8: all 4 run at once, and never more than the graph allows
    failures, order, peak = _graph_run(width=4, rounds=1, max_concurrency=8)
    assert failures == {}
    assert order[0] == "root" and order[-1] == "last" and len(order) == 6
    assert peak == 4


def test_run_graph_stops_dependents_after_a_failure():
    ran = []

    def boom():
        raise RuntimeError("nope")

    failures = run_graph({"a": boom, "b": lambda: ran.append("b")}, {"b": {"a"}}, max_concurrency=2)
    assert list(failures) == ["a"] and ran == []


def test_run_graph_reports_cycles():
    failures = run_graph({"a": lambda: None, "b": lambda: None}, {"a": {"b"}, "b": {"a"}}, 2)
    assert "(graph)" in failures and "a, b" in str(failures["(graph)"])


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
