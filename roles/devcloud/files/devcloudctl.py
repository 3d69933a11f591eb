"""devcloudctl - tiny process supervisor for the heatlike devcloud.

Runs with the devcloud's service virtualenv Python (stdlib only, except the ``wsgi``
sub-command which needs gunicorn and the OpenStack packages of that virtualenv).

Every process it starts:
  * runs in its own session/process group (so a TERM to the group reaches its children),
  * logs stdout+stderr to $HOME_DIR/log/NAME.log,
  * has its pid in $HOME_DIR/run/NAME.pid,
  * carries HEATLIKE_DEVCLOUD_TAG=<home dir> in its environment, so ``stop`` can find and
    end stragglers (daemons that re-parent themselves, e.g. Erlang helpers) and nothing else.

Sub-commands:
  start NAME [--env K=V ...] -- CMD ...   start unless already running (idempotent)
  stop [NAME ...]                         stop the named services, or everything started
  status                                  one line per known service; exit 1 if one is down
  ensure < SPEC.json                      start each service of a JSON list not yet running
  wait TARGET ... [--timeout S]           wait for tcp:PORT / http URLs to answer
  paste SRC DST CONFIG_FILE ...           copy paste .ini files, pointing authtoken & co. at
                                          CONFIG_FILE (SRC may start with site: or prefix:)
  wsgi NAME PORT [CONFIG_FILE]            serve an OpenStack API on 127.0.0.1:PORT with gunicorn
  swift SCRIPT CONFIG_FILE [ARG ...]      run a Swift server or daemon with swift.conf read from
                                          CONFIG_FILE's directory (never /etc/swift)
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time

TAG_VAR = "HEATLIKE_DEVCLOUD_TAG"


def home_dir() -> str:
    """Return the devcloud state directory."""
    return os.environ.get("HEATLIKE_DEVCLOUD_HOME", "/var/lib/heatlike-devcloud")


def _pidfile(name: str) -> str:
    return os.path.join(home_dir(), "run", name + ".pid")


def _tagged(pid: int) -> bool:
    """True when process ``pid`` exists and was started by this devcloud."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            env = handle.read().split(b"\0")
    except OSError:
        return False
    return (TAG_VAR + "=" + home_dir()).encode() in env


def _read_pid(name: str) -> int | None:
    try:
        with open(_pidfile(name), encoding="ascii") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 is the state)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _session(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[3]) if fields else None


def running(name: str) -> int | None:
    """Return the pid of service ``name`` when it runs, else None.

    Every service is started as a session leader, so a live, non-zombie process whose
    session id is its own pid is ours (environ tags are not enough: setproctitle, used by
    gunicorn and oslo.service, overwrites /proc/PID/environ).
    """
    pid = _read_pid(name)
    if pid is None:
        return None
    fields = _stat(pid)
    if not fields or fields[0] == "Z" or int(fields[3]) != pid:
        return None
    return pid


def cmd_start(args: argparse.Namespace) -> int:
    """Start one service unless it already runs."""
    pid = running(args.name)
    if pid:
        print(f"{args.name}: running (pid {pid})")
        return 0
    for sub in ("run", "log"):
        os.makedirs(os.path.join(home_dir(), sub), mode=0o700, exist_ok=True)
    env = dict(os.environ)
    env[TAG_VAR] = home_dir()
    env["HEATLIKE_DEVCLOUD_HOME"] = home_dir()
    env.setdefault("PYTHONUNBUFFERED", "1")
    for item in args.env or []:
        key, _sep, value = item.partition("=")
        env[key] = value
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("start: no command given", file=sys.stderr)
        return 2
    log = open(os.path.join(home_dir(), "log", args.name + ".log"), "ab")  # noqa: SIM115
    log.write(f"\n==== {time.strftime('%Y-%m-%dT%H:%M:%S')} start {' '.join(command)}\n".encode())
    log.flush()
    proc = subprocess.Popen(  # noqa: S603
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
        cwd=home_dir(),
        close_fds=True,
    )
    with open(_pidfile(args.name), "w", encoding="ascii") as handle:
        handle.write(str(proc.pid))
    time.sleep(args.settle)
    if proc.poll() is not None:
        print(f"{args.name}: exited at once with {proc.returncode}; see log/{args.name}.log",
              file=sys.stderr)
        return 1
    print(f"{args.name}: started (pid {proc.pid})")
    return 0


def _known() -> list[str]:
    run = os.path.join(home_dir(), "run")
    if not os.path.isdir(run):
        return []
    return sorted(f[:-4] for f in os.listdir(run) if f.endswith(".pid"))


