"""Query-path benchmark, warm, with the bare limit measured side by side in the same run:

- Retriever.search and POST /v1/search (a real `baybot serve` process on 127.0.0.1) against
  the bare limit of the same dense work: each default model's query encode plus one FAISS
  search of its index, no framework around it (and e5 alone, for reference);
- where the rest of the search time goes (stage means);
- the query-vector cache: the same questions asked again;
- throughput of /v1/search with 1, 4 and 16 concurrent clients (bounded runs), with errors,
  from wrk when it is installed (apt-get install wrk), else from Python threads;
- server memory: RSS once ready, and RSS and peak RSS after 1,000 queries; index size on disk
  per 1,000 chunks.

The query cache is off for every latency and throughput figure (each question costs a model
call, as a new question would) except the repeated-question row.

    python benchmarks/query.py [--questions eval/dev.jsonl] [--seconds 10]
                               [--out benchmarks/results/query.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests

from baybot import Settings
from baybot.app.wiring import build_retriever
from baybot.index.embedders import load_embedder
from baybot.index.store import IndexStore
from baybot.search.retriever import Retriever
from baybot.staff.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[1]


def ms(seconds: list[float]) -> dict[str, float]:
    values = np.array(seconds) * 1000
    return {
        "p50": round(float(np.percentile(values, 50)), 2),
        "p95": round(float(np.percentile(values, 95)), 2),
        "p99": round(float(np.percentile(values, 99)), 2),
        "mean": round(float(values.mean()), 2),
    }


def timed(fn, *args, **kwargs) -> float:
    begun = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - begun


def memory_mb(pid: int) -> dict[str, float]:
    """Current and peak resident set size of a process (Linux /proc)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def start_server(settings: Settings, port: int) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAYBOT_")},
        "BAYBOT_RATE_LIMIT_PER_MINUTE": "0",
        "BAYBOT_QUERY_CACHE_SIZE": "0",
        "BAYBOT_FEEDBACK_DB": "/tmp/baybot-bench-feedback.db",
    }
    args = [sys.executable, "-m", "baybot", "serve", "--port", str(port)]
    args += ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if (
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()["status"]
                == "ready"
            ):
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not become ready")


def load(url: str, questions: list[str], clients: int, seconds: float) -> dict[str, object]:
    """`clients` threads posting /v1/search back to back for `seconds`."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        session = requests.Session()
        i = offset
        while time.monotonic() < stop:
            body = {"query": questions[i % len(questions)], "k": 5}
            begun = time.perf_counter()
            try:
                ok = session.post(f"{url}/v1/search", json=body, timeout=60).status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - begun
            with lock:
                latencies.append(elapsed)
                errors += not ok
            i += clients

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - begun
    return {
        "clients": clients,
        "client": "python",
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / wall, 1),
        "latency_ms": ms(latencies),
    }


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local questions = %s
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, questions[(i %% #questions) + 1])
end
"""


