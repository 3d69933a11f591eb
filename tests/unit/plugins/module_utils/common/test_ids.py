"""The one id detector, HTTP-status reader and mask shared by the engine and the modules."""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.ids import looks_like_id
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import status_of


@pytest.mark.parametrize("value", [uuid.UUID(int=7).hex, str(uuid.UUID(int=7)), str(uuid.uuid4()).upper()])
def test_ids_are_recognised(value):
    assert looks_like_id(value)


@pytest.mark.parametrize("value", ["private-net", "", None, "dead-beef-cafe-babe-deadbeefcafebabe",
                                   "0x" + "a" * 30, "{%s}" % uuid.UUID(int=7).hex])
def test_names_are_not_ids(value):
    assert not looks_like_id(value)


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
