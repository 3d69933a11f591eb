"""Kill a live alarm migration between "replacement created" and "legacy alarm deleted".

  interrupt.py CLOUD PLAYBOOK_PID NAME OLD_ID

Finds the os_heatlike_alarm_migrate module process under PLAYBOOK_PID. Once it talks to Aodh,
it is run in slices of a few milliseconds: stopped (SIGSTOP), Aodh is asked whether the
replacement (``NAME [migrating]``) exists, continued. The devcloud's Aodh serves one request
at a time: a module stopped half-way through sending one holds Aodh up, so a question that
gets no answer within 15 s lets the module go on for another slice and is asked again. The moment the replacement exists the
module is still stopped, before it could read the creation's answer, read the alarm back and
send the delete: it and its ansible-playbook are killed (SIGKILL). Prints, as JSON, the
replacement's id and whether the legacy alarm OLD_ID still exists (Aodh's answer).
"""

import json
import os
import signal
import sys
import time
from urllib.parse import urlsplit

import openstack
import requests


def descendants(root: int) -> list[int]:
    """Pids of every descendant of ``root``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    children.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def module_pid(root: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        for pid in descendants(root):
            if read(f"/proc/{pid}/comm").startswith("python") and \
                    "AnsiballZ_os_heatlike_alarm_migrate" in read(f"/proc/{pid}/cmdline"):
                return pid
        time.sleep(0.02)
    raise SystemExit("no os_heatlike_alarm_migrate module process appeared")


def talks_to(pid: int, port: int) -> bool:
    """Whether ``pid`` has a TCP connection to ``port``."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return False
    for table in ("tcp", "tcp6"):
        for line in read(f"/proc/{pid}/net/{table}").splitlines()[1:]:
            cols = line.split()
            if len(cols) > 9 and int(cols[2].rsplit(":", 1)[1], 16) == port and cols[9] in inodes:
                return True
    return False


def stopped(pid: int) -> None:
    """Wait until ``pid`` is in the stopped state."""
    while read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()[:1] not in (["T"], ["t"], []):
        time.sleep(0.0005)


def main() -> int:
    cloud, root, name, old_id = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    conn = openstack.connect(cloud=cloud)
    alarming = {"service_type": "alarming"}
    endpoint = conn.session.get_endpoint(**alarming).rstrip("/")
    port = urlsplit(endpoint).port or 80
    headers = {"X-Auth-Token": conn.session.get_token()}

    def replacement() -> list | None:
        """The replacement alarms, or None when Aodh is held up by the stopped module."""
        params = [("q.field", "name"), ("q.op", "eq"), ("q.value", f"{name} [migrating]")]
        try:
            response = requests.get(f"{endpoint}/v2/alarms", params=params, headers=headers, timeout=15.0)
        except requests.Timeout:
            return None
        response.raise_for_status()
        return response.json()

    deadline = time.monotonic() + 120
    pid = module_pid(root, deadline)
    while not talks_to(pid, port):
        if time.monotonic() > deadline or not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the module never talked to Aodh")
        time.sleep(0.01)
    steps = held_up = 0
    while time.monotonic() < deadline:
        os.kill(pid, signal.SIGSTOP)
        stopped(pid)
        found = replacement()
        if found:
            os.kill(pid, signal.SIGKILL)
            os.killpg(root, signal.SIGKILL)
            response = conn.session.get(f"/v2/alarms/{old_id}", endpoint_filter=alarming, raise_exc=False)
            print(json.dumps({"new_id": found[0]["alarm_id"], "old_present": response.status_code == 200,
                              "steps": steps, "held_up": held_up}))
            return 0
        held_up += found is None
        os.kill(pid, signal.SIGCONT)
        steps += 1
        time.sleep(0.003)
        if not os.path.exists(f"/proc/{pid}"):
            raise SystemExit("the migration ended before its replacement alarm was seen")
    os.kill(pid, signal.SIGCONT)
    raise SystemExit("no replacement alarm appeared")


if __name__ == "__main__":
    sys.exit(main())
