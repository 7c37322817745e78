"""The benchmark suite in one command: ingest, query path and server, and synthetic scale,
each against its bare baseline measured in the same run. Writes each benchmark's JSON and a
Markdown summary (benchmarks/results/summary.md).

    python benchmarks/run.py [--quick]     # --quick: scale at 100k only, shorter load runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def step(script: str, *args: str) -> dict:
    out = RESULTS / f"{script.removesuffix('.py')}.json"
    print(f"== {script} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args, "--out", str(out)], check=True)
    return json.loads(out.read_text())


def summary(ingest: dict, query: dict, scale: dict) -> str:
    s, r = query["search_ms"], query["ratios"]
    memory = query["server_memory_mb"]
    ing = ingest["ratios"]
    lines = [
        "# BayBot benchmark summary",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {platform.platform()} · "
        f"{os.cpu_count()} CPUs · {query['index']['chunks']} chunks, "
        f"{query['questions']} dev questions. Ratios are against a baseline measured in the "
        "same run.",
        "",
        "## Query path (warm, query-vector cache off)",
        "",
        "| measure | p50 ms | p95 ms | baseline p50 ms | ratio | target |",
        "|---|---|---|---|---|---|",
        f"| Retriever.search | {s['retriever']['p50']} | {s['retriever']['p95']} | "
        f"{s['bare_limit']['p50']} (bare encode + FAISS, same models) | "
        f"{r['retriever_vs_bare_p50']} | ≤ 1.3 |",
        f"| POST /v1/search | {s['rest']['p50']} | {s['rest']['p95']} | "
        f"{s['bare_limit']['p50']} | {r['rest_vs_bare_p50']} | |",
        f"| same question again (cache on) | {s['repeated_questions_cached']['p50']} | "
        f"{s['repeated_questions_cached']['p95']} | {s['retriever']['p50']} (first time) | "
        f"{r['cached_repeat_vs_retriever_p50']} | |",
        "",
        "Stage means (ms): "
        + ", ".join(f"{k} {v}" for k, v in query["stage_mean_ms"].items())
        + f". Bare e5 alone: {s['bare_e5_only']['p50']} ms.",
        "",
        "## Server under load (POST /v1/search, 127.0.0.1, bounded runs)",
        "",
        "| clients | requests/s | requests | errors | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for t in query["throughput"]:
        lat = t["latency_ms"]
        lines.append(
            f"| {t['clients']} | {t['requests_per_s']} | {t['requests']} | {t['errors']} | "
            f"{lat['p50']} | {lat['p99']} |"
        )
    lines += [
        "",
        "## Memory and disk",
        "",
        f"- Server RSS once ready: {memory['ready']['VmRSS']} MB; after 1,000 queries: "
        f"{memory['after_1000_queries']['VmRSS']} MB (peak {memory['after_1000_queries']['VmHWM']}"
        " MB; target ≤ 1,500 MB).",
        f"- Index on disk: {query['index']['bytes_per_1000_chunks'] / 1e6:.2f} MB per 1,000 "
        "chunks "
        f"({query['index']['bytes'] / 1e6:.1f} MB for {query['index']['chunks']} chunks).",
        "",
        "## Ingest (cold, empty vector cache)",
        "",
        f"- {ingest['corpus']['chunks']} chunks in {ingest['ingest_cold']['wall_s']} s "
        f"(peak RSS {ingest['ingest_cold']['peak_rss_mb']} MB); unchanged re-ingest "
        f"{ingest['ingest_unchanged']['wall_s']} s.",
        f"- Throughput vs a bare encode of the same texts with the same models: embed step "
        f"{ing['ingest_embed_step_vs_bare_encode_throughput']}, end to end "
        f"{ing['ingest_end_to_end_vs_bare_encode_throughput']} (target ≥ 0.85).",
        "- Where the time goes (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in ingest["ingest_cold"]["timings_s"].items()),
        "",
        "## Scale (synthetic clustered 384-d vectors, the default approximate index)",
        "",
        "| chunks | index | build s | index MB | query RSS MB | breadth | p50 ms | recall@10 | "
        "exact flat p50 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in scale["sizes"]:
        q = size["query"]
        for run in q["runs"]:
            cells = [
                f"{size['chunks']:,}", size["index"], size["build_s"], size["index_mb"],
                q["after_queries"]["VmRSS_mb"], run["breadth"], run["p50_ms"],
                run["recall_at_10"], size["exact_flat_p50_ms"],
            ]  # fmt: skip
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    ingest = step("ingest.py")
    query = step("query.py", "--seconds", "5" if args.quick else "10")
    scale = step("scale.py", "--sizes", "100000" if args.quick else "100000,1000000")
    text = summary(ingest, query, scale)
    (RESULTS / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
