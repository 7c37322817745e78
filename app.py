"""`python app.py`: build or update the index from corpus/, then answer searches.

Until the chat UI lands this runs an example search (or the question given as arguments)
and, on a terminal, keeps asking for more.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from baybot import BayBotError, Retriever, Settings

ROOT = Path(__file__).resolve().parent

EXAMPLE = "How much must I earn to qualify for the Top Talent Pass Scheme?"


def show(retriever: Retriever, question: str) -> None:
    print(f"\n? {question}\n")
    for hit in retriever.search(question, k=3):
        date = hit.published.isoformat() if hit.published else "undated"
        print(f"{hit.rank}. {hit.title} [{hit.doc_id}, {date}] score {hit.score:.3f}")
        print("   " + " ".join(hit.text.split())[:280])
        if hit.url:
            print(f"   {hit.url}")


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    settings = Settings(
        corpus_dir=Path(os.environ.get("BAYBOT_CORPUS_DIR", ROOT / "corpus")),
        index_dir=Path(os.environ.get("BAYBOT_INDEX_DIR", ROOT / "index")),
    )
    try:
        print("Loading the index (built or updated from corpus/ when needed)...", flush=True)
        retriever = Retriever.from_settings(settings, progress=sys.stderr.isatty())
        print(
            f"Ready: {len(retriever.index)} passages from {len(retriever.index.documents)} sources."
        )
        show(retriever, " ".join(sys.argv[1:]) or EXAMPLE)
        while sys.stdin.isatty():
            try:
                question = input("\nAsk (empty line to quit): ").strip()
            except EOFError:
                break
            if not question:
                break
            show(retriever, question)
    except BayBotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
