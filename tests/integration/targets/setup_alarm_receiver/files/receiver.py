#!/usr/bin/env python
"""A tiny HTTP receiver on 127.0.0.1 standing in for an alarm action endpoint.

Usage: receiver.py PORT_FILE LOG_FILE. Binds a free port on 127.0.0.1, writes the port to
PORT_FILE and appends one JSON line per request (method, path, body) to LOG_FILE.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def main() -> None:
    """Serve until killed."""
    port_file, log_file = sys.argv[1], sys.argv[2]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"method": self.command, "path": self.path, "body": body}) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_GET = _record

    server = HTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file, "w", encoding="utf-8") as fh:
        fh.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
