"""One way to time work: a Stopwatch per run, for the per-stage timings that searches, answers,
ingests and evaluations report."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager


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