def load_wrk(url: str, questions: list[str], clients: int, seconds: float) -> dict[str, object]:
    """The same load from wrk (a C client, so the load generator takes little of the CPU)."""
    bodies = [json.dumps({"query": q, "k": 5}, ensure_ascii=False) for q in questions]
    lua = "{" + ", ".join(json.dumps(b, ensure_ascii=False) for b in bodies) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % lua)
    args = ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--latency", "-s", script.name]
    out = subprocess.run([*args, f"{url}/v1/search"], capture_output=True, text=True).stdout
    os.unlink(script.name)

    def number(pattern: str) -> float:
        found = re.search(pattern, out)
        return float(found.group(1)) if found else 0.0

    def millis(label: str) -> float:
        found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if not found:
            return 0.0
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return round(float(found.group(1)) * scale, 2)

    requests_done = int(number(r"(\d+) requests in"))
    errors = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "clients": clients,
        "client": "wrk",
        "requests": requests_done,
        "errors": errors,
        "requests_per_s": number(r"Requests/sec:\s+([\d.]+)"),
        "latency_ms": {"p50": millis("50%"), "p99": millis("99%")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval/dev.jsonl")
    parser.add_argument("--seconds", type=float, default=10.0, help="per concurrency level")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/query.json")
    args = parser.parse_args()
    settings = Settings(query_cache_size=0)
    questions = [q.question for q in load_questions(args.questions)]

    retriever = build_retriever(settings)
    index = retriever.index
    models = {name: load_embedder(name) for name in settings.embedding_models}

    def bare(question: str, names: tuple[str, ...]) -> None:
        for name in names:
            vector = models[name].embed_query(question).reshape(1, -1)
            index.dense[name].index.search(vector, 10)

    all_models = tuple(settings.embedding_models)
    for q in questions[:10]:  # warm every path
        retriever.search(q, 5)
        bare(q, all_models)
    ours, bare_all, bare_e5, stages = [], [], [], {}
    for _ in range(2):
        for q in questions:  # interleaved, so load on the machine hits all alike
            begun = time.perf_counter()
            result = retriever.run(q, 5)
            ours.append(time.perf_counter() - begun)
            for stage, value in result.timings_ms.items():
                stages.setdefault(stage, []).append(value)
            bare_all.append(timed(bare, q, all_models))
            bare_e5.append(timed(bare, q, all_models[:1]))

    cached = Retriever(
        index, retriever.embedders, settings.model_copy(update={"query_cache_size": 4096})
    )
    for q in questions:
        cached.search(q, 5)
    repeated = [timed(cached.search, q, 5) for q in questions]

    url = f"http://127.0.0.1:{args.port}"
    server = start_server(settings, args.port)
    try:
        memory_ready = memory_mb(server.pid)
        session = requests.Session()
        # REST first, then the same questions in-process: never both at once, since a busy
        # model thread of this process would slow the server's next queries on two cores.
        rest = [
            timed(session.post, f"{url}/v1/search", json={"query": q, "k": 5})
            for q in questions * 2
        ]
        time.sleep(1)
        python = [timed(retriever.search, q, 5) for q in questions * 2]
        for i in range(1000 - len(rest)):
            session.post(f"{url}/v1/search", json={"query": questions[i % len(questions)], "k": 5})
        memory_after = memory_mb(server.pid)
        run_load = load_wrk if shutil.which("wrk") else load
        throughput = [run_load(url, questions, n, args.seconds) for n in (1, 4, 16)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    version = IndexStore(settings.index_dir).current()
    index_bytes = sum(p.stat().st_size for p in version.rglob("*") if p.is_file())
    ours_ms, bare_ms = ms(ours), ms(bare_all)
    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "questions": len(questions),
        "index": {
            "chunks": len(index),
            "bytes": index_bytes,
            "bytes_per_1000_chunks": round(index_bytes / len(index) * 1000),
            "dense": {n: type(s.index).__name__ for n, s in index.dense.items()},
        },
        "search_ms": {
            "retriever": ours_ms,
            "bare_limit": bare_ms,
            "bare_e5_only": ms(bare_e5),
            "repeated_questions_cached": ms(repeated),
            "rest": ms(rest),
            "retriever_same_run_as_rest": ms(python),
        },
        "stage_mean_ms": {k: round(statistics.fmean(v), 3) for k, v in stages.items()},
        "ratios": {
            "retriever_vs_bare_p50": round(ours_ms["p50"] / bare_ms["p50"], 3),
            "rest_vs_bare_p50": round(ms(rest)["p50"] / bare_ms["p50"], 3),
            "rest_vs_retriever_p50": round(ms(rest)["p50"] / ms(python)["p50"], 3),
            "cached_repeat_vs_retriever_p50": round(ms(repeated)["p50"] / ours_ms["p50"], 3),
        },
        "server_memory_mb": {"ready": memory_ready, "after_1000_queries": memory_after},
        "throughput": throughput,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
