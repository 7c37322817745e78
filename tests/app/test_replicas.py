"""Two read-only replicas, as deploy/compose.yaml runs them: two `baybot serve --read-only`
processes on 127.0.0.1 over one index folder and one PostgreSQL (embedded). Feedback written
through either lands in one table, a staff session started on one works on the other, the rate
limit holds in total across both, and an index version published by `baybot ingest` during a
stream of requests is picked up by both with no failed request. Small corpus, default models
(quick to start in a process: see conftest.DEFAULT_MODELS)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from gradio_client import Client

from baybot import Settings, ingest
from baybot.auth import StaffAccounts
from baybot.db import Database, FeedbackFilter
from tests.app.test_server import start, watch_health
from tests.conftest import CORPUS, copy_corpus
from tests.postgres import drop_postgres_database, fresh_postgres_url
from tests.servers import free_port, sign_in, stop

PER_MINUTE = 100  # each caller's allowance; the burst below sends more than that
BURST = 130
PUBLISHED = "gd-shenzhen-talent-measures-2023.md"  # not in the small corpus
STREAM_KEYS = ("stream-a", "stream-b", "stream-c")  # the stream's own allowances
PASSWORD = "replica staff password"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, cache_dir, postgres_uri) -> Iterator[dict]:
    base = tmp_path_factory.mktemp("replicas")
    corpus = copy_corpus(base / "corpus")
    url = fresh_postgres_url(postgres_uri)
    env = {
        "BAYBOT_CORPUS_DIR": str(corpus),
        "BAYBOT_INDEX_DIR": str(base / "index"),
        "BAYBOT_CACHE_DIR": str(cache_dir),
        "BAYBOT_DATABASE_URL": url,
        "BAYBOT_SESSION_SECRET": "replicas-share-this-secret-" * 2,
        "BAYBOT_STAFF_COOKIE_SECURE": "false",
        "BAYBOT_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE),
        "BAYBOT_API_KEYS": ",".join(("burst", *STREAM_KEYS)),
        "BAYBOT_INDEX_POLL_SECONDS": "0.5",
        "BAYBOT_REFUSAL": "false",
    }
    settings = Settings(corpus_dir=corpus, index_dir=base / "index", cache_dir=cache_dir)
    ingest(settings)
    database = Database(url)
    StaffAccounts(database).add("reviewer", PASSWORD)
    processes, urls = [], []
    try:
        for n in range(2):
            port = free_port()
            log = base / f"replica-{n}.log"
            command = [sys.executable, "-m", "baybot", "serve", "--read-only", "--port", str(port)]
            processes.append((start(command, env, log), log))
            urls.append(f"http://127.0.0.1:{port}")
        for (process, log), address in zip(processes, urls, strict=True):
            assert watch_health(address, process, log)[-1] == "ready", log.read_text()[-3000:]
        yield {"urls": urls, "env": env, "database": database, "corpus": corpus, "base": base,
               "index_before": index_files(base / "index")}  # fmt: skip
    finally:
        for process, _ in processes:
            stop(process)
        database.close()
        drop_postgres_database(postgres_uri, url)


def index_files(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under the index folder with its size and modification time."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


def test_feedback_through_both_replicas_lands_in_one_table(cluster):
    first, second = cluster["urls"]
    headers = sign_in(first, "reviewer", PASSWORD)  # a session started on one replica ...
    for address, rating in ((first, "up"), (second, "down")):  # ... works on both
        staff = Client(address + "/staff/", verbose=False, download_files=False, headers=headers)
        staff.predict("What does GBA YES pay employers?", "extractive", 5, [], [], [], "", "en",
                      api_name="/inspect")  # fmt: skip
        staff.predict(f"rated through {address}", "en", api_name=f"/rate_{rating}")
    stored = cluster["database"].feedback.list(FeedbackFilter(source="staff"))
    assert sorted(f.comment for f in stored) == sorted(
        f"rated through {u}" for u in (first, second)
    )
    assert {f.rating for f in stored} == {"up", "down"}
    shown, _ = Client(second + "/staff/", verbose=False, headers=headers).predict(
        "", "", [], "", "", api_name="/feedback"
    )
    assert shown == "2 ratings"


def test_the_rate_limit_holds_in_total_across_replicas(cluster):
    if time.time() % 60 > 40:  # counted per clock minute: keep the burst inside one
        time.sleep(61 - time.time() % 60)
    body = {"query": "QMAS points test", "k": 1}
    statuses = Counter(
        requests.post(
            f"{cluster['urls'][n % 2]}/v1/search", json=body, headers={"X-API-Key": "burst"},
            timeout=30,
        ).status_code
        for n in range(BURST)
    )  # fmt: skip
    print(f"\nrate limit across 2 replicas: {BURST} requests, {statuses[200]} allowed, "
          f"{statuses[429]} refused (429), limit {PER_MINUTE}/min")  # fmt: skip
    assert statuses == Counter({200: PER_MINUTE, 429: BURST - PER_MINUTE})


def test_read_only_replicas_never_wrote_to_the_index(cluster):
    assert index_files(cluster["base"] / "index") == cluster["index_before"]


def test_a_published_index_version_reaches_both_replicas_without_failed_requests(cluster):
    urls = cluster["urls"]
    before = {requests.get(f"{u}/healthz", timeout=10).json()["index_version"] for u in urls}
    assert len(before) == 1
    results: list[int] = []
    stop_streaming = threading.Event()

    def stream(address: str, offset: int) -> None:
        n = offset
        while not stop_streaming.is_set():
            key = STREAM_KEYS[n % len(STREAM_KEYS)]
            try:
                status = requests.post(
                    f"{address}/v1/answer",
                    json={"question": "What talent measures did Shenzhen announce?"},
                    headers={"X-API-Key": key},
                    timeout=60,
                ).status_code
            except requests.RequestException:
                status = -1
            results.append(status)
            n += 1
            time.sleep(0.2)

    threads = [threading.Thread(target=stream, args=(u, i)) for i, u in enumerate(urls)]
    for thread in threads:
        thread.start()
    try:
        shutil.copy2(CORPUS / PUBLISHED, cluster["corpus"] / PUBLISHED)
        env = {**os.environ, **cluster["env"]}
        published = subprocess.run(
            [sys.executable, "-m", "baybot", "ingest"], env=env, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert published.returncode == 0, published.stderr[-2000:]
        current = (Path(cluster["env"]["BAYBOT_INDEX_DIR"]) / "CURRENT").read_text().strip()
        assert current not in before
        deadline = time.monotonic() + 60
        seen: dict[str, str] = {}
        while time.monotonic() < deadline:
            seen = {u: requests.get(f"{u}/healthz", timeout=10).json()["index_version"]
                    for u in urls}  # fmt: skip
            if set(seen.values()) == {current}:
                break
            time.sleep(0.2)
        assert set(seen.values()) == {current}, seen
        time.sleep(1.0)  # a few requests on the new version too
    finally:
        stop_streaming.set()
        for thread in threads:
            thread.join(timeout=60)
    counts = Counter(results)
    print(f"\nindex switch on 2 replicas: {len(results)} requests, "
          f"{len(results) - counts[200]} failed; {before.pop()} -> {current}")  # fmt: skip
    assert len(results) >= 10 and counts == Counter({200: len(results)})
    for address in urls:
        hits = requests.post(
            f"{address}/v1/search", json={"query": "Shenzhen Talent Day 30 measures", "k": 3},
            headers={"X-API-Key": STREAM_KEYS[0]}, timeout=30,
        ).json()["hits"]  # fmt: skip
        assert "gd-shenzhen-talent-measures-2023" in {h["doc_id"] for h in hits}
