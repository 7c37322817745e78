"""`python app.py`: build or update the index from corpus/, then answer questions with cited
sources.

Until the chat UI lands this answers an example question (or the one given as arguments)
and, on a terminal, keeps asking for more.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from baybot import BayBotError, Settings
from baybot.assistant import Answer, Assistant
from baybot.cli import echo_sources

ROOT = Path(__file__).resolve().parent

EXAMPLE = "How much must I earn to qualify for the Top Talent Pass Scheme?"


def show(assistant: Assistant, question: str) -> None:
    print(f"\n? {question}\n", flush=True)
    for event in assistant.stream(question):
        if isinstance(event, Answer):
            print()
            echo_sources(event)
        else:
            print(event.text, end="", flush=True)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    settings = Settings(
        corpus_dir=Path(os.environ.get("BAYBOT_CORPUS_DIR", ROOT / "corpus")),
        index_dir=Path(os.environ.get("BAYBOT_INDEX_DIR", ROOT / "index")),
    )
    try:
        print("Loading the index (built or updated from corpus/ when needed)...", flush=True)
        assistant = Assistant.from_settings(settings, progress=sys.stderr.isatty())
        index = assistant.retriever.index
        print(f"Ready: {len(index)} passages from {len(index.documents)} sources.")
        show(assistant, " ".join(sys.argv[1:]) or EXAMPLE)
        while sys.stdin.isatty():
            try:
                question = input("\nAsk (empty line to quit): ").strip()
            except EOFError:
                break
            if not question:
                break
            show(assistant, question)
    except BayBotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
