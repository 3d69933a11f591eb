"""The one id detector shared by the engine and the modules."""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.common.ids import looks_like_id


@pytest.mark.parametrize("value", [uuid.UUID(int=7).hex, str(uuid.UUID(int=7)), str(uuid.uuid4()).upper()])
def test_ids_are_recognised(value):
    assert looks_like_id(value)


@pytest.mark.parametrize("value", ["private-net", "", None, "dead-beef-cafe-babe-deadbeefcafebabe",
                                   "0x" + "a" * 30, "{%s}" % uuid.UUID(int=7).hex])
def test_names_are_not_ids(value):
    assert not looks_like_id(value)
