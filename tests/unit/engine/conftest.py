"""Helpers for engine unit tests: write templates to a temp dir and load them."""

from __future__ import annotations

import textwrap

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack


@pytest.fixture
def load(tmp_path):
    """load(text, **kwargs) -> ResolvedStack for a template written as tmp_path/t.yaml."""

    def _load(text: str, name: str = "t.yaml", **kwargs):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return load_stack(str(path), **kwargs)

    return _load


@pytest.fixture
def write(tmp_path):
    """write(name, text) -> absolute path of a file under tmp_path."""

    def _write(name: str, text: str) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return str(path)

    return _write
