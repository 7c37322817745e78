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


@dataclass(frozen=True)
class ProgressSnapshot:
    """Where loading stands: the current step, and over all vectors to compute, the share done,
    the rate and the seconds left (None until a rate is known)."""

    step: str
    done: int
    total: int
    rate: float | None
    eta_s: float | None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class Progress:
    """Thread-safe progress of one load: a tqdm bar on a terminal, else a log line at least
    every PROGRESS_LOG_INTERVAL_S seconds; `snapshot` serves /healthz and the page.

    Totals grow as work is discovered (`add`), so the share can step back when a later step
    finds more to compute; each step adds its whole total before it starts."""

    def __init__(self, *, terminal: bool = False, interval_s: float = PROGRESS_LOG_INTERVAL_S):
        self.terminal = terminal
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._step = "starting"
        self._context = ""
        self._done = self._total = 0
        self._started: float | None = None
        self._last_log = time.monotonic()
        self._bar: Any = None
        self._ticker: threading.Thread | None = None
        self._stopped = threading.Event()

    def step(self, name: str, context: str = "") -> None:
        """A new step (logged at once), e.g. "embedding passages"; `context` names its size."""
        with self._lock:
            self._step, self._context = name, context
        self._emit(force=True)

    def add(self, n: int) -> None:
        """`n` more units of work to do (vectors to compute)."""
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
                self._bar.set_description(self._step, refresh=False)
                self._bar.update(n)
        self._emit()

    def close(self) -> None:
        self._stopped.set()
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
        if self._total:
            self._emit(force=True)

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            done, total, started = self._done, self._total, self._started
            step = self._step
        rate = eta = None
        if started is not None and done:
            rate = done / max(time.monotonic() - started, 1e-9)
            eta = (total - done) / rate
        return ProgressSnapshot(step, done, total, rate, eta)

    def line(self) -> str:
        """E.g. "embedding passages (63 documents, 1,204 chunks): 1,020/3,612 vectors (28%),
        24.1/s, about 108 s left"."""
        s = self.snapshot()
        with self._lock:
            context = self._context
        head = f"{s.step} ({context})" if context else s.step
        if not s.total or s.done == s.total:
            return head
        text = f"{head}: {s.done:,}/{s.total:,} vectors ({s.fraction:.0%})"
        if s.rate is not None and s.eta_s is not None:
            text += f", {s.rate:.1f}/s, about {s.eta_s:.0f} s left"
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
