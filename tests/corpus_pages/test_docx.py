"""Word (.docx) sources read through discovery and the registered loader: the circular's own
date line over the file's core properties, the headline as title, tables as rows under their
header, region and schemes inferred. The files are written here with python-docx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document as WordDocument

from baybot.corpus.discovery import load_corpus
from baybot.corpus.loaders import loadable_suffixes
from baybot.text.sentences import table_header

pytestmark = pytest.mark.unit  # no model: python-docx, the loader and the glossary only

TEMPLATE_CREATED = dt.datetime(2019, 3, 4, 8, 0, tzinfo=dt.UTC)  # an old template's date


def write_docx(
    path: Path,
    *,
    title: str | None,
    paragraphs: list[str],
    table: list[list[str]] | None = None,
    core_title: str = "",
    created: dt.datetime = TEMPLATE_CREATED,
) -> Path:
    document = WordDocument()
    document.core_properties.title = core_title
    document.core_properties.created = created
    if title:
        document.add_paragraph(title, style="Title")
    for text in paragraphs:
        style = "List Bullet" if text.startswith("* ") else None
        document.add_paragraph(text.removeprefix("* "), style=style)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
        document.add_paragraph("Enquiries may be made to the Immigration Department hotline.")
    document.save(path)
    return path


def test_docx_is_a_registered_corpus_format() -> None:
    assert ".docx" in loadable_suffixes()


def test_a_word_circular_keeps_its_date_line_headline_and_table(tmp_path: Path) -> None:
    write_docx(
        tmp_path / "ttps-universities.docx",
        title="Top Talent Pass Scheme: updated list of eligible universities",
        core_title="Circular template",
        paragraphs=[
            "Immigration Department",
            "27 January 2026",
            "The aggregate list of eligible universities used since 2019 has been revised. "
            "Applicants under the Top Talent Pass Scheme in Hong Kong should read the table.",
            "* Category A: annual income of HK$2.5 million or more",
            "* Category B: a degree from an eligible university and three years of work",
        ],
        table=[
            ["Category", "Requirement", "Stay granted"],
            ["A", "Income of HK$2.5 million", "3 years"],
            ["C", "Degree within five years, less than three years of work", "2 years"],
        ],
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.published == dt.date(2026, 1, 27)  # the date line, not the template, not 2019
    assert doc.title == "Top Talent Pass Scheme: updated list of eligible universities"
    assert doc.region == "Hong Kong"
    assert any("Top Talent" in s for s in doc.schemes)
    assert "- Category A: annual income" in doc.text  # a Word list stays a list
    row = doc.text.index("| C | Degree within five years")
    assert table_header(doc.text, row) == "| Category | Requirement | Stay granted |"
    assert "Circular template" not in doc.text


def test_chinese_word_notice_dated_by_its_chinese_date_line(tmp_path: Path) -> None:
    write_docx(
        tmp_path / "qianhai-subsidy.docx",
        title=None,
        paragraphs=[
            "前海港澳青年就業補貼申請指引",
            "發布日期：2024年3月5日",
            "在前海工作的港澳青年，可按本指引申請就業補貼，每月最高5000元，自2021年起實施。",
        ],
        table=[["項目", "金額"], ["就業補貼", "每月5000元"]],
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.published == dt.date(2024, 3, 5)
    assert doc.title == "前海港澳青年就業補貼申請指引"
    assert doc.language == "zh-Hant"
    assert doc.region == "Guangdong"  # Qianhai is in Shenzhen, as the shipped notices have it
    assert "| 就業補貼 | 每月5000元 |" in doc.text


def test_core_properties_date_and_title_only_as_a_last_resort(tmp_path: Path) -> None:
    created = dt.datetime(2025, 6, 30, 9, 0, tzinfo=dt.UTC)
    write_docx(
        tmp_path / "gba-youth-note.docx",
        title=None,
        core_title="Greater Bay Area Youth Employment Scheme: notes for employers",
        created=created,
        paragraphs=[
            "Employers joining the Greater Bay Area Youth Employment Scheme since 2023 receive "
            "a monthly allowance for each graduate they place in a Mainland city of the "
            "Greater Bay Area.",
        ],
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.published == created.date()  # no date line: the file's own date, never 2023
    assert doc.title == "Greater Bay Area Youth Employment Scheme: notes for employers"


def test_a_broken_docx_is_skipped_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    write_docx(tmp_path / "fine.docx", title="Hengqin talent notice", paragraphs=["横琴人才。"])
    result = load_corpus(tmp_path)
    assert [d.id for d in result.documents] == ["fine"]
    (skipped,) = result.skipped
    assert skipped.path == "broken.docx" and "docx" in skipped.reason
