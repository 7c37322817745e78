"""Time-limited measures: an answer and a source card say whether the measure still applies
today, from the sheet's `valid_from`/`valid_until`, and when the sheet was last checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from baybot.answer.assistant import Assistant
from baybot.answer.validity import is_stale, status_text, validity_note
from baybot.app.web.render import sources_html
from baybot.corpus.loaders.markdown import load_markdown
from baybot.errors import DocumentError
from baybot.types import Answer, Citation, SourceFile, Validity

ENDS = date(2027, 12, 31)
CHECKED = date(2026, 12, 2)


def _citation(n: int, doc_id: str, validity: Validity | None, title: str = "Scheme") -> Citation:
    return Citation(
        n=n, chunk_id=f"{doc_id}#{n}", doc_id=doc_id, title=title, url=None,
        published=date(2024, 1, 5), issuer=None, quote="q", passage="q", spans=((0, 1),),
        updated=date(2025, 3, 1), validity=validity,
    )  # fmt: skip


@pytest.mark.unit
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 2), ("valid", ENDS)),  # more than half a year left
        (date(2027, 10, 1), ("ending", ENDS)),  # ends soon: said with the check date
        (ENDS, ("ending", ENDS)),  # the last day still counts
        (date(2028, 1, 1), ("ended", ENDS)),
        (date(2020, 6, 1), ("not_yet", date(2021, 1, 1))),
    ],
)
def test_status_against_today(today: date, expected: tuple[str, date]) -> None:
    validity = Validity(valid_from=date(2021, 1, 1), valid_until=ENDS, reviewed=CHECKED)
    assert validity.status(today) == expected


@pytest.mark.unit
def test_open_ended_measure_has_no_status_once_started() -> None:
    assert Validity(valid_from=date(2021, 1, 1)).status(date(2026, 1, 1)) is None
    assert Validity().status(date(2026, 1, 1)) is None


@pytest.mark.unit
def test_ending_soon_names_the_day_it_was_checked() -> None:
    text = status_text(Validity(None, ENDS, CHECKED), "en", date(2027, 11, 1))
    assert text is not None
    assert "31 December 2027" in text and "2 December 2026" in text
    # without a check date there is nothing to say "as of", so it is a plain end date
    assert "valid until 31 December 2027" in (
        status_text(Validity(None, ENDS, None), "en", date(2027, 11, 1)) or ""
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("language", "ended", "until"),
    [
        ("en", "ended on", "valid until"),
        ("zh-Hant", "已於", "有效至"),
        ("zh-Hans", "已于", "有效至"),
    ],
)
def test_note_in_the_readers_language(language: str, ended: str, until: str) -> None:
    citations = [
        _citation(1, "old-measure", Validity(None, date(2025, 12, 31), CHECKED)),
        _citation(2, "old-measure", Validity(None, date(2025, 12, 31), CHECKED)),
        _citation(3, "current", Validity(None, ENDS, CHECKED)),
        _citation(4, "no-period", None),
    ]
    note = validity_note(citations, language, date(2026, 12, 2))
    assert note is not None
    lines = note.splitlines()
    assert len(lines) == 2, "one line per cited document with a validity period"
    assert ended in lines[0] and lines[0].endswith("[1]")
    assert until in lines[1] and lines[1].endswith("[3]")
    if language.startswith("zh"):
        assert "2027年12月31日" in lines[1]


@pytest.mark.unit
def test_no_note_without_periods() -> None:
    assert validity_note([_citation(1, "a", None)], "en", CHECKED) is None


def _sheet(tmp_path: Path, front: str) -> SourceFile:
    path = tmp_path / "measure.md"
    path.write_text(f"---\ntitle: A measure\n{front}---\n# A measure\n\nIt applies.\n")
    return SourceFile(path=path, relpath=path.name, doc_id="measure")


@pytest.mark.unit
def test_front_matter_gives_the_period(tmp_path: Path) -> None:
    file = _sheet(
        tmp_path, "reviewed: 2026-12-02\nvalid_from: 2024-01-01\nvalid_until: 2027-12-31\n"
    )
    doc = load_markdown(file, file.path.read_bytes())
    assert doc.validity == Validity(date(2024, 1, 1), ENDS, CHECKED)
    assert doc.to_dict()["valid_until"] == "2027-12-31"


@pytest.mark.unit
def test_malformed_period_is_a_document_error(tmp_path: Path) -> None:
    file = _sheet(tmp_path, "valid_until: end of 2027\n")
    with pytest.raises(DocumentError, match="invalid date"):
        load_markdown(file, file.path.read_bytes())


@pytest.mark.unit
def test_card_shows_checked_updated_and_status() -> None:
    citation = _citation(1, "old-measure", Validity(None, date(2020, 12, 31), CHECKED))
    answer = Answer(
        question="q", text="a [1]", refused=False, citations=(citation,), generator="x",
        query="q", language="en", confidence=1.0,
    )  # fmt: skip
    html = sources_html(answer, "en")
    assert "checked on 2026-12-02" in html
    assert "updated 2025-03-01" in html
    assert "ended on 31 December 2020" in html
    undated = sources_html(replace(answer, citations=(replace(citation, published=None),)), "en")
    assert "Undated" in undated


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Until when do Hengqin's income tax benefits for high-end talent apply?", "en"),
        ("横琴对高端紧缺人才的个税优惠政策执行到什么时候？", "zh-Hans"),
    ],
)
def test_answer_states_whether_a_measure_applies_today(
    assistant: Assistant, question: str, language: str
) -> None:
    """The shipped Hengqin sheet's benefits run to the end of 2027: the answer says so as of
    today, and says they ended when asked as of a later day."""
    now = assistant.ask(question)
    assert not now.refused
    assert any(c.doc_id.startswith("gd-hengqin-iit") for c in now.citations)
    marker = "2027年12月31日" if language.startswith("zh") else "31 December 2027"
    assert marker in now.text
    later = Assistant(
        assistant.retriever,
        assistant.settings.model_copy(update={"today": date(2028, 2, 1)}),
        evidence=assistant.evidence,
    ).ask(question)
    assert ("已于" if language.startswith("zh") else "ended on") in later.text


@pytest.mark.unit
def test_old_sources_are_flagged_and_undated_ones_are_not_judged() -> None:
    citation = _citation(1, "a", None)  # updated 2025-03-01
    assert not is_stale(citation, date(2026, 12, 2), 730)
    assert is_stale(citation, date(2027, 3, 5), 730)
    assert not is_stale(replace(citation, updated=None, published=None), date(2030, 1, 1), 730)
    answer = Answer(
        question="q", text="a [1]", refused=False, citations=(replace(citation, stale=True),),
        generator="x", query="q", language="zh-Hant", confidence=1.0,
    )  # fmt: skip
    assert "資料可能已過時" in sources_html(answer, "zh-Hant")
    assert answer.citations[0].to_dict()["stale"] is True
