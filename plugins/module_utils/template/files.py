"""``get_file`` and nested-template loading, confined to allowed roots.

Relative references resolve against the referring file's directory.  A reference may not leave
the allowed roots: ``..`` escapes, absolute paths, ``file://`` URLs and symlinks are resolved
first and then checked.  ``http(s)`` is fetched only when ``allow_http`` is set, with a timeout
and a size cap.  Every byte read counts against one total budget.
"""

from __future__ import annotations

import os
from typing import Sequence
from urllib.parse import urlparse

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import (
    FileAccessError,
    LimitError,
)


class FileLoader:
    """Reads referenced files for one stack (and its nested stacks), with caching."""

    def __init__(self, allowed_roots: Sequence[str], *, files: dict[str, str] | None = None,
                 max_bytes: int = 5_242_880, allow_http: bool = False,
                 http_timeout: float = 10.0) -> None:
        self.roots = [os.path.realpath(r) for r in allowed_roots]
        self.files = dict(files or {})
        self.max_bytes = max_bytes
        self.allow_http = allow_http
        self.http_timeout = http_timeout
        self.total = 0
        self._cache: dict[str, str] = {}

    def locate(self, ref: str, base_dir: str | None, *, file: str | None = None,
               path: str | None = None) -> str:
        """Return the canonical location (absolute path or http(s) URL) of ``ref``."""
        if not isinstance(ref, str) or not ref:
            raise FileAccessError("file reference must be a non-empty string", file=file,
                                  path=path)
        if ref in self.files:
            return ref
        original = ref
        parsed = urlparse(ref)
        if parsed.scheme in ("http", "https"):
            if not self.allow_http:
                raise FileAccessError("refusing to fetch %s: http(s) is not allowed" % ref,
                                      file=file, path=path)
            return ref
        if parsed.scheme == "file":
            if parsed.netloc not in ("", "localhost"):
                raise FileAccessError("refusing %s: only local file:// URLs" % ref, file=file,
                                      path=path)
            ref = parsed.path
        elif parsed.scheme and len(parsed.scheme) > 1:
            raise FileAccessError("unsupported URL scheme in %s" % ref, file=file, path=path)
        if base_dir is None:
            base_dir = self.roots[0] if self.roots else os.getcwd()
        full = os.path.realpath(os.path.join(base_dir, ref))
        if not any(full == r or full.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots):
            raise FileAccessError("%s is outside the allowed directories" % original, file=file,
                                  path=path)
        return full

    def read(self, location: str, *, file: str | None = None, path: str | None = None) -> str:
        """Read a located file (cached); enforce the total size budget."""
        if location in self._cache:
            return self._cache[location]
        if location in self.files:
            data = self.files[location]
        elif location.startswith(("http://", "https://")):
            data = self._fetch(location, file, path)
        else:
            try:
                size = os.path.getsize(location)
                if self.total + size > self.max_bytes:
                    raise LimitError("files exceed %d bytes in total" % self.max_bytes,
                                     file=file, path=path)
                with open(location, "rb") as fh:
                    raw = fh.read(self.max_bytes + 1)
                data = raw.decode("utf-8", errors="replace")
            except OSError as exc:
                raise FileAccessError("Could not fetch contents for %s: %s"
                                      % (location, exc.strerror or exc), file=file, path=path) from None
        self.total += len(data.encode("utf-8"))
        if self.total > self.max_bytes:
            raise LimitError("files exceed %d bytes in total" % self.max_bytes, file=file,
                             path=path)
        self._cache[location] = data
        return data

    def _fetch(self, url: str, file: str | None, path: str | None) -> str:
        """GET ``url`` (no redirects followed) with the timeout and the remaining size budget."""
        import http.client

        parsed = urlparse(url)
        conn_cls = http.client.HTTPSConnection if parsed.scheme == "https" \
            else http.client.HTTPConnection
        budget = self.max_bytes - self.total
        try:
            conn = conn_cls(parsed.hostname or "", parsed.port, timeout=self.http_timeout)
            try:
                target = parsed.path or "/"
                if parsed.query:
                    target += "?" + parsed.query
                conn.request("GET", target)
                resp = conn.getresponse()
                if resp.status != 200:
                    raise FileAccessError("Could not fetch contents for %s: HTTP %d"
                                          % (url, resp.status), file=file, path=path)
                raw = resp.read(budget + 1)
            finally:
                conn.close()
        except FileAccessError:
            raise
        except Exception as exc:  # socket/ssl/http errors come in many types
            raise FileAccessError("Could not fetch contents for %s: %s" % (url, exc),
                                  file=file, path=path) from None
        if len(raw) > budget:
            raise LimitError("files exceed %d bytes in total" % self.max_bytes, file=file,
                             path=path)
        return raw.decode("utf-8", errors="replace")

    def get(self, ref: str, base_dir: str | None, *, file: str | None = None,
            path: str | None = None) -> tuple[str, str]:
        """Locate and read; return (location, content)."""
        loc = self.locate(ref, base_dir, file=file, path=path)
        return loc, self.read(loc, file=file, path=path)