def _stragglers(sessions: set[int]) -> list[int]:
    """Processes in one of our sessions, or carrying our environment tag."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        fields = _stat(pid)
        if not fields or fields[0] == "Z":
            continue
        if int(fields[3]) in sessions or _tagged(pid):
            out.append(pid)
    return out


def _signal_group(pid: int, sig: int) -> None:
    for target in (lambda: os.killpg(pid, sig), lambda: os.kill(pid, sig)):
        try:
            target()
            return
        except ProcessLookupError:
            continue
        except PermissionError:
            continue


def cmd_stop(args: argparse.Namespace) -> int:
    """TERM every (named) service's process group, wait, then KILL what is left."""
    names = args.names or _known()
    pids = {}
    for name in names:
        pid = running(name)
        if pid:
            pids[name] = pid
            _signal_group(pid, signal.SIGTERM)
    deadline = time.time() + args.timeout
    while time.time() < deadline and any(running(n) for n in pids):
        time.sleep(0.2)
    for name, pid in pids.items():
        if running(name):
            print(f"{name}: did not stop in {args.timeout}s, killing", file=sys.stderr)
            _signal_group(pid, signal.SIGKILL)
    # End what is left of those sessions (children that outlived their leader) and, on a
    # whole-cloud stop, anything else carrying our tag (helpers that re-parented themselves).
    sessions = set(pids.values())
    for _attempt in range(50):
        left = [p for p in _stragglers(sessions) if args.names is None or not args.names
                or _session(p) in sessions]
        if not left:
            break
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    for name in names:
        if not running(name):
            try:
                os.unlink(_pidfile(name))
            except FileNotFoundError:
                pass
        print(f"{name}: stopped")
    return 0


def cmd_status(_args: argparse.Namespace) -> int:
    """Print the state of each service started by the devcloud."""
    rc = 0
    for name in _known():
        pid = running(name)
        print(f"{name:22} {'running pid ' + str(pid) if pid else 'DOWN'}")
        if not pid:
            rc = 1
    if not _known():
        print("no devcloud service has been started")
        rc = 1
    return rc


