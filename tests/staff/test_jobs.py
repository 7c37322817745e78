"""Background corpus changes of the Sources tab: one at a time, progress while running, the
index switch before done, and a failure reported with its reason."""

from __future__ import annotations

import threading
import time

import pytest

from baybot.errors import BusyError, SourceError
from baybot.staff.jobs import IndexJobs
from baybot.timing import STEP_WEIGHTS, Progress, Step

pytestmark = pytest.mark.unit


def wait(jobs: IndexJobs, deadline_s: float = 10.0):
    until = time.monotonic() + deadline_s
    while (status := jobs.status()).running:
        assert time.monotonic() < until
        time.sleep(0.01)
    return status


def test_one_change_at_a_time_with_progress_then_the_switch():
    switched: list[str] = []
    jobs = IndexJobs(after=lambda progress: switched.append("switched"))
    release = threading.Event()

    def work(progress: Progress) -> str:
        progress.step(Step.PASSAGES)
        progress.add(10)
        progress.advance(4)
        release.wait(10)
        return "1 added"

    assert jobs.status().state == "idle"
    jobs.start("add 1", work)
    until = time.monotonic() + 10
    while jobs.status().done < 4:
        assert time.monotonic() < until
        time.sleep(0.01)
    running = jobs.status()
    assert (running.state, running.step, running.done, running.total) == (
        "running", Step.PASSAGES, 4, 10,
    )  # fmt: skip
    assert running.fraction == pytest.approx(STEP_WEIGHTS[Step.PASSAGES] * 0.4)
    with pytest.raises(BusyError, match="add 1"):
        jobs.start("remove x", work)
    assert not switched  # the server switches only once the change is written
    release.set()
    done = wait(jobs)
    assert (done.state, done.message, switched) == ("done", "1 added", ["switched"])


def test_a_failed_change_says_why_and_frees_the_runner():
    switched: list[str] = []
    jobs = IndexJobs(after=lambda progress: switched.append("switched"))

    def fail(progress: Progress) -> str:
        raise SourceError("http://example.org/x: robots.txt does not allow fetching it")

    jobs.start("add 1", fail)
    failed = wait(jobs)
    assert failed.state == "failed" and "robots.txt" in failed.message
    assert not switched  # nothing was written, so no new version to load
    jobs.start("re-index", lambda progress: "nothing changed")  # not busy any more
    assert wait(jobs).state == "done"
