from __future__ import annotations

import numpy as np
import pytest

from baybot.index.embedders import load_embedder
from baybot.index.vector_cache import VectorCache
from baybot.search.calibration import LanguageCalibrator, background_sentences


def test_background_sets_are_parallel_in_every_language() -> None:
    sets = background_sentences()
    assert set(sets) == {"en", "zh-Hant", "zh-Hans"}
    sizes = {len(v) for v in sets.values()}
    assert len(sizes) == 1 and sizes.pop() >= 20
    assert all(s.strip() for texts in sets.values() for s in texts)


@pytest.fixture(scope="module")
def calibrator(tmp_path_factory) -> LanguageCalibrator:
    cache = VectorCache(tmp_path_factory.mktemp("calibration") / "vectors.sqlite")
    try:
        return LanguageCalibrator.build([load_embedder("multilingual-e5-small")], cache)
    finally:
        cache.close()


def test_offsets_measure_the_same_language_preference(calibrator) -> None:
    """A Chinese question scores Chinese boilerplate above the identical English boilerplate;
    the offset is exactly that gap, English is the zero point, unknown languages are left alone."""
    e5 = load_embedder("multilingual-e5-small")
    query = e5.embed_query("港澳青年去前海工作有补贴吗")
    offsets = calibrator.offsets(e5.name, query, ["en", "zh-Hans", "zh-Hant", "fr"])
    backgrounds = calibrator.backgrounds[e5.name]
    raw = {lang: float((backgrounds[lang] @ query).mean()) for lang in backgrounds}
    assert raw["zh-Hans"] > raw["en"] + 0.01
    assert offsets[0] == 0.0 and offsets[3] == 0.0
    assert offsets[1] == pytest.approx(raw["zh-Hans"] - raw["en"], abs=1e-6)
    assert offsets[2] == pytest.approx(raw["zh-Hant"] - raw["en"], abs=1e-6)


def test_unknown_embedder_gets_no_correction(calibrator) -> None:
    offsets = calibrator.offsets("no-such-model", np.ones(384, dtype=np.float32), ["zh-Hans"])
    assert offsets.tolist() == [0.0]