def cmd_paste(args: argparse.Namespace) -> int:
    """Copy paste inis so keystonemiddleware & co. read our config file, not /etc/<project>.

    Arguments are triples SRC DST CONFIG_FILE; prints `changed DST` for each file written.
    """
    import sysconfig

    if len(args.triples) % 3:
        print("paste: arguments must be SRC DST CONFIG_FILE triples", file=sys.stderr)
        return 2
    for i in range(0, len(args.triples), 3):
        src, dst, config = args.triples[i:i + 3]
        if src.startswith("site:"):
            src = os.path.join(sysconfig.get_paths()["purelib"], src[5:])
        elif src.startswith("prefix:"):
            src = os.path.join(sys.prefix, src[7:])
        with open(src, encoding="utf-8") as handle:
            text = handle.read()
        # Keep the project name (cors & co. need it) and add the file to read it from.
        text = re.sub(r"(?m)^(oslo_config_project\s*=.*)$", rf"\1\noslo_config_file = {config}",
                      text)
        if os.path.exists(dst):
            with open(dst, encoding="utf-8") as handle:
                if handle.read() == text:
                    continue
        with open(dst + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(dst + ".tmp", dst)
        print("changed", dst)
    return 0


def cmd_ensure(_args: argparse.Namespace) -> int:
    """Start every service of a JSON list on stdin ([{name, cmd, env?}]) that is not running.

    Prints `started NAME` for each one started.
    """
    import json

    rc = 0
    for spec in json.load(sys.stdin):
        if running(spec["name"]):
            continue
        sub = argparse.Namespace(
            name=spec["name"], settle=0.0, command=[str(c) for c in spec["cmd"]],
            env=[f"{k}={v}" for k, v in (spec.get("env") or {}).items()])
        if cmd_start(sub) != 0:
            rc = 1
    return rc


def cmd_wait(args: argparse.Namespace) -> int:
    """Wait until every TARGET answers: `tcp:PORT` accepts, or an http URL gives a status < 500."""
    import socket
    import urllib.error
    import urllib.request

    def ready(target: str) -> bool:
        if target.startswith("tcp:"):
            try:
                with socket.create_connection(("127.0.0.1", int(target[4:])), timeout=2):
                    return True
            except OSError:
                return False
        try:
            with urllib.request.urlopen(target, timeout=5):  # noqa: S310 - loopback only
                return True
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except OSError:
            return False

    pending = list(args.targets)
    deadline = time.time() + args.timeout
    while pending:
        pending = [t for t in pending if not ready(t)]
        if pending and time.time() > deadline:
            print(f"not answering after {args.timeout}s: {' '.join(pending)}", file=sys.stderr)
            return 1
        if pending:
            time.sleep(1)
    return 0


# ---------------------------------------------------------------- WSGI serving
def _load_app(name: str, config: str):  # noqa: ANN202 - a WSGI callable
    """Import service ``name``'s WSGI application, configured from our files only."""
    conf_dir = os.path.dirname(config)
    if name == "keystone":
        os.environ["OS_KEYSTONE_CONFIG_DIR"] = conf_dir
        os.environ["OS_KEYSTONE_CONFIG_FILES"] = os.path.basename(config)
        from keystone.wsgi import api
    elif name == "placement":
        os.environ["OS_PLACEMENT_CONFIG_DIR"] = conf_dir
        from placement.wsgi import api
    elif name == "nova-api":
        os.environ["OS_NOVA_CONFIG_DIR"] = conf_dir
        os.environ["OS_NOVA_CONFIG_FILES"] = "api-paste.ini;nova.conf"
        from nova.wsgi import osapi_compute as api
    elif name == "neutron-api":
        os.environ["OS_NEUTRON_CONFIG_DIR"] = conf_dir
        os.environ["OS_NEUTRON_CONFIG_FILES"] = "neutron.conf;ml2_conf.ini"
        from neutron.wsgi import api
    elif name == "glance-api":
        os.environ["OS_GLANCE_CONFIG_DIR"] = conf_dir
        from glance.wsgi import api
    elif name == "cinder-api":
        from cinder.wsgi import api
    elif name == "heat-api":
        from heat.wsgi import api
    elif name == "gnocchi-api":
        from gnocchi.wsgi import api
    elif name == "aodh-api":
        from aodh import service
        from aodh.api import app

        conf = service.prepare_service(argv=["--config-file", config], with_gmr=False,
                                       prog="aodh-api")
        return app.load_app(conf)
    else:
        raise SystemExit(f"wsgi: unknown service {name}")
    return api.application


def cmd_wsgi(args: argparse.Namespace) -> int:
    """Serve one API with gunicorn, run programmatically with a clean argv."""
    # Imported before gunicorn forks: importing it later in a worker can fail with
    # "can't register atexit after shutdown" (seen with glance).
    import concurrent.futures.thread  # noqa: F401

    from gunicorn.app.base import BaseApplication

    name, config = args.name, args.config
    # The services parse sys.argv with oslo.config at import: give them only our config file.
    # Services that find their files from environment variables get no --config-file (it
    # would replace the file list, e.g. neutron's neutron.conf + ml2_conf.ini).
    by_argv = name in ("cinder-api", "heat-api", "gnocchi-api")
    clean_argv = [name] + (["--config-file", config] if config and by_argv else [])

    class _App(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"127.0.0.1:{args.port}",
                "workers": 1,
                "worker_class": args.worker_class,
                "threads": args.threads,
                "timeout": 600,
                "graceful_timeout": 5,
                "proc_name": name,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):  # noqa: ANN202
            sys.argv = list(clean_argv)
            return _load_app(name, config)

    sys.argv = list(clean_argv)
    _App().run()
    return 0


def cmd_swift(args: argparse.Namespace) -> int:
    """Run Swift's console script ``args.script`` with swift_dir = the config file's directory.

    Swift's WSGI servers honour ``swift_dir`` for swift.conf, but its daemons (the object
    expirer) and their internal clients read /etc/swift/swift.conf: point every one here first.
    """
    from importlib.metadata import entry_points

    from swift.common import utils

    utils.set_swift_dir(os.path.dirname(os.path.abspath(args.config)))
    found = [e for e in entry_points(group="console_scripts") if e.name == args.script]
    if not found or not args.script.startswith("swift-"):
        print(f"swift: no Swift console script {args.script}", file=sys.stderr)
        return 2
    sys.argv = [args.script, args.config, *args.rest]
    result = found[0].load()()
    return int(result or 0)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="devcloudctl")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start")
    p.add_argument("name")
    p.add_argument("--env", action="append")
    p.add_argument("--settle", type=float, default=0.5)
    p.add_argument("command", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("stop")
    p.add_argument("names", nargs="*")
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=cmd_stop)
    p = sub.add_parser("status")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("paste")
    p.add_argument("triples", nargs="+")
    p.set_defaults(func=cmd_paste)
    p = sub.add_parser("ensure")
    p.set_defaults(func=cmd_ensure)
    p = sub.add_parser("wait")
    p.add_argument("targets", nargs="+")
    p.add_argument("--timeout", type=float, default=240)
    p.set_defaults(func=cmd_wait)
    p = sub.add_parser("wsgi")
    p.add_argument("name")
    p.add_argument("port", type=int)
    p.add_argument("config", nargs="?")
    p.add_argument("--worker-class", default="sync")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=cmd_wsgi)
    p = sub.add_parser("swift")
    p.add_argument("script")
    p.add_argument("config")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_swift)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
