"""Crash safety of heatlike.cloud.os_heatlike_stack, killed at points chosen by progress.

    python crash.py <cloud> <stack> <state_dir> <report.json>

Drives ``ansible-playbook run.yml`` (which runs the module on stack.yaml) through the four
phases of a stack's life:

    create   nothing            -> label a, user_data one   (8 physical ids recorded)
    update   label a -> b       (7 resources changed in place: tags, descriptions, metadata)
    replace  user_data one -> two (both servers deleted and re-created, the attachment moved)
    delete   state: absent      (8 resources deleted, dependants first)

Each phase's run is SIGKILLed (every process group of it: ansible-playbook, its worker and
the module's python) as soon as the stack record shows the k-th write of the phase, for k =
1, the middle and the last-but-one of the phase's writes: the first run is killed at k=1,
the run that resumes it at the middle, the next at the last-but-one. A write is read from
the record the engine flushes the moment an API call returned (see ``steps``). Each kill
must land after a write of its own run and before the phase's last write. Then the run is
repeated to the end through ansible-playbook: it must converge, a second run must change
nothing, and openstacksdk must find, by ownership marks, exactly one physical resource per
logical name for every type the template uses (or none after absent), with the ids the
module returned and the record holds.

Prints one line per kill (phase, k, writes seen) and a JSON report (also written to
<report.json>); exits 1 with a message naming the phase and k on the first failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import openstack

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "stack.yaml")
PLAYBOOK = os.path.join(HERE, "run.yml")

#: logical name -> type: every resource of stack.yaml (checked against the template below)
RESOURCES = {"sg": "OS::Neutron::SecurityGroup", "net": "OS::Neutron::Net", "subnet": "OS::Neutron::Subnet",
             "port": "OS::Neutron::Port", "volume": "OS::Cinder::Volume", "server": "OS::Nova::Server",
             "server2": "OS::Nova::Server", "attach": "OS::Cinder::VolumeAttachment"}
V1 = {"label": "a", "user_data": "#!/bin/sh\necho one\n"}
V2 = {"label": "b", "user_data": "#!/bin/sh\necho one\n"}
V3 = {"label": "b", "user_data": "#!/bin/sh\necho two\n"}
#: phase -> (parameters or None for absent, writes the whole phase makes)
PHASES = [
    ("create", V1, len(RESOURCES)),             # one physical id per resource
    ("update", V2, len(RESOURCES) - 1),         # every resource but the attachment
    ("replace", V3, 2 + 2 + 1),                 # per server: old deleted, new recorded; attachment moved
    ("delete", None, len(RESOURCES)),           # one dropped entry per resource
]
POLL = 0.01          # seconds between looks at the record (a look is one stat)
RUN_LIMIT = 600      # a run that takes longer than this is hung: fail


class Failed(Exception):
    """The target fails with this one-line message."""


def log(msg: str) -> None:
    print(msg, flush=True)


def kill_points(total: int) -> list[int]:
    """k = 1, the middle and the last-but-one write of a phase of ``total`` writes."""
    return sorted({1, max(1, total // 2), max(1, total - 1)})


# ---- the record ------------------------------------------------------------------------
def read_record(path: str) -> dict | None:
    """The stack record (written atomically by the engine), or None when there is none."""
    try:
        with open(path) as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None


def steps(before: dict | None, after: dict | None) -> int:
    """Writes the engine recorded for one resource between two records.

    An entry gone = deleted (1). Other property digests on the same physical id, or on an
    entry reading UPDATE_* (an attachment moved to a new server) = updated in place (1).
    Otherwise by physical id: the old id left the entry (the old resource was deleted, 1) and
    a new id was recorded (the API created it, 1).
    """
    if after is None:
        return 1 if before is not None else 0
    before = before or {}
    old, new = before.get("physical_id"), after.get("physical_id")
    if after.get("digests") != before.get("digests") and (
            (old is not None and new == old) or str(after.get("status", "")).startswith("UPDATE")):
        return 1
    return int(old is not None and new != old) + int(new is not None and new != old)


def progress(start: dict | None, now: dict | None) -> int:
    """Writes of the phase so far: the record ``now`` against the record at the phase's start."""
    a = (start or {}).get("resources") or {}
    b = (now or {}).get("resources") or {}
    return sum(steps(a.get(n), b.get(n)) for n in set(a) | set(b))


