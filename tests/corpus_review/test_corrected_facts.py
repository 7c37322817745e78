"""Each fact the December 2026 review corrected is answered with its corrected value and date,
in English and in Chinese (questions in corrected_facts.jsonl, one per finding and language,
written for this test; docs/corpus-review.md lists the findings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baybot.answer.assistant import Assistant
from baybot.staff.evaluation import facts_in

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "corrected_facts.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


# Measured on 2 December 2026 (document signal on): the corpus states each of these, but the
# answer is refused (02 and 20: the refusal model), quotes another document (08 in Chinese, whose
# best-retrieved document is not the one that answers; 16 in Cantonese, whose answering
# announcement the document signal moves out of the top five), or quotes another sentence of
# the right document (13, 24 and 29 in Chinese, whose expected wording is in an English
# source; 22, 36; 06, where the statistics sheet that answers now ranks first but its
# passages on arrivals win over the renewal figures) (open work on the answer composer).
# XPASS shows when one is fixed.
KNOWN_GAPS = frozenset(
    {
        "finding02-zh-Hant",
        "finding06-en",
        "finding08-zh-Hans",
        "finding13-zh-Hant",
        "finding16-zh-Hant",
        "finding20-zh-Hans",
        "finding22-en",
        "finding24-zh-Hant",
        "finding29-zh-Hant",
        "finding36-en",
    }
)


def _id(case: dict[str, object]) -> str:
    return f"finding{case['finding']:02d}-{case['language']}"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=_id(c),
            marks=pytest.mark.xfail(
                reason="refused, or quotes another document or sentence", strict=False
            )
            if _id(c) in KNOWN_GAPS
            else (),
        )
        for c in CASES
    ],
)
def test_corrected_fact_is_answered(assistant: Assistant, case: dict[str, object]) -> None:
    answer = assistant.ask(str(case["question"]))
    assert not answer.refused, answer.text
    expected = [str(f) for f in case["expect"]]  # type: ignore[attr-defined]
    missing = sorted(set(expected) - set(facts_in(answer.text, expected)))
    assert not missing, f"missing {missing} in: {answer.text}"
