"""Compare two `baybot eval --json` outputs question by question, latency left out.

`python benchmarks/same_eval.py BEFORE.json AFTER.json` exits 1 and lists the differences
when any question's hits, refusal, found facts, cited documents or answer differ, or any
metric other than a latency. Used to show that a restructure changed no result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _metrics(report: dict[str, Any]) -> dict[str, Any]:
    """Every metric, by path, without latencies (they differ run to run)."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif "latency" not in prefix:
            out[prefix] = value

    for key in ("overall", "by_kind", "by_language"):
        walk(key, report.get(key))
    return out


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    old = {q["id"]: q for q in before["questions"]}
    new = {q["id"]: q for q in after["questions"]}
    if set(old) != set(new):
        out.append(f"question ids differ: {sorted(set(old) ^ set(new))}")
    for qid in sorted(set(old) & set(new)):
        for key in sorted(set(old[qid]) | set(new[qid])):
            if key != "latency_ms" and old[qid].get(key) != new[qid].get(key):
                out.append(f"{qid} {key}: {old[qid].get(key)!r} -> {new[qid].get(key)!r}")
    a, b = _metrics(before), _metrics(after)
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(f"metric {key}: {a.get(key)!r} -> {b.get(key)!r}")
    return out


def main() -> None:
    before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:3])
    found = differences(before, after)
    for line in found:
        print(line)
    print(f"{len(before['questions'])} questions: {'identical' if not found else 'DIFFERENT'}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
