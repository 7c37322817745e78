"""One way to time work: a Stopwatch per run, for the per-stage timings that searches, answers,
ingests and evaluations report, and Progress, for the loading figures a person waits on."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger("baybot.progress")

# A log file under nohup or a service manager gets a line at least this often while work runs:
# often enough to show it is alive, rarely enough to stay readable.
PROGRESS_LOG_INTERVAL_S = 5.0


class Stopwatch:
    """Started when made. `lap` records the milliseconds since the previous lap (searches and
    answers); `stage` adds up the seconds spent in a block (ingest)."""

    def __init__(self, digits: int = 2) -> None:
        self.digits = digits  # milliseconds are rounded to this many decimals
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}
        self.stages: defaultdict[str, float] = defaultdict(float)

    @staticmethod
    def now() -> float:
        return time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self.last) * 1000, self.digits)
        self.last = now

    def since_start(self, until: float | None = None) -> float:
        """Milliseconds from the start to `until` (default now), rounded."""
        return round(((until or time.perf_counter()) - self.started) * 1000, self.digits)

    def elapsed_ms(self) -> float:
        """Milliseconds since the start, unrounded."""
        return (time.perf_counter() - self.started) * 1000

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        begun = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] += time.perf_counter() - begun


class Step(StrEnum):
    """The steps of loading the index and the Assistant, in the order they run; the value is
    the English name that logs and /healthz show (the page shows it in the reader's language)."""

    STARTING = "starting"
    MODELS = "loading the models"
    READING = "reading the corpus"
    CHUNKING = "chunking"
    PASSAGES = "embedding passages"
    WRITING = "writing the index"
    SWITCHING = "loading the new index version"  # a staff change, once its index is written
    OPENING = "opening the index"
    SENTENCES = "embedding sentences"


# Each vector-computing step's share of a load that computes everything (no cache, no seed),
# from the time each took on the shipped corpus on 2 cores (527 chunks by e5 and USE; 1,269
# sentences with their titles by e5). The other steps take seconds and compute no vectors, so
# they carry no share.
PASSAGE_SECONDS = 250.0
SENTENCE_SECONDS = 320.0
STEP_WEIGHTS: dict[Step, float] = {
    Step.PASSAGES: PASSAGE_SECONDS / (PASSAGE_SECONDS + SENTENCE_SECONDS),
    Step.SENTENCES: SENTENCE_SECONDS / (PASSAGE_SECONDS + SENTENCE_SECONDS),
}


@dataclass(frozen=True)
class ProgressSnapshot:
    """Where loading stands: the current step and its vectors done of its total; over the
    whole load, the share done and the seconds left (None until a rate is known)."""

    step: Step
    done: int
    total: int
    rate: float | None
    fraction: float
    eta_s: float | None


class Progress:
    """Thread-safe progress of one load: a tqdm bar per step on a terminal, else a log line at
    least every PROGRESS_LOG_INTERVAL_S seconds; `snapshot` serves /healthz and the page.

    The share over the whole load never steps back: each step with vectors to compute counts
    for its STEP_WEIGHTS share, and a step found to have nothing to compute (all cached, or
    skipped: an unchanged index) gives its share to the others. Each step adds its whole
    total before it starts computing."""

    def __init__(self, *, terminal: bool = False, interval_s: float = PROGRESS_LOG_INTERVAL_S):
        self.terminal = terminal
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._step = Step.STARTING
        self._context = ""
        self._done = self._total = 0
        self._started: float | None = None  # when the current step's first vector was added
        self._finished: set[Step] = set()  # weighted steps that computed vectors
        self._dropped: set[Step] = set()  # weighted steps with nothing to compute
        self._pace: float | None = None  # seconds per unit of share in the last step computed
        self._last_log = time.monotonic()
        self._bar: Any = None
        self._ticker: threading.Thread | None = None
        self._stopped = threading.Event()

    def step(self, step: Step, context: str = "") -> None:
        """A new step (logged at once); `context` names its size. Steps come in Step order."""
        with self._lock:
            self._settle(before=step)
            self._step, self._context = step, context
            self._done = self._total = 0
            self._started = None
            if self._bar is not None:
                self._bar.close()
                self._bar = None
        self._emit(force=True)

    def add(self, n: int) -> None:
        """`n` more units of work to do in this step (vectors to compute)."""
        if n <= 0:
            return
        with self._lock:
            self._total += n
            if self._started is None:
                self._started = time.monotonic()
            start_ticker = not self.terminal and self._ticker is None
            if start_ticker:
                self._ticker = threading.Thread(
                    target=self._tick, name="baybot-progress", daemon=True
                )
            if self.terminal:
                if self._bar is None:
                    from tqdm import tqdm

                    self._bar = tqdm(total=self._total, unit="vec", desc=self._step)
                else:
                    self._bar.total = self._total
                    self._bar.refresh()
        if start_ticker:
            assert self._ticker is not None
            self._ticker.start()

    def advance(self, n: int) -> None:
        with self._lock:
            self._done += n
            if self._bar is not None:
                self._bar.update(n)
        self._emit()

    def close(self) -> None:
        self._stopped.set()
        with self._lock:
            self._settle(before=None)
            if self._bar is not None:
                self._bar.close()
                self._bar = None
        if self._total:
            self._emit(force=True)

    def _settle(self, before: Step | None) -> None:
        """Count the share of every weighted step before `before` (all when None) that is not
        counted yet: done if it is the current step and computed vectors, else dropped."""
        order = list(Step)
        for step, weight in STEP_WEIGHTS.items():
            if step in self._finished or step in self._dropped:
                continue
            if before is not None and order.index(step) >= order.index(before):
                continue
            if step == self._step and self._total:
                self._finished.add(step)
                self._pace = self._elapsed() / weight
            else:
                self._dropped.add(step)

    def _elapsed(self) -> float:
        return time.monotonic() - self._started if self._started is not None else 0.0

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            step, done, total = self._step, self._done, self._total
            weight = STEP_WEIGHTS.get(step, 0.0)
            counted = step in self._finished or step in self._dropped
            current = weight * done / total if total and not counted else 0.0
            left = sum(w for s, w in STEP_WEIGHTS.items() if s not in self._dropped)
            finished = sum(STEP_WEIGHTS[s] for s in self._finished)
            fraction = (finished + current) / left if left else 1.0
            elapsed, pace = self._elapsed(), self._pace
        rate = done / max(elapsed, 1e-9) if done else None
        if current:
            pace = elapsed / current  # seconds per unit of share, from this step's rate
        eta = pace * left * (1 - fraction) if pace is not None else None
        return ProgressSnapshot(step, done, total, rate, fraction, eta)

    def line(self) -> str:
        """E.g. "embedding passages (63 documents, 1,204 chunks): 1,020/3,612 vectors,
        24.1/s; 17% of the load done, about 108 s left"."""
        s = self.snapshot()
        with self._lock:
            context = self._context
        head = f"{s.step} ({context})" if context else str(s.step)
        if not s.total or s.done == s.total:
            return head
        text = f"{head}: {s.done:,}/{s.total:,} vectors"
        if s.rate is not None:
            text += f", {s.rate:.1f}/s"
        text += f"; {s.fraction:.0%} of the load done"
        if s.eta_s is not None:
            text += f", about {s.eta_s:.0f} s left"
        return text

    def _emit(self, force: bool = False) -> None:
        if self.terminal:
            return
        now = time.monotonic()
        with self._lock:
            due = force or now - self._last_log >= self.interval_s
            if due:
                self._last_log = now
        if due:
            log.info("%s", self.line())

    def _tick(self) -> None:
        """A line every interval even while one long batch runs."""
        while not self._stopped.wait(self.interval_s / 2):
            self._emit()
