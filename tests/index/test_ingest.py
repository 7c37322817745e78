from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from baybot import ingest
from baybot.index.store import FAISS_FILE, MANIFEST, IndexStore, dense_file
from tests.conftest import CORPUS, DEFAULT_MODELS, MINILM


def chunk_ids(settings) -> dict[str, list[str]]:
    loaded = IndexStore(settings.index_dir).load()
    out: dict[str, list[str]] = {}
    for c in loaded.chunks:
        out.setdefault(c.doc_id, []).append(c.id)
    return out


def test_first_ingest_embeds_everything_and_second_nothing(make_settings, counting_embedder):
    settings = make_settings(vector_cache=False)
    first = ingest(settings, embedders=[counting_embedder])
    assert first.rebuilt == "no index yet"
    assert len(first.added) == first.documents == 7
    assert first.embedded_chunks == first.chunks == len(counting_embedder.embedded)
    second = ingest(settings, embedders=[counting_embedder])
    assert not second.changed
    assert second.embedded_chunks == 0
    assert second.unchanged == 7 and second.chunks == first.chunks
    assert len(counting_embedder.embedded) == first.chunks


def test_editing_one_document_re_embeds_only_that_document(make_settings, counting_embedder):
    settings = make_settings(vector_cache=False)
    ingest(settings, embedders=[counting_embedder])
    before = chunk_ids(settings)
    old = IndexStore(settings.index_dir).load()
    old_vectors = {c.id: np.array(old.vectors(MINILM[0])[i]) for i, c in enumerate(old.chunks)}
    counting_embedder.embedded.clear()

    path = settings.corpus_dir / "hk-gba-yes.md"
    path.write_text(path.read_text() + "\n\nA new paragraph about the 2026 intake of graduates.\n")
    report = ingest(settings, embedders=[counting_embedder])

    assert report.updated == ("hk-gba-yes",)
    assert report.added == () and report.removed == ()
    after = chunk_ids(settings)
    assert report.embedded_chunks == len(after["hk-gba-yes"]) == len(counting_embedder.embedded)
    assert report.computed_vectors == report.embedded_chunks
    assert all("GBA" in t or "Youth" in t for t in counting_embedder.embedded)
    for doc_id, ids in before.items():
        if doc_id != "hk-gba-yes":
            assert after[doc_id] == ids
    new = IndexStore(settings.index_dir).load()
    for i, c in enumerate(new.chunks):
        if c.doc_id != "hk-gba-yes":
            assert np.array_equal(np.array(new.vectors(MINILM[0])[i]), old_vectors[c.id])


def test_touch_without_change_embeds_nothing(make_settings, counting_embedder):
    settings = make_settings()
    ingest(settings, embedders=[counting_embedder])
    path = settings.corpus_dir / "hk-ttps.zh.md"
    path.write_bytes(path.read_bytes())
    report = ingest(settings, embedders=[counting_embedder])
    assert not report.changed and report.embedded_chunks == 0


def test_added_and_removed_documents(make_settings, counting_embedder):
    settings = make_settings()
    ingest(settings, embedders=[counting_embedder])
    (settings.corpus_dir / "hk-qmas-overview.md").unlink()
    shutil.copy2(CORPUS / "hk-iang.md", settings.corpus_dir / "hk-iang.md")
    report = ingest(settings, embedders=[counting_embedder])
    assert report.removed == ("hk-qmas-overview",)
    assert report.added == ("hk-iang",)
    ids = chunk_ids(settings)
    assert "hk-qmas-overview" not in ids and "hk-iang" in ids
    assert report.embedded_chunks == len(ids["hk-iang"])


def test_changed_chunk_settings_force_a_full_rebuild(make_settings, counting_embedder):
    settings = make_settings()
    first = ingest(settings, embedders=[counting_embedder])
    smaller = settings.model_copy(update={"chunk_tokens": 64, "chunk_overlap": 8})
    report = ingest(smaller, embedders=[counting_embedder])
    assert report.rebuilt and "chunk_tokens: 128 -> 64" in report.rebuilt
    assert report.embedded_chunks == report.chunks > first.chunks
    assert report.added == () and len(report.updated) == 7


