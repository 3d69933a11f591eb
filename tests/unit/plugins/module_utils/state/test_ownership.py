"""Ownership marks (tags, metadata, descriptions) and Heat's stack name rule."""

from __future__ import annotations

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership


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


class _Copy:
    def __init__(self, pid: str, created: str | None) -> None:
        self.physical_id = pid
        self.obj = {"created_at": created}


def _stamp(obj: dict) -> str | None:
    return obj["created_at"]


def test_keep_one_prefers_the_recorded_copy_even_when_another_is_older():
    copies = [_Copy("b", "2026-01-01T00:00:02Z"), _Copy("a", "2026-01-01T00:00:01Z")]
    kept, why = ownership.keep_one(copies, "b", (), _stamp)
    assert kept.physical_id == "b" and why == "the recorded one"


def test_keep_one_without_a_record_keeps_the_oldest_not_the_lowest_id():
    copies = [_Copy("a", "2026-01-01T00:00:09Z"), _Copy("z", "2026-01-01T00:00:01Z")]
    kept, why = ownership.keep_one(copies, None, (), _stamp)
    assert kept.physical_id == "z" and why == "the oldest (created 2026-01-01T00:00:01Z)"
    gone = ownership.keep_one(copies, "no-longer-there", (), _stamp)[0]
    assert gone.physical_id == "z"  # a recorded id that matches no copy falls back to the oldest


def test_keep_one_breaks_ties_and_missing_times_by_the_lowest_id():
    tie = [_Copy("c", "2026-01-01T00:00:01Z"), _Copy("b", "2026-01-01T00:00:01Z")]
    assert ownership.keep_one(tie, None, (), _stamp)[0].physical_id == "b"
    unknown = [_Copy("y", None), _Copy("x", None)]
    kept, why = ownership.keep_one(unknown, None, (), _stamp)
    assert kept.physical_id == "x" and "no creation time" in why
    dated = [_Copy("a", None), _Copy("b", "2026-01-01T00:00:01Z")]
    assert ownership.keep_one(dated, None, (), _stamp)[0].physical_id == "b"  # a known time beats none


def test_keep_one_never_keeps_an_old_copy_waiting_for_deletion():
    copies = [_Copy("old", "2026-01-01T00:00:01Z"), _Copy("new", "2026-01-01T00:00:05Z")]
    assert ownership.keep_one(copies, "old", ["old"], _stamp)[0].physical_id == "new"
    assert ownership.keep_one([_Copy("old", None)], None, ["old"], _stamp) == (None, "")
