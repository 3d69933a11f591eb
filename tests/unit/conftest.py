"""Session rules of the unit suite: under CI=true nothing is skipped (issue 10).

- The corpus (Heat's own answers, ``../shared/corpus`` next to the checkout) must be present
  under ``CI=true``: without it the run stops before collecting anything, with one line saying
  so (pytest exit status 4). Outside CI the corpus tests skip, and the summary says why.
- Under ``CI=true`` a test that skips anyway (``pytest.skip``, ``skipif``, ``importorskip``, at
  collection or run time) is reported as a failure naming the skip's reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CI = os.environ.get("CI") == "true"  # the same test as scripts/test's "${CI:-false}" = true
REPO = Path(__file__).resolve().parents[2]
#: where every corpus test reads it (each test file spells this path itself)
CORPUS = Path(os.path.realpath(REPO.parent / "shared" / "corpus"))
CORPUS_PARTS = ("heat-templates", "expected/heat-templates")


def corpus_problem() -> str | None:
    """Why the corpus cannot be used, or None when it is there."""
    for part in CORPUS_PARTS:
        path = CORPUS / part
        if not path.is_dir() or not any(path.iterdir()):
            return f"{path} is missing or empty"
    return None


def pytest_configure(config: pytest.Config) -> None:
    problem = corpus_problem()
    if problem and CI:
        raise pytest.UsageError(
            f"corpus missing under CI=true: {problem} (put Heat's answers at ../shared/corpus next to the checkout)"
        )


def pytest_report_header(config: pytest.Config) -> str:
    problem = corpus_problem()
    return f"corpus: {CORPUS}" if problem is None else f"corpus: ABSENT ({problem}): the corpus tests will skip"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    problem = corpus_problem()
    if problem:
        terminalreporter.write_line(f"corpus ABSENT ({problem}): the corpus tests were skipped", yellow=True)


def _fail_skip(report) -> None:
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may be skipped: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    _fail_skip(outcome.get_result())
