"""Bounded load test on 127.0.0.1: a real `baybot serve` process, 32 concurrent clients for 60
seconds mixing POST /v1/search and POST /v1/answer (half of the answers streamed), plus a few
chat sessions through the Gradio API at the same time. Reports requests, errors (any non-200
or exception), latency percentiles per kind, and the server's memory sampled through the run
(growth from the first to the last quarter).

    python benchmarks/load.py [--clients 32] [--seconds 60] [--chats 3]
                              [--out benchmarks/results/load.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import requests
from gradio_client import Client

from baybot.staff.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval/dev.jsonl")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--chats", type=int, default=3)
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/load.json")
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAYBOT_")},
        "BAYBOT_RATE_LIMIT_PER_MINUTE": "0",
        "BAYBOT_FEEDBACK_DB": "/tmp/baybot-load-feedback.db",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "baybot", "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{args.port}"
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=2).json()["status"] == "ready":
                break
        except requests.ConnectionError:
            pass
        assert server.poll() is None, "server exited"
        time.sleep(0.3)

    results: dict[str, list[float]] = {"search": [], "answer": [], "answer_stream": [], "chat": []}
    errors: dict[str, int] = dict.fromkeys(results, 0)
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def record(kind: str, begun: float, ok: bool) -> None:
        with lock:
            results[kind].append(time.perf_counter() - begun)
            errors[kind] += not ok

    def api_client(n: int) -> None:
        session = requests.Session()
        i = n
        while time.monotonic() < stop:
            question = questions[i % len(questions)]
            kind = ("search", "answer", "search", "answer_stream")[i % 4]
            begun = time.perf_counter()
            try:
                if kind == "search":
                    r = session.post(f"{url}/v1/search", json={"query": question}, timeout=120)
                    ok = r.status_code == 200
                else:
                    body = {"question": question, "stream": kind == "answer_stream"}
                    r = session.post(f"{url}/v1/answer", json=body, timeout=120)
                    ok = r.status_code == 200 and (
                        "event: answer" in r.text if body["stream"] else "answer" in r.json()
                    )
            except requests.RequestException:
                ok = False
            record(kind, begun, ok)
            i += args.clients

    def chat_client(n: int) -> None:
        client = Client(url + "/", verbose=False)
        chat: list = []
        i = n * 7
        while time.monotonic() < stop:
            begun = time.perf_counter()
            try:
                _, chat, _ = client.predict(questions[i % len(questions)], chat[-8:], "en",
                                            api_name="/chat")  # fmt: skip
                ok = bool(chat) and chat[-1]["role"] == "assistant"
            except Exception:  # any failure of the chat counts as an error
                ok = False
            record("chat", begun, ok)
            i += 1

    memory: list[tuple[float, float]] = []
    threads = [threading.Thread(target=api_client, args=(n,)) for n in range(args.clients)]
    threads += [threading.Thread(target=chat_client, args=(n,)) for n in range(args.chats)]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        memory.append((round(time.monotonic() - begun, 1), round(rss_mb(server.pid), 1)))
        time.sleep(2)
    healthy = requests.get(f"{url}/healthz", timeout=10).json()["status"] == "ready"
    server.terminate()
    server.wait(timeout=30)

    # Growth is judged after the ramp-up (thread pools and allocator arenas fill in the first
    # seconds): second quarter against last quarter.
    quarter = max(1, len(memory) // 4)
    first = float(np.mean([m for _, m in memory[quarter : 2 * quarter]]))
    last = float(np.mean([m for _, m in memory[-quarter:]]))
    report = {
        "clients": args.clients,
        "chat_sessions": args.chats,
        "seconds": args.seconds,
        "healthy_after": healthy,
        "by_kind": {
            kind: {
                "requests": len(values),
                "errors": errors[kind],
                "p50_ms": round(float(np.percentile(values, 50)) * 1000, 1) if values else None,
                "p99_ms": round(float(np.percentile(values, 99)) * 1000, 1) if values else None,
            }
            for kind, values in results.items()
        },
        "errors": sum(errors.values()),
        "server_rss_mb": {
            "first_quarter": round(first, 1),
            "last_quarter": round(last, 1),
            "max": max(m for _, m in memory),
        },  # fmt: skip
        "memory_samples": memory,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "memory_samples"}, indent=2))


if __name__ == "__main__":
    main()
