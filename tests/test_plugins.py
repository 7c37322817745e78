"""The plugin path: a package registers a generator, an embedder and a loader by entry point,
and each is used by name exactly like a built-in (tests/plugins/baybot_testplugins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baybot import Settings
from baybot.answer.generators import available_generators, load_generator
from baybot.app.wiring import build_assistant, build_retriever
from baybot.corpus.discovery import load_corpus
from baybot.errors import GenerationError
from baybot.index.embedders import load_embedder
from baybot.plugins import EMBEDDERS, GENERATORS, LOADERS, Registry

pytestmark = pytest.mark.unit


def test_registry_lists_builtins_first_then_plugins(test_plugins):
    names = GENERATORS.names()
    assert names[:3] == ["extractive", "openai", "llamacpp"]
    assert "echo-test" in names[3:]
    assert "hash-test" in EMBEDDERS.names()
    assert "rst" in LOADERS.names() and "md" in LOADERS.names()


def test_an_unregistered_name_is_not_found():
    registry = Registry("baybot.nothing-registers-here")
    assert registry.names() == []
    assert "x" not in registry
    with pytest.raises(KeyError):
        registry.load("x")


def test_plugin_generator_is_loaded_by_name(test_plugins):
    settings = Settings()
    assert "echo-test" in available_generators()
    assert load_generator("echo-test", settings).name == "echo-test"
    with pytest.raises(GenerationError, match="unknown generator"):
        load_generator("no-such-generator", settings)


def test_plugin_loader_reads_its_suffix(tmp_path: Path, test_plugins):
    (tmp_path / "guide.rst").write_text(
        "Talent visa guide\n=================\n\nApply online before the deadline.\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.xyz").write_text("not a format anyone reads", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    [doc] = corpus.documents
    assert (doc.id, doc.title) == ("guide", "Talent visa guide")
    assert "Apply online" in doc.text
    assert [s.path for s in corpus.skipped] == ["notes.xyz"]


def test_plugin_embedder_indexes_and_searches(unit_settings: Settings):
    embedder = load_embedder("hash-test")
    assert embedder.name == "hash-test"
    a, b = embedder.embed_documents(["youth employment scheme", "youth employment scheme"])
    assert float(a @ b) == pytest.approx(1.0)
    retriever = build_retriever(unit_settings)
    assert retriever.index.manifest.config.embedders == ("hash-test",)
    hits = retriever.search("GBA Youth Employment Scheme wage subsidy for graduates", k=3)
    assert hits and hits[0].doc_id == "hk-gba-yes"


def test_plugin_generator_answers_through_the_assistant(unit_settings: Settings):
    assistant = build_assistant(unit_settings.model_copy(update={"refusal": False}))
    answer = assistant.ask("What does the GBA Youth Employment Scheme pay employers?")
    assert answer.generator == "echo-test"
    assert not answer.refused
    assert answer.citations and answer.citations[0].doc_id in {
        h.doc_id for h in assistant.retriever.search(answer.query, k=unit_settings.top_k)
    }
