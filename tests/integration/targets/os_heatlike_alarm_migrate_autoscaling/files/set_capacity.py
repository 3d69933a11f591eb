#!/usr/bin/env python
"""Do what a scaling signal does to a stack record: set a group's desired capacity.

Usage: set_capacity.py RECORD_FILE GROUP CAPACITY   (prints the previous capacity)
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    """Entry point."""
    path, group, capacity = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, encoding="utf-8") as fh:
        record = json.load(fh)
    props = record["resources"][group]["properties"]
    previous = props.get("capacity")
    props["capacity"] = capacity
    tmp = path + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as fh:
        json.dump(record, fh)
    os.replace(tmp, path)
    print(json.dumps({"previous": previous}))


if __name__ == "__main__":
    main()