@pytest.mark.parametrize("damage", ["truncate_faiss", "delete_manifest", "delete_pointer"])
def test_damaged_index_is_rebuilt_by_ingest(make_settings, counting_embedder, damage):
    settings = make_settings()
    first = ingest(settings, embedders=[counting_embedder])
    store = IndexStore(settings.index_dir)
    current = store.current()
    if damage == "truncate_faiss":
        (current / dense_file(0, FAISS_FILE)).write_bytes(
            (current / dense_file(0, FAISS_FILE)).read_bytes()[:100]
        )
    elif damage == "delete_manifest":
        (current / MANIFEST).unlink()
    else:
        (settings.index_dir / "CURRENT").unlink()
    report = ingest(settings, embedders=[counting_embedder])
    assert report.rebuilt
    assert report.embedded_chunks == first.chunks
    assert len(store.load()) == first.chunks


def test_unparseable_new_version_keeps_previous_one(make_settings, counting_embedder, caplog):
    settings = make_settings()
    ingest(settings, embedders=[counting_embedder])
    before = chunk_ids(settings)["hk-gba-yes"]
    (settings.corpus_dir / "hk-gba-yes.md").write_text("---\ntitle: [broken\n---\nBody")
    (settings.corpus_dir / "garbage.pdf").write_bytes(b"%PDF-1.4 nonsense")
    report = ingest(settings, embedders=[counting_embedder])
    assert report.kept_previous == ("hk-gba-yes",)
    assert {s.path for s in report.skipped} == {"hk-gba-yes.md", "garbage.pdf"}
    assert chunk_ids(settings)["hk-gba-yes"] == before
    assert "hk-gba-yes.md" in caplog.text and "garbage.pdf" in caplog.text


def test_empty_corpus_gives_an_empty_but_valid_index(make_settings, embedder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = make_settings(corpus_dir=empty)
    report = ingest(settings, embedders=[embedder])
    assert report.documents == 0 and report.chunks == 0
    assert len(IndexStore(settings.index_dir).load()) == 0


def test_rebuild_reads_vectors_from_the_cache_instead_of_embedding(
    make_settings, counting_embedder, tmp_path
):
    settings = make_settings(cache_dir=tmp_path / "own-cache", seed_vectors=None)
    first = ingest(settings, embedders=[counting_embedder])
    assert first.computed_vectors == first.chunks
    counting_embedder.embedded.clear()
    again = ingest(settings, embedders=[counting_embedder], rebuild=True)
    assert again.embedded_chunks == again.chunks and again.computed_vectors == 0
    assert counting_embedder.embedded == []
    vectors = IndexStore(settings.index_dir).load().vectors(MINILM[0])
    fresh = counting_embedder.inner.embed_documents(
        [IndexStore(settings.index_dir).load().chunks[0].embedding_text]
    )
    assert np.allclose(np.asarray(vectors[0]), fresh[0], atol=1e-5)


def test_unreadable_vector_cache_is_replaced(make_settings, counting_embedder, tmp_path, caplog):
    cache = tmp_path / "broken-cache"
    cache.mkdir()
    (cache / "vectors.sqlite").write_bytes(b"this is not a database" * 100)
    settings = make_settings(cache_dir=cache, seed_vectors=None)
    report = ingest(settings, embedders=[counting_embedder])
    assert report.computed_vectors == report.chunks > 0
    assert "vectors.sqlite" in caplog.text
    assert ingest(settings, embedders=[counting_embedder], rebuild=True).computed_vectors == 0


def test_kill_9_at_random_moments_leaves_the_old_or_the_new_index(make_settings, tmp_path):
    """20 runs of `baybot ingest` killed with SIGKILL, half at random moments and half while
    the new version is being written: the index always loads and is either the previous
    version or the complete new one, never a mix."""
    import random
    import subprocess
    import sys
    import time

    settings = make_settings(**DEFAULT_MODELS)
    ingest(settings)
    corpus = settings.corpus_dir
    notice = corpus / "kill-test-notice.md"
    env = {
        **{k: v for k, v in __import__("os").environ.items() if not k.startswith("BAYBOT_")},
        "BAYBOT_CACHE_DIR": str(settings.cache_dir),
    }
    command = [sys.executable, "-m", "baybot", "ingest", "--corpus", str(corpus),
               "--index", str(settings.index_dir)]  # fmt: skip

    def state() -> tuple[str, frozenset[str]]:
        loaded = IndexStore(settings.index_dir).load()  # raises if corrupt or mixed
        texts = frozenset(c.text for c in loaded.chunks if c.doc_id == "kill-test-notice")
        return loaded.version, texts

    rng = random.Random(7)
    notice.write_text("---\ntitle: Notice\n---\nThe talent office announces fees.\n")
    begun = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)  # time one whole run
    duration = time.perf_counter() - begun
    outcomes = {"old": 0, "new": 0}
    mid_write = 0
    for run in range(20):
        before = state()
        body = f"The talent office announces fee schedule number {run}."
        notice.write_text(f"---\ntitle: Notice {run}\n---\n{body}\n", encoding="utf-8")
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if run % 2:  # at a random moment
            time.sleep(duration * rng.uniform(0.5, 1.25))
        else:  # in the middle of writing the new version
            deadline = time.monotonic() + duration * 2
            while not any(settings.index_dir.glob(".tmp-*")) and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.05))
        process.kill()
        process.wait()
        mid_write += any(settings.index_dir.glob(".tmp-*"))
        after = state()
        if after == before:
            outcomes["old"] += 1
        else:
            assert after[1] == {f"The talent office announces fee schedule number {run}."}
            outcomes["new"] += 1
    ingest(settings)  # the next ingest finishes the job and cleans up abandoned temp folders
    assert not list(settings.index_dir.glob(".tmp-*")) and sum(outcomes.values()) == 20
    assert state()[1] == {"The talent office announces fee schedule number 19."}
    # The kills landed before the switch, after it, and in the middle of writing.
    assert outcomes["old"] and outcomes["new"] and mid_write
    print(outcomes, f"{mid_write} killed mid-write")