# ---- ansible-playbook --------------------------------------------------------------------
class Runner:
    """Starts run.yml through ansible-playbook in its own process group."""

    def __init__(self, cloud: str, stack: str, state_dir: str, work: str) -> None:
        self.cloud, self.stack, self.state_dir, self.work = cloud, stack, state_dir, work
        self.record_path = os.path.join(state_dir, f"{stack}.json")
        self.playbook = os.environ.get("HEATLIKE_ANSIBLE_PLAYBOOK") or shutil.which(
            "ansible-playbook", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        if not self.playbook:
            raise Failed("no ansible-playbook next to the python running this script nor on PATH")
        self.runs = 0

    def start(self, params: dict | None, twice: bool) -> tuple[subprocess.Popen, str, str]:
        self.runs += 1
        out = os.path.join(self.work, f"result-{self.runs}.json")
        log_path = os.path.join(self.work, f"run-{self.runs}.log")
        extra = {"cloud": self.cloud, "stack": self.stack, "state_dir": self.state_dir, "template_path": TEMPLATE,
                 "stack_state": "absent" if params is None else "present", "stack_parameters": params or {},
                 "twice": twice, "out": out, "ansible_python_interpreter": sys.executable}
        env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCAL_TEMP=os.path.join(self.work, "local-tmp"),
                   ANSIBLE_REMOTE_TMP=os.path.join(self.work, "remote-tmp"))
        with open(log_path, "w") as fh:
            proc = subprocess.Popen([self.playbook, "-i", "localhost,", "-c", "local", PLAYBOOK,
                                     "-e", json.dumps(extra)],
                                    stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        return proc, out, log_path

    def converge(self, phase: str, params: dict | None) -> dict:
        """Run to the end, twice in one play (the second must change nothing); the results.

        The first run may change nothing in the cloud: the killed run's last call can land
        after the kill (the record then takes it, see ``main``'s count of the phase's writes)."""
        proc, out, log_path = self.start(params, twice=True)
        try:
            rc = proc.wait(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise Failed(f"{phase}: the rerun did not end within {RUN_LIMIT}s (log {log_path})") from None
        if rc != 0:
            raise Failed(f"{phase}: the rerun failed (rc {rc}): {tail(log_path)}")
        with open(out) as fh:
            doc = json.load(fh)
        first = doc["first"]
        if first.get("failed"):
            raise Failed(f"{phase}: the rerun failed: {first.get('msg')}")
        return doc

    def kill_at(self, phase: str, params: dict | None, k: int, total: int, start: dict | None) -> dict:
        """Start the phase's run, SIGKILL it once the record shows write ``k`` of the phase.

        ``start`` is the record at the phase's start (earlier kills of the phase count); the
        run is killed only after a write of its own.
        """
        before = progress(start, read_record(self.record_path))
        proc, _out, log_path = self.start(params, twice=False)
        deadline = time.monotonic() + RUN_LIMIT
        last_sig = None
        seen = before
        while True:
            try:
                st = os.stat(self.record_path)
                sig = (st.st_mtime_ns, st.st_size, st.st_ino)
            except FileNotFoundError:
                sig = None
            if sig != last_sig:
                last_sig = sig
                seen = progress(start, read_record(self.record_path))
                if seen >= k and seen > before:
                    break
            if proc.poll() is not None:
                raise Failed(f"{phase} k={k}: the run ended (rc {proc.returncode}) after {seen} of {total} writes,"
                             f" before write {k}: {tail(log_path)}")
            if time.monotonic() > deadline:
                kill_group(proc)
                raise Failed(f"{phase} k={k}: no write {k} within {RUN_LIMIT}s (saw {seen})")
            time.sleep(POLL)
        members = kill_group(proc)
        module = [p for p, cmd in members if "AnsiballZ_os_heatlike_stack" in cmd]
        after = progress(start, read_record(self.record_path))
        kill = {"phase": phase, "k": k, "total": total, "writes_before_run": before, "writes_at_kill": seen,
                "writes_after_kill": after, "killed_processes": len(members), "module_pids": module}
        log(f"crash: killed ansible-playbook (pid {proc.pid}, {len(members)} processes, module pid"
            f" {module or 'none'}) in {phase} after write {seen} of {total} (k={k}; this run's writes:"
            f" {before + 1}..{after}; the record after the kill: {after})")
        if not module:
            raise Failed(f"{phase} k={k}: the killed process group held no os_heatlike_stack module process")
        if not before < after < total:
            raise Failed(f"{phase} k={k}: the kill did not land between the run's first write and the phase's"
                         f" last one (the record shows {before} before the run, {after} of {total} after the kill)")
        return kill


def processes() -> dict[int, tuple[int, int, str]]:
    """Live (not zombie) processes: pid -> (parent pid, process group, command line)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            found[int(entry)] = (int(fields[1]), int(fields[2]), cmd)
    return found


def tree(root: int, procs: dict[int, tuple[int, int, str]]) -> set[int]:
    """``root`` and its live descendants."""
    members, grew = {root} & set(procs), True
    while grew:
        more = {pid for pid, (ppid, _g, _c) in procs.items() if ppid in members} - members
        members |= more
        grew = bool(more)
    return members


def kill_group(proc: subprocess.Popen) -> list[tuple[int, str]]:
    """SIGKILL every process group of the run: ansible-playbook's own and those of its workers.

    ansible-core's workers call setsid(), so the module's python is not in ansible-playbook's
    process group; each process of the tree is stopped first (none can fork away), then every
    process group in the tree is killed. Returns the members (pid, command line); fails when
    one survives.
    """
    stopped: set[int] = set()
    procs = processes()
    members = tree(proc.pid, procs)
    while members - stopped:
        for pid in members - stopped:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        stopped |= members
        procs = processes()
        members = tree(proc.pid, procs) | (stopped & set(procs))
    groups = {procs[pid][1] for pid in members if pid in procs} | {proc.pid}
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    deadline = time.monotonic() + 30
    while set(processes()) & members:
        if time.monotonic() > deadline:
            raise Failed(f"processes of the killed run still live: {sorted(set(processes()) & members)}")
        time.sleep(POLL)
    return sorted((pid, procs[pid][2]) for pid in members if pid in procs)


def tail(path: str, lines: int = 6) -> str:
    with open(path, errors="replace") as fh:
        text = [line.strip() for line in fh if line.strip()]
    picked = [line for line in text if line.startswith(("fatal", "failed", "ERROR", "msg", "\"msg\""))] or text
    return " | ".join(picked[-lines:])[-1500:]


# ---- the cloud -----------------------------------------------------------------------------
def inventory(conn, stack: str) -> dict:
    """What the project holds for ``stack``, found by ownership marks (state/ownership.py).

    ``owned``: logical name -> [{"type", "id"}] for every type stack.yaml uses: Neutron
    resources by their stack and resource tags, servers and volumes by their metadata,
    attachments from the owned volumes. ``unmarked``: resources named ``<stack>-*`` (the
    engine's default names) without the marks, i.e. orphans no rerun could adopt.
    """
    stack_tag = "heatlike-stack=" + stack
    owned: dict[str, list] = {}
    unmarked = []

    def add(logical, rtype, pid):
        owned.setdefault(logical, []).append({"type": rtype, "id": pid})

    neutron = [("OS::Neutron::SecurityGroup", conn.network.security_groups),
               ("OS::Neutron::Net", conn.network.networks), ("OS::Neutron::Subnet", conn.network.subnets),
               ("OS::Neutron::Port", conn.network.ports)]
    for rtype, lister in neutron:
        for obj in lister():
            tags = set(obj.tags or [])
            if stack_tag in tags:
                res = [t.split("=", 1)[1] for t in tags if t.startswith("heatlike-res=")]
                add(res[0] if len(res) == 1 else f"?{sorted(res)}", rtype, obj.id)
            elif (obj.name or "").startswith(stack + "-"):
                unmarked.append({"type": rtype, "id": obj.id, "name": obj.name})
    volumes = []
    for vol in conn.block_storage.volumes(details=True):
        meta = vol.metadata or {}
        if meta.get("heatlike_stack") == stack:
            add(meta.get("heatlike_resource"), "OS::Cinder::Volume", vol.id)
            volumes.append(vol)
        elif (vol.name or "").startswith(stack + "-"):
            unmarked.append({"type": "OS::Cinder::Volume", "id": vol.id, "name": vol.name})
    for srv in conn.compute.servers(details=True):
        meta = srv.metadata or {}
        if meta.get("heatlike_stack") == stack:
            add(meta.get("heatlike_resource"), "OS::Nova::Server", srv.id)
        elif (srv.name or "").startswith(stack + "-"):
            unmarked.append({"type": "OS::Nova::Server", "id": srv.id, "name": srv.name})
    for vol in volumes:
        for att in vol.attachments or []:
            add("attach", "OS::Cinder::VolumeAttachment", f"{att.get('server_id')}:{vol.id}")
    return {"owned": owned, "unmarked": unmarked}


def check_converged(phase: str, inv: dict, result: dict, record: dict | None, present: bool) -> None:
    """Exactly one physical resource per logical name, of the right type, with the module's
    ids and the record's (or nothing at all after absent); no unmarked leftovers."""
    owned, unmarked = inv["owned"], inv["unmarked"]
    if unmarked:
        raise Failed(f"{phase}: unmarked resources named for the stack are left: {unmarked}")
    if not present:
        if owned:
            raise Failed(f"{phase}: absent left marked resources: {owned}")
        if record is not None:
            raise Failed(f"{phase}: absent left the stack record")
        return
    if set(owned) != set(RESOURCES):
        raise Failed(f"{phase}: logical names found in the cloud {sorted(owned)} != the template's "
                     f"{sorted(RESOURCES)}")
    returned = result["first"]["resources"]
    for name, rtype in RESOURCES.items():
        items = owned[name]
        if len(items) != 1:
            raise Failed(f"{phase}: {len(items)} physical resources carry the marks of {name} ({rtype}): {items}")
        if items[0]["type"] != rtype:
            raise Failed(f"{phase}: {name} is a {items[0]['type']} in the cloud, the template says {rtype}")
        if returned[name]["physical_id"] != items[0]["id"]:
            raise Failed(f"{phase}: the module returned {returned[name]['physical_id']} for {name}, the cloud"
                         f" holds {items[0]['id']}")
        entry = (record or {}).get("resources", {}).get(name) or {}
        if entry.get("physical_id") != items[0]["id"] or not str(entry.get("status")).endswith("COMPLETE"):
            raise Failed(f"{phase}: the record has {entry.get('physical_id')} ({entry.get('status')}) for {name},"
                         f" the cloud holds {items[0]['id']}")
    if owned["attach"][0]["id"] != f"{owned['server'][0]['id']}:{owned['volume'][0]['id']}":
        raise Failed(f"{phase}: the volume is attached as {owned['attach'][0]['id']}, not to the stack's server")


def delete_unmarked(conn, stack: str) -> list:
    """After a failure: delete what no rerun can adopt (the task's cleanup deletes the rest)."""
    deleters = {"OS::Neutron::SecurityGroup": conn.network.delete_security_group,
                "OS::Neutron::Port": conn.network.delete_port, "OS::Neutron::Subnet": conn.network.delete_subnet,
                "OS::Neutron::Net": conn.network.delete_network, "OS::Nova::Server": conn.compute.delete_server,
                "OS::Cinder::Volume": conn.block_storage.delete_volume}
    done = []
    for item in inventory(conn, stack)["unmarked"]:
        try:
            deleters[item["type"]](item["id"])
            done.append(item["id"])
        except Exception as exc:  # noqa: BLE001 - best effort, reported
            log(f"crash: could not delete the unmarked {item['type']} {item['id']}: {exc}")
    return done


def counts(inv: dict) -> dict:
    """Per type: how many physical resources the marks find."""
    out: dict[str, int] = {}
    for items in inv["owned"].values():
        for item in items:
            out[item["type"]] = out.get(item["type"], 0) + 1
    return out


def check_template() -> None:
    """RESOURCES must be stack.yaml's resources (so no type escapes the count)."""
    import yaml  # ansible's own dependency

    with open(TEMPLATE) as fh:
        doc = yaml.safe_load(fh)
    found = {n: r["type"] for n, r in doc["resources"].items()}
    if found != RESOURCES:
        raise Failed(f"stack.yaml's resources {found} != the ones this script counts {RESOURCES}")


# ---- the cycles ------------------------------------------------------------------------------
def main() -> int:
    cloud, stack, state_dir, report_path = sys.argv[1:5]
    check_template()
    conn = openstack.connect(cloud=cloud)  # the stack's own project: its servers, volumes, networks
    work = tempfile.mkdtemp(prefix="hlit-crash-")
    runner = Runner(cloud, stack, state_dir, work)
    report: dict = {"kills": [], "phases": [], "ok": False}
    t0 = time.monotonic()
    try:
        runner.converge("setup", None)
        inv = inventory(conn, stack)
        check_converged("setup", inv, {}, read_record(runner.record_path), present=False)
        for phase, params, total in PHASES:
            start = read_record(runner.record_path)
            kills = [runner.kill_at(phase, params, k, total, start) for k in kill_points(total)]
            result = runner.converge(phase, params)
            record = read_record(runner.record_path)
            whole = progress(start, record)
            if whole < total or kills[-1]["writes_after_kill"] >= whole:
                raise Failed(f"{phase}: the killed runs and the rerun made {whole} writes; this script expects"
                             f" {total}, of which the killed runs made {kills[-1]['writes_after_kill']}")
            inv = inventory(conn, stack)
            check_converged(phase, inv, result, record, present=params is not None)
            report["phases"].append({"phase": phase, "writes": whole, "counts": counts(inv),
                                     "rerun_plan": len(result["first"]["plan"])})
            report["kills"].extend(kills)
            log(f"crash: {phase}: after {len(kills)} kills the rerun converged ({whole} writes in all); the cloud"
                f" holds {counts(inv) or 'nothing'}")
        report["ok"] = True
        return 0
    except Failed as exc:
        report["error"] = str(exc)
        log(f"crash: FAILED: {exc}")
        report["unmarked_deleted"] = delete_unmarked(conn, stack)
        return 1
    finally:
        report["seconds"] = round(time.monotonic() - t0, 1)
        report["playbook_runs"] = runner.runs
        with open(report_path, "w") as fh:
            json.dump(report, fh)
        print(json.dumps(report), flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
