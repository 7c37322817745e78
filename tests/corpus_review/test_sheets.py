"""Every shipped sheet says where it comes from, when it was changed and checked, how long it holds.

Answers and source cards quote these front-matter fields, so a sheet without dated sources, without
`updated`/`reviewed`, or with an unreadable or inverted validity period would show a reader a wrong
or empty date. The front matter is parsed with PyYAML directly, as the loader does, so this test
does not depend on where the loader's module lives.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SHEETS = sorted(CORPUS.glob("*.md"))
# The front matter opens the file: '---', YAML, '---' (the shipped corpus format).
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
# YAML reads an unquoted YYYY-MM-DD as a date; the quoted string form is accepted too.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def front_matter(path: Path) -> dict[str, Any]:
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name}: no front matter"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    return meta


def as_date(value: object) -> date | None:
    """A date from a YAML value, or None when it is not exactly a YYYY-MM-DD date."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def test_the_corpus_has_sheets() -> None:
    assert SHEETS, f"no .md sheets under {CORPUS}"


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_sheet_has_dated_sources(sheet: Path) -> None:
    sources = front_matter(sheet).get("sources")
    assert isinstance(sources, list) and sources, f"{sheet.name}: no sources"
    for source in sources:
        assert isinstance(source, dict) and source.get("url"), f"{sheet.name}: source without url"
        url = source.get("url")
        assert as_date(source.get("date")), f"{sheet.name}: {url} has no YYYY-MM-DD date"


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
@pytest.mark.parametrize("key", ["updated", "reviewed"])
def test_sheet_has_updated_and_reviewed(sheet: Path, key: str) -> None:
    assert as_date(front_matter(sheet).get(key)), f"{sheet.name}: '{key}' missing or not YYYY-MM-DD"


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.name)
def test_validity_period_is_well_formed(sheet: Path) -> None:
    meta = front_matter(sheet)
    bounds = {key: meta[key] for key in ("valid_from", "valid_until") if key in meta}
    parsed = {key: as_date(value) for key, value in bounds.items()}
    for key, value in parsed.items():
        assert value, f"{sheet.name}: '{key}' is {bounds[key]!r}, not a YYYY-MM-DD date"
    start, end = parsed.get("valid_from"), parsed.get("valid_until")
    if start and end:
        assert start <= end, f"{sheet.name}: valid_from after valid_until"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (date(2027, 12, 31), True),
        ("2027-12-31", True),
        ("2027-13-01", False),
        ("end-2027", False),
        ("31/12/2027", False),
        (2027, False),
        (None, False),
    ],
)
def test_date_reading_rejects_malformed_values(value: object, ok: bool) -> None:
    assert bool(as_date(value)) is ok
