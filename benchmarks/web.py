"""Web benchmark: the one server (chat at /, REST under /v1) on 127.0.0.1, warm, measured
from the outside the way users and integrators see it, with the in-process Python API timed
in the same run as the baseline:

- POST /v1/search latency vs Retriever.search;
- POST /v1/answer with `stream: true`: time to the first token event and to the final answer
  event, vs Assistant.stream in-process;
- the chat in headless Chromium: from the click on Ask to the first streamed text in the
  bubble, and to the finished answer with its sources panel.

    python benchmarks/web.py [--questions eval/dev.jsonl] [--browser-questions 15]
                             [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import socket
import statistics
import threading
import time
from pathlib import Path

import numpy as np
import requests
import uvicorn

from baybot import Settings
from baybot.app.api import create_app
from baybot.app.wiring import build_assistant
from baybot.staff.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pct(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "mean": round(statistics.fmean(values), 1),
    }


def serve(app) -> tuple[str, uvicorn.Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def sse_timings(url: str, question: str, history: list[dict]) -> tuple[float, float]:
    """(ms to the first token event, ms to the answer event) of one streamed answer."""
    begun = time.perf_counter()
    first = None
    body = {"question": question, "history": history, "stream": True}
    with requests.post(f"{url}/v1/answer", json=body, stream=True, timeout=120) as response:
        response.raise_for_status()
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event: token") and first is None:
                first = time.perf_counter()
            if line.startswith("event: answer"):
                done = time.perf_counter()
                break
    return ((first or done) - begun) * 1000, (done - begun) * 1000


def wait_for_bubble(page, condition: str) -> None:
    """Wait (checking every frame) until the answer bubble's text `b` meets `condition`."""
    page.wait_for_function(
        "() => { const r = document.querySelectorAll('#bb-chat .message-row');"
        " if (r.length < 2) return false; const b = r[r.length - 1].innerText;"
        f" return {condition} }}",
        polling="raf",
        timeout=120_000,
    )


def browser_timings(url: str, questions: list[str]) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium:
        return {"skipped": "no chromium on PATH (apt-get install chromium)"}
    first, full = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        page.wait_for_selector("#bb-question textarea")
        for question in questions:
            page.click("#bb-new")
            page.wait_for_function("() => !document.querySelector('#bb-chat .message-row')")
            page.fill("#bb-question textarea", question)
            begun = time.perf_counter()
            page.click("#bb-send")
            # First streamed text: the assistant bubble holds more than the cursor.
            wait_for_bubble(page, "b.replace('▍', '').trim()")
            first.append((time.perf_counter() - begun) * 1000)
            wait_for_bubble(page, "!b.includes('▍')")
            full.append((time.perf_counter() - begun) * 1000)
        browser.close()
    return {"questions": len(questions), "first_text_ms": pct(first), "full_answer_ms": pct(full)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=ROOT / "eval/dev.jsonl")
    parser.add_argument("--browser-questions", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/web.json")
    args = parser.parse_args()
    # No query-vector cache: every question is timed as if asked for the first time.
    settings = Settings(
        rate_limit_per_minute=0,
        query_cache_size=0,
        feedback_db=Path("/tmp/baybot-bench-feedback.db"),
    )
    assistant = build_assistant(settings)
    questions = load_questions(args.questions)
    url, server = serve(create_app(settings, assistant=assistant))

    for q in questions[:5]:  # warm both paths
        assistant.retriever.search(q.question, 5)
        requests.post(f"{url}/v1/search", json={"query": q.question, "k": 5}, timeout=60)

    search_api, search_py = [], []
    for q in questions:
        begun = time.perf_counter()
        assistant.retriever.search(q.question, 5)
        search_py.append((time.perf_counter() - begun) * 1000)
        begun = time.perf_counter()
        requests.post(f"{url}/v1/search", json={"query": q.question, "k": 5}, timeout=60)
        search_api.append((time.perf_counter() - begun) * 1000)

    first_api, full_api, first_py, full_py = [], [], [], []
    for q in questions:
        history = [dict(t) for t in q.history]
        begun = time.perf_counter()
        events = assistant.stream(q.question, history)
        next(events)
        first_py.append((time.perf_counter() - begun) * 1000)
        for _ in events:
            pass
        full_py.append((time.perf_counter() - begun) * 1000)
        first, full = sse_timings(url, q.question, history)
        first_api.append(first)
        full_api.append(full)

    plain = [q.question for q in questions if not q.history][: args.browser_questions]
    ui = browser_timings(url, plain)
    server.should_exit = True

    result = {
        "machine": platform.platform(),
        "questions": len(questions),
        "search_ms": {
            "rest": pct(search_api),
            "python": pct(search_py),
            "ratio_p50": round(np.percentile(search_api, 50) / np.percentile(search_py, 50), 2),
        },
        "answer_stream_ms": {
            "rest_first_token": pct(first_api),
            "rest_full": pct(full_api),
            "python_first_token": pct(first_py),
            "python_full": pct(full_py),
            "ratio_full_p50": round(np.percentile(full_api, 50) / np.percentile(full_py, 50), 2),
        },
        "ui": ui,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
