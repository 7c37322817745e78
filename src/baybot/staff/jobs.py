"""Corpus changes staff start from the Sources tab run in the background, one at a time per
server, with the same progress figures as the first load (/healthz); when one ends, the server
switches to the new index version before it reports done."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from baybot.errors import BayBotError, BusyError
from baybot.timing import Progress, Step
from baybot.types import JobStatus

log = logging.getLogger(__name__)

# The work: given the progress to report to, it changes the corpus and ingests, and returns
# the line staff read when it is done.
Work = Callable[[Progress], str]


class IndexJobs:
    """Runs one Work at a time in a thread; `after(progress)` (the server switching to the new
    index version) runs before the job counts as done."""

    def __init__(self, after: Callable[[Progress], object] | None = None) -> None:
        self.after = after
        self._lock = threading.Lock()
        self._status = JobStatus()
        self._progress: Progress | None = None
        self._started = 0.0

    def start(self, name: str, work: Work) -> JobStatus:
        """Start `work` in the background; BusyError while another job runs."""
        with self._lock:
            if self._status.running:
                raise BusyError(f"wait until {self._status.name!r} is done")
            self._progress = Progress()
            self._started = time.monotonic()
            self._status = JobStatus(name=name, state="running", step=Step.STARTING)
        threading.Thread(
            target=self._run, args=(name, work, self._progress), name="baybot-staff-job",
            daemon=True,
        ).start()  # fmt: skip
        return self.status()

    def status(self) -> JobStatus:
        with self._lock:
            status, progress = self._status, self._progress
            seconds = time.monotonic() - self._started if self._started else 0.0
        if not status.running or progress is None:
            return status
        now = progress.snapshot()
        return JobStatus(
            name=status.name, state="running", step=now.step, done=now.done, total=now.total,
            fraction=now.fraction, eta_s=now.eta_s, seconds=seconds,
        )  # fmt: skip

    def _run(self, name: str, work: Work, progress: Progress) -> None:
        state, message = "failed", "stopped unexpectedly"
        try:
            message = work(progress)
            if self.after is not None:
                progress.step(Step.SWITCHING)
                self.after(progress)
            state = "done"
        except BayBotError as exc:
            message = str(exc)
        except Exception as exc:  # a bug must still end the job, or the tab stays busy
            log.exception("staff job %r failed", name)
            message = f"{type(exc).__name__}: {exc}"
        finally:
            progress.close()
            with self._lock:
                self._status = JobStatus(
                    name=name, state=state, message=message,
                    seconds=time.monotonic() - self._started,
                )  # fmt: skip
            log.info("staff job %r %s: %s", name, state, message)
