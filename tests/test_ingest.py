from __future__ import annotations

import shutil

import numpy as np
import pytest

from baybot import ingest
from baybot.index import FAISS_FILE, MANIFEST, IndexStore

from .conftest import CORPUS


def chunk_ids(settings) -> dict[str, list[str]]:
    loaded = IndexStore(settings.index_dir).load()
    out: dict[str, list[str]] = {}
    for c in loaded.chunks:
        out.setdefault(c.doc_id, []).append(c.id)
    return out


def test_first_ingest_embeds_everything_and_second_nothing(make_settings, counting_embedder):
    settings = make_settings()
    first = ingest(settings, embedder=counting_embedder)
    assert first.rebuilt == "no index yet"
    assert len(first.added) == first.documents == 7
    assert first.embedded_chunks == first.chunks == len(counting_embedder.embedded)
    second = ingest(settings, embedder=counting_embedder)
    assert not second.changed
    assert second.embedded_chunks == 0
    assert second.unchanged == 7 and second.chunks == first.chunks
    assert len(counting_embedder.embedded) == first.chunks


def test_editing_one_document_re_embeds_only_that_document(make_settings, counting_embedder):
    settings = make_settings()
    ingest(settings, embedder=counting_embedder)
    before = chunk_ids(settings)
    old = IndexStore(settings.index_dir).load()
    old_vectors = {c.id: np.array(old.vectors[i]) for i, c in enumerate(old.chunks)}
    counting_embedder.embedded.clear()

    path = settings.corpus_dir / "hk-gba-yes.md"
    path.write_text(path.read_text() + "\n\nA new paragraph about the 2026 intake of graduates.\n")
    report = ingest(settings, embedder=counting_embedder)

    assert report.updated == ("hk-gba-yes",)
    assert report.added == () and report.removed == ()
    after = chunk_ids(settings)
    assert report.embedded_chunks == len(after["hk-gba-yes"]) == len(counting_embedder.embedded)
    assert all("GBA" in t or "Youth" in t for t in counting_embedder.embedded)
    for doc_id, ids in before.items():
        if doc_id != "hk-gba-yes":
            assert after[doc_id] == ids
    new = IndexStore(settings.index_dir).load()
    for i, c in enumerate(new.chunks):
        if c.doc_id != "hk-gba-yes":
            assert np.array_equal(np.array(new.vectors[i]), old_vectors[c.id])


def test_touch_without_change_embeds_nothing(make_settings, counting_embedder):
    settings = make_settings()
    ingest(settings, embedder=counting_embedder)
    path = settings.corpus_dir / "hk-ttps.zh.md"
    path.write_bytes(path.read_bytes())
    report = ingest(settings, embedder=counting_embedder)
    assert not report.changed and report.embedded_chunks == 0


def test_added_and_removed_documents(make_settings, counting_embedder):
    settings = make_settings()
    ingest(settings, embedder=counting_embedder)
    (settings.corpus_dir / "hk-qmas-overview.md").unlink()
    shutil.copy2(CORPUS / "hk-iang.md", settings.corpus_dir / "hk-iang.md")
    report = ingest(settings, embedder=counting_embedder)
    assert report.removed == ("hk-qmas-overview",)
    assert report.added == ("hk-iang",)
    ids = chunk_ids(settings)
    assert "hk-qmas-overview" not in ids and "hk-iang" in ids
    assert report.embedded_chunks == len(ids["hk-iang"])


def test_changed_chunk_settings_force_a_full_rebuild(make_settings, counting_embedder):
    settings = make_settings()
    first = ingest(settings, embedder=counting_embedder)
    smaller = settings.model_copy(update={"chunk_tokens": 64, "chunk_overlap": 8})
    report = ingest(smaller, embedder=counting_embedder)
    assert report.rebuilt and "chunk_tokens: 128 -> 64" in report.rebuilt
    assert report.embedded_chunks == report.chunks > first.chunks
    assert report.added == () and len(report.updated) == 7


@pytest.mark.parametrize("damage", ["truncate_faiss", "delete_manifest", "delete_pointer"])
def test_damaged_index_is_rebuilt_by_ingest(make_settings, counting_embedder, damage):
    settings = make_settings()
    first = ingest(settings, embedder=counting_embedder)
    store = IndexStore(settings.index_dir)
    current = store.current()
    if damage == "truncate_faiss":
        (current / FAISS_FILE).write_bytes((current / FAISS_FILE).read_bytes()[:100])
    elif damage == "delete_manifest":
        (current / MANIFEST).unlink()
    else:
        (settings.index_dir / "CURRENT").unlink()
    report = ingest(settings, embedder=counting_embedder)
    assert report.rebuilt
    assert report.embedded_chunks == first.chunks
    assert len(store.load()) == first.chunks


def test_unparseable_new_version_keeps_previous_one(make_settings, counting_embedder, caplog):
    settings = make_settings()
    ingest(settings, embedder=counting_embedder)
    before = chunk_ids(settings)["hk-gba-yes"]
    (settings.corpus_dir / "hk-gba-yes.md").write_text("---\ntitle: [broken\n---\nBody")
    (settings.corpus_dir / "garbage.pdf").write_bytes(b"%PDF-1.4 nonsense")
    report = ingest(settings, embedder=counting_embedder)
    assert report.kept_previous == ("hk-gba-yes",)
    assert {s.path for s in report.skipped} == {"hk-gba-yes.md", "garbage.pdf"}
    assert chunk_ids(settings)["hk-gba-yes"] == before
    assert "hk-gba-yes.md" in caplog.text and "garbage.pdf" in caplog.text


def test_empty_corpus_gives_an_empty_but_valid_index(make_settings, embedder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = make_settings(corpus_dir=empty)
    report = ingest(settings, embedder=embedder)
    assert report.documents == 0 and report.chunks == 0
    assert len(IndexStore(settings.index_dir).load()) == 0
