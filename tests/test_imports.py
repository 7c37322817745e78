"""The import graph of src/baybot stays a pipeline: no cycles, no stage importing a later
stage, and a shallow longest chain (benchmarks/imports.py measures it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The longest chain was 15 levels before the code was grouped by stage; it is 13 now.
MAX_DEPTH = 13

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("imports", ROOT / "benchmarks/imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.measure(ROOT / "src/baybot")  # type: ignore[no-any-return]


def test_no_import_cycles(figures) -> None:
    assert figures["cycles"] == []


def test_no_stage_imports_a_later_stage(figures) -> None:
    assert figures["upward"] == []


def test_longest_import_chain_is_bounded(figures) -> None:
    assert 0 < figures["depth"] <= MAX_DEPTH, figures["longest_chain"]


def test_the_checker_sees_an_upward_import(tmp_path: Path, figures) -> None:
    """The measure itself can fail: a corpus module importing the answer stage is caught."""
    spec = importlib.util.spec_from_file_location("imports", ROOT / "benchmarks/imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    package = tmp_path / "baybot"
    for folder in ("corpus", "answer"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "corpus" / "a.py").write_text("from baybot.answer import b\n")
    (package / "answer" / "b.py").write_text("from baybot.corpus import a\n")
    measured = module.measure(package)
    assert "baybot.corpus.a -> baybot.answer.b" in measured["upward"]
    assert measured["cycles"]
