"""`python -m baybot.app.seed`: write the seed vectors of the shipped corpus, so that a fresh
clone's first start reads them instead of embedding the corpus for minutes.

For each configuration below it builds the index and the Assistant as a start would (reading
the user's vector cache and the previous seed, computing only what they lack) and then records
every vector that start needed: each chunk per dense model, each document window, each
evidence sentence, each language-calibration sentence, keyed by model and text as in the vector
cache. Run it after the corpus, the chunker or a model changes; tests/app/test_seed.py fails
while it is stale.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from baybot.answer.assistant import Assistant
from baybot.app.wiring import build_assistant
from baybot.config import Settings
from baybot.index.vector_cache import VectorCache
from baybot.search.calibration import background_sentences
from baybot.timing import Progress

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
# The dense-model sets a start on the shipped corpus uses: the default, and the fast MiniLM that
# `--model all-MiniLM-L6-v2` and the pipeline tests use.
CONFIGURATIONS: tuple[tuple[str, ...], ...] = (
    tuple(Settings.model_fields["embedding_models"].default),
    ("all-MiniLM-L6-v2",),
)


def needed_vectors(assistant: Assistant) -> Iterator[tuple[str, str, np.ndarray]]:
    """(model, text, vector) for every vector the Assistant's start read or computed."""
    retriever = assistant.retriever
    index = retriever.index
    texts = [c.embedding_text for c in index.chunks]
    for embedder in retriever.embedders:
        yield from zip(
            [embedder.name] * len(texts),
            texts,
            np.asarray(index.vectors(embedder.name)),
            strict=True,
        )
    if retriever.documents is not None:
        signal = retriever.documents
        texts = [*signal.window_texts, *signal.background_texts.values()]
        vectors = [*signal.windows, *signal.backgrounds.values()]
        yield from zip([signal.model] * len(texts), texts, vectors, strict=True)
    sentences = assistant.evidence.sentence_vectors
    for chunk_id, contexts in sentences.texts().items():
        _, vectors = sentences.of(chunk_id)
        yield from zip([sentences.embedder.name] * len(contexts), contexts, vectors, strict=True)
    if retriever.calibrator is not None:
        for name, per_language in retriever.calibrator.backgrounds.items():
            for language, lines in background_sentences().items():
                yield from zip([name] * len(lines), lines, per_language[language], strict=True)


def write_seed(corpus: Path, target: Path, cache_dir: Path | None = None) -> int:
    """Build each configuration on `corpus` and write every vector it needs to `target`;
    returns the number of vectors written."""
    rows: dict[tuple[str, str], np.ndarray] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for models in CONFIGURATIONS:
            overrides: dict[str, object] = {
                "corpus_dir": corpus,
                "index_dir": Path(scratch) / "-".join(models),
                "embedding_models": models,
                "embedding_weights": (1.0,) * len(models),
                "seed_vectors": target if target.is_file() else None,
            }
            if cache_dir is not None:
                overrides["cache_dir"] = cache_dir
            settings = Settings(**overrides)  # type: ignore[arg-type]
            log.info("seed: building %s on %s", ", ".join(models), corpus)
            assistant = build_assistant(settings, progress=Progress())
            for model, text, vector in needed_vectors(assistant):
                rows[(model, text)] = vector
        fresh = Path(scratch) / "seed.sqlite"
        cache = VectorCache(fresh)
        by_model: dict[str, list[tuple[str, np.ndarray]]] = {}
        for (model, text), vector in rows.items():
            by_model.setdefault(model, []).append((text, vector))
        for model, pairs in sorted(by_model.items()):
            cache.put(model, [t for t, _ in pairs], np.stack([v for _, v in pairs]))
        cache.close()
        db = sqlite3.connect(fresh)
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("VACUUM")
        db.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(fresh.read_bytes())
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--output", type=Path, default=Settings().seed_vectors)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    count = write_seed(args.corpus, args.output)
    size = args.output.stat().st_size / 1e6
    print(f"wrote {count:,} vectors ({size:.1f} MB) to {args.output}")


if __name__ == "__main__":
    main()