def test_a_full_disk_is_a_clear_error_and_the_index_stays_usable(make_settings, tmp_path):
    """The index folder on a small filesystem of its own (a tmpfs in a private mount
    namespace): the first ingest fits, then the disk is filled and a changed corpus is
    ingested again."""
    import os
    import shutil
    import subprocess
    import sys

    if (
        not shutil.which("unshare")
        or subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False).returncode
    ):
        pytest.skip("needs a private mount namespace (unshare -m) to make a small filesystem")
    settings = make_settings(**DEFAULT_MODELS)
    ingest(settings)  # warms the vector cache, so the runs below only chunk and write
    mount = tmp_path / "small-disk"
    mount.mkdir()
    index = mount / "index"
    corpus = settings.corpus_dir
    baybot = f"{sys.executable} -m baybot"
    script = f"""
        set -u
        mount -t tmpfs -o size=4m tmpfs {mount}
        {baybot} ingest --corpus {corpus} --index {index} > /dev/null || exit 10
        fallocate -l $(( $(df --output=avail -B1 {mount} | tail -1) - 4096 )) {mount}/filler
        echo "A new notice about visa fees." > {corpus}/new-notice.md
        {baybot} ingest --corpus {corpus} --index {index} 2> {tmp_path}/full.err
        echo "exit=$?" >> {tmp_path}/full.err
        {baybot} search "GBA Youth Employment Scheme" --index {index} --corpus {corpus} \\
            --json > {tmp_path}/search.json || exit 11
    """
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAYBOT_")},
        "BAYBOT_CACHE_DIR": str(settings.cache_dir),
        "BAYBOT_AUTO_UPDATE": "false",
    }
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    errors = (tmp_path / "full.err").read_text()
    assert "exit=1" in errors and "no space left on the device" in errors, errors
    assert "the previous index is kept" in errors and "Traceback" not in errors
    hits = json.loads((tmp_path / "search.json").read_text())["hits"]
    assert hits[0]["doc_id"] == "hk-gba-yes"  # the previous index still answers
