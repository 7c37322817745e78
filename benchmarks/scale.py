"""Synthetic scale benchmark: the vector index BayBot builds (vectorstore.build_faiss with the
default settings) at 100k and 1M chunks, with no corpus needed.

Vectors are generated clustered, like real passage embeddings (unit vectors around topic
centres), 384-dimensional like multilingual-e5-small. Ground truth is exact inner-product
search. Build and query each run in their own process, so time and peak memory are theirs:

- build: seconds, peak RSS, index bytes on disk;
- query (the index opened as the server opens it, memory-mapped): p50/p95 latency of one
  query, recall@10 against exact search, at several breadths (IVF lists probed); RSS after
  opening and querying, split into anonymous memory and shared file pages; and exact flat
  search of the same vectors as the baseline.

    python benchmarks/scale.py [--sizes 100000,1000000] [--queries 200]
                               [--out benchmarks/results/scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIM = 384
BLOCK = 100_000

MEMORY = r"""
def memory():
    out = {}
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key + "_mb"] = round(int(value.split()[0]) / 1024, 1)
    return out
"""

# The approximate index at every size (the default threshold would keep 100k exact).
BUILD = (
    MEMORY
    + r"""
import json, sys, time, faiss, numpy as np
from baybot.config import Settings
from baybot.index.vectorstore import AnnPolicy, build_faiss
vectors = np.load(sys.argv[1], mmap_mode="r")
s = Settings()
policy = AnnPolicy(1, s.ann_index, s.ann_breadth)
begun = time.perf_counter()
index = build_faiss(vectors, policy)
faiss.write_index(index, sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - begun, "spec": policy.spec(len(vectors)),
                  **memory()}))
"""
)

QUERY = (
    MEMORY
    + r"""
import json, sys, time, numpy as np
from baybot.index.vectorstore import FaissStore, read_faiss

queries = np.load(sys.argv[2])
truth = np.load(sys.argv[3])
begun = time.perf_counter()
store = FaissStore(read_faiss(sys.argv[1]), np.zeros((0, queries.shape[1]), np.float32))
opened = {"open_s": time.perf_counter() - begun, **memory()}
runs = []
for breadth in json.loads(sys.argv[4]):
    store.breadth = breadth
    for q in queries[:10]:
        store.search(q, 10)
    latencies, found = [], 0
    for q, expected in zip(queries, truth):
        t = time.perf_counter()
        _, ids = store.search(q, 10)
        latencies.append(time.perf_counter() - t)
        found += len(set(ids.tolist()) & set(expected.tolist()))
    runs.append({
        "breadth": breadth,
        "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 3),
        "p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 3),
        "recall_at_10": round(found / truth.size, 4),
    })
print(json.dumps({"type": type(store.index).__name__, "opened": opened, "runs": runs,
                  "after_queries": memory()}))
"""
)


def run(args: list[str]) -> dict:
    """Run a step in its own process (its memory figures are its own); its JSON output."""
    result = subprocess.run(args, stdout=subprocess.PIPE, check=True)
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def generate(path: Path, n: int, queries: int, seed: int = 0) -> np.ndarray:
    """`n` clustered unit vectors written to `path` (.npy), and `queries` more returned."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(50, n // 5000), DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def draw(count: int) -> np.ndarray:
        points = centres[rng.integers(0, len(centres), count)]
        points = points + rng.standard_normal((count, DIM)).astype(np.float32) * 0.05
        return points / np.linalg.norm(points, axis=1, keepdims=True)

    data = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, DIM))
    for start in range(0, n, BLOCK):
        data[start : start + BLOCK] = draw(min(BLOCK, n - start))
    data.flush()
    return draw(queries)


def exact_top10(path: Path, queries: np.ndarray) -> tuple[np.ndarray, float]:
    """Exact top-10 ids by inner product (block by block), and the p50 ms of one exact query
    over all vectors (a flat index, the baseline)."""
    import faiss

    data = np.load(path, mmap_mode="r")
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 10), dtype=np.int64)
    for start in range(0, len(data), BLOCK):
        block = np.ascontiguousarray(data[start : start + BLOCK])
        scores, ids = faiss.knn(queries, block, 10, metric=faiss.METRIC_INNER_PRODUCT)
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_ids = np.concatenate([best_ids, ids + start], axis=1)
        order = np.argsort(-merged_scores, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, order, axis=1)
        best_ids = np.take_along_axis(merged_ids, order, axis=1)
    flat = faiss.IndexFlatIP(DIM)
    for start in range(0, len(data), BLOCK):
        flat.add(np.ascontiguousarray(data[start : start + BLOCK]))
    latencies = []
    for q in queries[:20]:
        begun = time.perf_counter()
        flat.search(q.reshape(1, -1), 10)
        latencies.append(time.perf_counter() - begun)
    return best_ids, round(float(np.percentile(latencies, 50)) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--breadths", default="8,16,32,64")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/scale.json")
    args = parser.parse_args()
    breadths = [int(b) for b in args.breadths.split(",")]
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            began = time.perf_counter()
            queries = generate(folder / "vectors.npy", n, args.queries)
            generated = time.perf_counter() - began
            truth, flat_ms = exact_top10(folder / "vectors.npy", queries)
            np.save(folder / "queries.npy", queries)
            np.save(folder / "truth.npy", truth)
            index_file = folder / "index.faiss"
            built = run([sys.executable, "-c", BUILD, str(folder / "vectors.npy"), str(index_file)])
            queried = run(
                [
                    sys.executable,
                    "-c",
                    QUERY,
                    str(index_file),
                    str(folder / "queries.npy"),
                    str(folder / "truth.npy"),
                    json.dumps(breadths),
                ]  # fmt: skip
            )
            results.append(
                {
                    "chunks": n,
                    "dimension": DIM,
                    "generate_s": round(generated, 1),
                    "index": built["spec"],
                    "build_s": round(built["seconds"], 1),
                    "build_peak_rss_mb": built["VmHWM_mb"],
                    "index_mb": round(index_file.stat().st_size / 1e6, 1),
                    "vectors_mb": round(n * DIM * 4 / 1e6, 1),
                    "exact_flat_p50_ms": flat_ms,
                    "query": queried,
                }
            )
            print(json.dumps(results[-1], indent=2), flush=True)
    out = {"machine": {"cpus": os.cpu_count()}, "queries": args.queries, "sizes": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
