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
