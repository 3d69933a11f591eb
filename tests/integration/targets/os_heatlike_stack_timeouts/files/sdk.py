"""Out-of-band checks for the timeouts target (openstacksdk only).

  sdk.py CLOUD nets STACK          ids of the networks marked as the stack's, as a JSON list
  sdk.py CLOUD lock-waiter PID       wait (<= 120 s) until a descendant of PID running the
                                   os_heatlike_stack module sleeps (its lock poll); print its pid
  sdk.py CLOUD stop-holder LOCK     wait (<= 120 s) for the lock file LOCK, stop the process that
                                   holds it (SIGSTOP) at once, check it still holds it; print the lock
"""

import json
import os
import signal
import sys
import time


def descendants(root: int) -> list[int]:
    """Pids of every descendant of ``root`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            out.append(child)
            todo.append(child)
    return out


def read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def lock_waiter(root: int) -> int:
    """The module process of ``root`` once it sleeps: before its lock nothing in it sleeps."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for pid in descendants(root):
            if "AnsiballZ_os_heatlike_stack" in read(f"/proc/{pid}/cmdline") and \
                    read(f"/proc/{pid}/wchan") in ("hrtimer_nanosleep", "do_nanosleep"):
                return pid
        time.sleep(0.2)
    raise SystemExit(f"no os_heatlike_stack module of pid {root} waits for a lock")


def stop_holder(lock: str) -> dict:
    """Stop the holder as soon as ``lock`` names one; the lock it still holds."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with open(lock) as fh:
                held = json.load(fh)
        except (OSError, ValueError):
            time.sleep(0.05)
            continue
        os.kill(int(held["pid"]), signal.SIGSTOP)
        try:
            with open(lock) as fh:
                still = json.load(fh)
        except (OSError, ValueError):
            still = None
        if still != held:
            os.kill(int(held["pid"]), signal.SIGCONT)
            raise SystemExit(f"the holder of {lock} released it before it could be stopped")
        return held
    raise SystemExit(f"no lock {lock} appeared")


def main() -> int:
    cloud, action, arg = sys.argv[1:4]
    if action == "lock-waiter":
        print(lock_waiter(int(arg)))
        return 0
    if action == "stop-holder":
        print(json.dumps(stop_holder(arg)))
        return 0
    import openstack

    conn = openstack.connect(cloud=cloud)
    if action == "nets":
        print(json.dumps(sorted(n.id for n in conn.network.networks(tags=f"heatlike-stack={arg}"))))
        return 0
    raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    sys.exit(main())
