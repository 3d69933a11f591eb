"""The redactor's masking."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor


def test_redactor_masks_substrings_in_nested_values():
    red = Redactor(["s3cret!"])
    expected = {"a": ["x ****** y", 3], "b": {"c": "******"}}
    assert red.redact({"a": ["x s3cret! y", 3], "b": {"c": "s3cret!"}}) == expected
