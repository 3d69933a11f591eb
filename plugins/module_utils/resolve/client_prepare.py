"""What Heat's client does to a template before sending it: file types become URLs.

``type: x.yaml`` references are rewritten to ``file://`` URLs (:func:`client_prepare`), and a
``get_file`` of a template file yields that template's JSON form (:func:`template_file_content`).
"""

from __future__ import annotations

import json
import os
from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import FileAccessError, HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import functions as fn
from ansible_collections.heatlike.cloud.plugins.module_utils.template.files import FileLoader
from ansible_collections.heatlike.cloud.plugins.module_utils.template.yaml_loader import load_text


def _is_template_text(content: str) -> Any:
    try:
        data = load_text(content)
    except HeatlikeError:
        return None
    if isinstance(data, dict) and ("heat_template_version" in data or
                                   "AWSTemplateFormatVersion" in data or
                                   "HeatTemplateFormatVersion" in data):
        return data
    return None


def template_file_content(content: str, loc: str, files: FileLoader) -> str:
    """What Heat's client sends for a get_file: a template file becomes its JSON form."""
    if not content.lstrip().startswith(("heat_template_version", "{", "AWSTemplate",
                                        "HeatTemplate", "#", "---", "description")):
        return content
    data = _is_template_text(content)
    if data is None:
        return content
    base = os.path.dirname(loc) if "://" not in loc else None
    client_prepare(data, base, files, loc)
    return json.dumps(data)


def _client_rewrites(data: Any) -> list:
    """Every ``(container, key, lazy path)`` whose ``type`` names a template file."""
    hits = []
    stack: list = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    stack.append((v, (path, k)))
                elif k == "type" and isinstance(v, str) and \
                        v.endswith((".yaml", ".template")) and "://" not in v:
                    hits.append((node, k, (path, k)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    stack.append((v, (path, i)))
    return hits


def client_prepare(data: Any, base_dir: str | None, files: FileLoader,
                   file: str | None) -> bool:
    """Do what Heat's client does before sending: every ``type: x.yaml`` becomes a URL.

    Mutates ``data`` in place; returns whether anything changed.
    """
    hits = _client_rewrites(data)
    for node, key, where in hits:
        ref = node[key]
        loc = files.locate(ref, base_dir, file=file, path=fn.render_path(where))
        if not os.path.isfile(loc):
            raise FileAccessError("Could not fetch contents for %s" % ref, file=file,
                                  path=fn.render_path(where))
        node[key] = "file://" + loc
    return bool(hits)


def needs_client_prepare(data: Any) -> bool:
    """True when :func:`client_prepare` would rewrite something in ``data``."""
    return bool(_client_rewrites(data))
