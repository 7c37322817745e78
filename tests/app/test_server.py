"""`python app.py` and `baybot serve` as users start them: real processes on 127.0.0.1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, copy_corpus
from tests.servers import free_port, stop


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            args, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )


def watch_health(
    url: str, process: subprocess.Popen, log: Path, deadline_s: float = 300
) -> list[str]:
    """Every /healthz status seen until ready (or a clear failure)."""
    seen: list[str] = []
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            status = requests.get(f"{url}/healthz", timeout=5).json()["status"]
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("ready", "failed"):
            return seen
        time.sleep(0.2)
    pytest.fail(f"not ready after {deadline_s} s: {log.read_text()[-3000:]}")


def test_app_builds_the_missing_index_and_serves_chat_api_and_docs(tmp_path, cache_dir):
    port = free_port()
    env = {
        "BAYBOT_CORPUS_DIR": str(copy_corpus(tmp_path / "corpus")),
        "BAYBOT_INDEX_DIR": str(tmp_path / "index"),
        "BAYBOT_CACHE_DIR": str(cache_dir),
        "BAYBOT_PORT": str(port),
        "BAYBOT_REFUSAL": "false",
    }
    log = tmp_path / "app.log"
    process = start([sys.executable, "app.py"], env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        seen = watch_health(url, process, log)
        assert seen[0] == "loading" and seen[-1] == "ready", seen
        health = requests.get(f"{url}/healthz", timeout=5).json()
        assert health["documents"] == 7 and health["passages"] > 20
        assert (tmp_path / "index" / "CURRENT").exists()
        assert '"title":"BayBot"' in requests.get(url + "/", timeout=30).text
        assert requests.get(url + "/docs", timeout=30).status_code == 200
        hits = requests.post(f"{url}/v1/search", json={"query": "GBA YES", "k": 1}, timeout=60)
        assert hits.json()["hits"][0]["doc_id"] == "hk-gba-yes"
    finally:
        stop(process)
    text = log.read_text()
    assert "chat at http://127.0.0.1:" in text and "ready: " in text and "passages from 7" in text


def test_baybot_serve_takes_host_and_port_flags(small_settings, tmp_path):
    port = free_port()
    env = {"BAYBOT_CACHE_DIR": str(small_settings.cache_dir), "BAYBOT_REFUSAL": "false"}
    log = tmp_path / "serve.log"
    args = [
        *(sys.executable, "-m", "baybot", "serve", "--host", "127.0.0.1", "--port", str(port)),
        *("--corpus", str(small_settings.corpus_dir), "--index", str(small_settings.index_dir)),
    ]
    process = start(args, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        assert watch_health(url, process, log)[-1] == "ready"
        answer = requests.post(
            f"{url}/v1/answer", json={"question": "What does GBA YES pay employers?"}, timeout=60
        ).json()
        assert answer["citations"] and not answer["refused"]
    finally:
        stop(process)


PROGRESS_LINE = re.compile(
    r"\d[\d,]*/[\d,]+ vectors, [\d.]+/s; \d+% of the load done, about \d+ s left"
)


def test_a_first_start_shows_its_progress_in_the_log_and_in_healthz(tmp_path):
    """Under nohup or a service manager (output to a file) the log gets a progress line at
    least every few seconds, and /healthz the share done and the seconds left. The seed is
    off and the cache empty, so the vectors are computed as for a corpus of one's own."""
    port = free_port()
    env = {
        "BAYBOT_CORPUS_DIR": str(copy_corpus(tmp_path / "corpus")),
        "BAYBOT_INDEX_DIR": str(tmp_path / "index"),
        "BAYBOT_CACHE_DIR": str(tmp_path / "empty-cache"),
        "BAYBOT_SEED_VECTORS": "",
        "BAYBOT_PORT": str(port),
    }
    log = tmp_path / "app.log"
    process = start([sys.executable, "app.py"], env, log)
    url = f"http://127.0.0.1:{port}"
    loading: list[dict] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                health = requests.get(f"{url}/healthz", timeout=5).json()
            except requests.ConnectionError:
                time.sleep(0.2)
                continue
            if health["status"] != "loading":
                break
            loading.append(health)
            time.sleep(0.5)
        assert health["status"] == "ready", health
    finally:
        stop(process)
    counted = [h for h in loading if h["eta_s"] is not None]
    assert counted, loading
    assert all(0 <= h["progress"] <= 1 and h["eta_s"] >= 0 and h["step"] for h in counted)
    assert any(0 < h["progress"] < 1 for h in counted)
    shares = [h["progress"] for h in loading]
    assert shares == sorted(shares), shares  # never steps back, across the steps too
    text = log.read_text()
    assert "embedding passages (7 documents" in text and "embedding sentences" in text
    assert PROGRESS_LINE.search(text), text[-3000:]
