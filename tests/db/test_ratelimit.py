"""Shared rate limits: one counter per caller and window, correct under concurrent writers
from several processes (both back ends)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from baybot.db import Database, RateLimitRepository, SharedRateLimiter

NOW = 1_800_000_010.0  # 10 s into a minute window


def test_counts_per_key_and_window_and_says_how_long_to_wait(database: Database) -> None:
    limits = database.rate_limits
    assert [limits.hit("a", limit=2, now=NOW).allowed for _ in range(3)] == [True, True, False]
    refused = limits.hit("a", limit=2, now=NOW)
    assert (refused.count, refused.retry_after) == (4, 50)
    assert limits.hit("b", limit=2, now=NOW).allowed  # another caller has its own count
    next_window = limits.hit("a", limit=2, now=NOW + 50)
    assert next_window.allowed and next_window.count == 1


def test_the_limiter_purges_finished_windows(database: Database) -> None:
    limiter = SharedRateLimiter(database.rate_limits, per_minute=1)
    assert limiter.retry_after("c", now=NOW) == 0
    assert limiter.retry_after("c", now=NOW + 1) == 49
    assert limiter.retry_after("c", now=NOW + 60) == 0  # a new window; the old one is purged
    assert database.rate_limits.purge(before=NOW + 3600) == 1  # only the current window is left
    assert SharedRateLimiter(database.rate_limits, per_minute=0).retry_after("c", now=NOW) == 0


PROCESSES = 4
THREADS = 4
HITS_PER_THREAD = 30
LIMIT = 100  # well under the 480 requests, so most are refused


def _hammer(url: str, start: Barrier, results: Queue) -> None:
    """One replica: several threads sending requests of one caller as fast as they can."""
    repository = Database(url, migrate=False).rate_limits
    counts: list[int] = []
    lock = threading.Lock()
    ready = threading.Barrier(THREADS)

    def requests() -> None:
        ready.wait()
        for _ in range(HITS_PER_THREAD):
            decision = repository.hit("caller", limit=LIMIT, now=NOW)
            with lock:
                counts.append(decision.count if decision.allowed else -decision.count)

    threads = [threading.Thread(target=requests) for _ in range(THREADS)]
    start.wait()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(counts)


def test_replicas_hammering_one_key_are_allowed_exactly_the_limit(database: Database) -> None:
    """Each request must see its own count: two that read the same count would both be let
    through at the limit, which is the failure of a read-then-write counter."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(target=_hammer, args=(database.url, start, results))
        for _ in range(PROCESSES)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    counts = [count for _ in processes for count in results.get(timeout=120)]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    seconds = time.perf_counter() - started
    total = PROCESSES * THREADS * HITS_PER_THREAD
    allowed = [c for c in counts if c > 0]
    print(
        f"\n{database.backend}: {total} requests from {PROCESSES} processes x {THREADS} "
        f"threads in {seconds:.1f} s, {len(allowed)} allowed (limit {LIMIT})"
    )
    assert len(counts) == total
    assert sorted(abs(c) for c in counts) == list(range(1, total + 1))  # no count seen twice
    assert sorted(allowed) == list(range(1, LIMIT + 1))
    assert (
        RateLimitRepository(database.engine).hit("caller", limit=LIMIT, now=NOW).count == total + 1
    )
