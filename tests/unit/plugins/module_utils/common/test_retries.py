"""Retries of transient cloud errors and the HTTP-status reader."""

from __future__ import annotations

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import RetryPolicy, is_transient, status_of


class HTTPErr(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status_code = status


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


class _Response:
    def __init__(self, status):
        self.status_code = status


class _Error(Exception):
    def __init__(self, status_code=None, http_status=None, response=None):
        super().__init__("boom")
        self.status_code, self.http_status, self.response = status_code, http_status, response


@pytest.mark.parametrize("exc,status", [
    (_Error(status_code=404), 404),
    (_Error(http_status=401), 401),
    (_Error(response=_Response(503)), 503),
    (_Error(status_code="409"), 409),
    (_Error(status_code=None, http_status=None, response=_Response(None)), None),
    (ValueError("no status"), None),
])
def test_status_of_reads_every_spelling(exc, status):
    assert status_of(exc) == status
