"""Benchmark of the offline engine: load + validate + graph + creation waves.

For each size N (default 100, 1,000 and 5,000 resources) a child process is started so that
memory numbers do not leak from one size into the next.  The child writes the synthetic
template of ``bench/synth.py`` to a temporary directory (not timed), then calls
``stack.load_stack(path, parameters=...)``:

* once cold (the first call in a fresh process, as an Ansible module run does),
* ``--repeat`` more times, of which the median and minimum are reported,
* once more under ``tracemalloc`` for the peak of Python allocations;

and reports its ``ru_maxrss`` after the timed runs (whole process: interpreter, imports and
the peak; taken before the tracemalloc run, whose bookkeeping would inflate it).
``info s`` is the median time of ``to_info()`` plus its JSON serialization (what the
``os_heatlike_template_info`` module returns), outside the timed load.
``--dict`` passes the already parsed template instead of the path, which takes YAML parsing
out of the measurement.  ``--profile N`` runs one load of size N under cProfile and prints
the functions where the time goes (``file:line(function)``).

Targets (issue 2): 1,000 resources < 0.5 s, 5,000 < 3 s, peak memory < 250 MB.
Resource and size limits are raised for the run only when N needs it (5,000 resources
exceed the default ``max_resources`` of 1,000 and the 512 KiB template limit).

Run from the repository root: ``.venv/bin/python bench/engine_bench.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TARGET_SECONDS = {1000: 0.5, 5000: 3.0}
TARGET_PEAK_MB = 250.0


def collection_path() -> str:
    """Return a directory with ``ansible_collections/heatlike/cloud`` pointing at this repo."""
    build = os.path.join(REPO, ".build")
    if os.path.isdir(os.path.join(build, "ansible_collections", "heatlike", "cloud", "plugins")):
        return build
    root = os.path.join(tempfile.gettempdir(), f"heatlike-bench-{os.getuid()}")
    ns = os.path.join(root, "ansible_collections", "heatlike")
    os.makedirs(ns, exist_ok=True)
    link = os.path.join(ns, "cloud")
    if os.path.realpath(link) != os.path.realpath(REPO):
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(REPO, link)
    return root


def _limits(n: int, size: int) -> Any:
    """Default limits, raised only where this N needs it."""
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits
    limits = Limits()
    if limits.max_resources < n:
        limits.max_resources = n
    if limits.template_max_bytes < size:
        limits.template_max_bytes = size
    return limits


def child(n: int, repeat: int, seed: int, use_dict: bool, profile: bool) -> dict[str, Any]:
    """Measure one size in this process; return the numbers as a dict."""
    sys.path.insert(0, HERE)
    import synth  # noqa: E402  (bench-local module)

    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import stack as stack_mod
    with tempfile.TemporaryDirectory(prefix="heatlike-bench-") as tmp:
        path = os.path.join(tmp, f"synthetic_{n}.yaml")
        size = synth.write(path, n, seed)
        limits = _limits(n, size)
        # --dict: the template as Heat reads it (the version a string, not a YAML date)
        template: Any = json.loads(json.dumps(synth.generate(n, seed), default=str)) if use_dict else path

        def run() -> Any:
            return stack_mod.load_stack(template, parameters=dict(synth.PARAMETERS), limits=limits)

        if profile:
            prof = cProfile.Profile()
            prof.enable()
            run()
            prof.disable()
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(25)
            return {"n": n, "profile": out.getvalue()}

        gc.collect()
        start = time.perf_counter()
        result = run()
        cold = time.perf_counter() - start
        waves = len(result.creation_order)
        count = len(result.resources)
        del result
        times = []
        info_times = []
        for _run in range(repeat):
            gc.collect()
            start = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            json.dumps(result.to_info(), default=str)  # what template_info returns, serialized
            info_times.append(time.perf_counter() - start)
            del result
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # before tracemalloc's own overhead
        gc.collect()
        tracemalloc.start()
        result = run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del result
    return {
        "n": n,
        "bytes": size,
        "resources": count,
        "waves": waves,
        "cold": cold,
        "median": statistics.median(times) if times else cold,
        "min": min(times) if times else cold,
        "info": statistics.median(info_times) if info_times else 0.0,
        "peak_mb": peak / 1024.0 / 1024.0,
        "baseline_rss_mb": baseline_rss,
        "maxrss_mb": maxrss,
        "limits_raised": n > 1000 or size > 524_288,
    }


def run_child(n: int, args: argparse.Namespace, profile: bool = False) -> dict[str, Any]:
    """Run ``child`` for size ``n`` in a fresh interpreter; return its JSON answer."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [collection_path(), env.get("PYTHONPATH")]))
    cmd = [sys.executable, os.path.abspath(__file__), "--child", str(n), "--repeat", str(args.repeat),
           "--seed", str(args.seed)]
    if args.dict:
        cmd.append("--dict")
    if profile:
        cmd.append("--profile-child")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        return {"n": n, "error": "\n".join(tail) or f"exit code {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def verdict(row: dict[str, Any]) -> str:
    """'ok' / 'SLOW' / 'MEM' against the issue's targets ('-' when N has no time target)."""
    problems = []
    target = TARGET_SECONDS.get(row["n"])
    if target is not None and row["median"] >= target:
        problems.append("SLOW")
    if row["peak_mb"] >= TARGET_PEAK_MB or row["maxrss_mb"] >= TARGET_PEAK_MB:
        problems.append("MEM")
    if problems:
        return ",".join(problems)
    return "ok" if target is not None else "-"


def table(rows: list[dict[str, Any]]) -> str:
    """Format the results as a small fixed-width table."""
    head = (f"{'N':>6} {'KiB':>6} {'waves':>5} {'cold s':>7} {'median s':>8} {'min s':>6} "
            f"{'target':>6} {'py peak MB':>10} {'maxrss MB':>9} {'base MB':>7} {'info s':>6}  verdict")
    lines = [head, "-" * len(head)]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['n']:>6} FAILED: {row['error'].splitlines()[-1]}")
            continue
        target = TARGET_SECONDS.get(row["n"])
        lines.append(
            f"{row['n']:>6} {row['bytes'] / 1024:>6.0f} {row['waves']:>5} {row['cold']:>7.3f} "
            f"{row['median']:>8.3f} {row['min']:>6.3f} {('<' + str(target)) if target else '':>6} "
            f"{row['peak_mb']:>10.1f} {row['maxrss_mb']:>9.1f} {row['baseline_rss_mb']:>7.1f} {row['info']:>6.3f}  "
            f"{verdict(row)}{' (limits raised)' if row['limits_raised'] else ''}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit code 1 when a size fails or misses a target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated resource counts")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per size (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dict", action="store_true", help="pass the parsed template (no YAML parsing)")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON too")
    parser.add_argument("--profile", type=int, metavar="N", help="profile one load of N resources")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        print(json.dumps(child(args.child, args.repeat, args.seed, args.dict, args.profile_child)))
        return 0
    if args.profile:
        row = run_child(args.profile, args, profile=True)
        print(row.get("profile") or row.get("error"))
        return 0 if "profile" in row else 1

    rows = [run_child(int(n), args) for n in args.sizes.split(",") if n.strip()]
    mode = "parsed dict" if args.dict else "YAML file"
    print(f"heatlike engine benchmark: load_stack({mode}) + validate + graph + waves, "
          f"median of {args.repeat}, Python {sys.version.split()[0]}")
    print(table(rows))
    if args.json:
        print(json.dumps(rows, indent=1))
    failed = any("error" in r or verdict(r) not in ("ok", "-") for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
