"""The fixture pages read as the loaders will read them: metadata, clean text, region and schemes.

The PDF circular is built here with fpdf2 from its committed text source, stamped with a
CreationDate long after the circular's own date, so a test can tell which one was used.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fpdf import FPDF
from pypdf import PdfReader

from baybot.corpus import boilerplate, pagemeta
from baybot.corpus.infer import Inferred, Inferrer, from_glossary, paragraphs_of
from baybot.text.glossary import Glossary, fold

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
PDF_CREATED = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Read:
    """One fixture page after metadata extraction, boilerplate removal and inference."""

    expected: dict[str, Any]
    meta: pagemeta.PageMeta
    text: str
    inferred: Inferred


def expected_pages() -> list[dict[str, Any]]:
    return yaml.safe_load((PAGES / "expected.yaml").read_text("utf-8"))["pages"]


def build_pdf(source: Path) -> bytes:
    """A one-page circular: the text lines, then the rows between '|' as a real table."""
    pdf = FPDF()
    pdf.set_creation_date(PDF_CREATED)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    rows: list[list[str]] = []
    for line in source.read_text("utf-8").splitlines() + [""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if rows:
            with pdf.table() as table:
                for row in rows:
                    cells = table.row()
                    for cell in row:
                        cells.cell(cell)
            rows = []
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _site_lines(pages: list[dict[str, Any]]) -> dict[str, frozenset[str]]:
    """Per site, the lines its pages share (from their main text, as a crawl would see them)."""
    by_site: dict[str, list[list[str]]] = {}
    for page in pages:
        if site := page.get("site"):
            html = (PAGES / page["file"]).read_bytes()
            by_site.setdefault(site, []).append(boilerplate.main_text(html).splitlines())
    return {site: boilerplate.repeated_lines(lines) for site, lines in by_site.items()}


def read_page(page: dict[str, Any], inferrer: Inferrer, site_lines: frozenset[str]) -> Read:
    path = PAGES / page["file"]
    url = page.get("url")
    if path.suffix == ".html":
        data = path.read_bytes()
        meta = pagemeta.html_meta(data, url)
        raw = boilerplate.main_text(data, url)
    elif path.suffix == ".pdf":
        reader = PdfReader(io.BytesIO(build_pdf(PAGES / page["source"])))
        raw = "\n".join(p.extract_text() or "" for p in reader.pages)
        created = reader.metadata.creation_date if reader.metadata else None
        meta = pagemeta.text_meta(raw, url, pdf_created=created.date() if created else None)
    else:
        raw = path.read_text("utf-8")
        meta = pagemeta.text_meta(raw, url)
    text = boilerplate.clean(raw, meta.title, site_lines)
    inferred = inferrer.infer(meta.title or "", paragraphs_of(text), meta.issuer)
    return Read(page, meta, text, inferred)


@pytest.fixture(scope="session")
def inferrer() -> Inferrer:
    return Inferrer(from_glossary(Glossary.load()), fold=fold)


@pytest.fixture(scope="session")
def read_pages(inferrer: Inferrer) -> list[Read]:
    pages = expected_pages()
    sites = _site_lines(pages)
    return [read_page(p, inferrer, sites.get(p.get("site", ""), frozenset())) for p in pages]


def as_date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def page_bytes(page: dict[str, Any]) -> bytes:
    """A fixture page's bytes as a server would send them (the PDF is built from its source)."""
    if page["file"].endswith(".pdf"):
        return build_pdf(PAGES / page["source"])
    return (PAGES / page["file"]).read_bytes()


def write_corpus(folder: Path, pages: list[dict[str, Any]], *, sidecars: bool = True) -> Path:
    """The fixture pages dropped into a corpus folder, each with a sidecar naming its url when
    `sidecars` (as `baybot add URL` leaves them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (folder / page["file"]).write_bytes(page_bytes(page))
        if sidecars and page.get("url"):
            stem = page["file"].rsplit(".", 1)[0]
            (folder / f"{stem}.meta.yaml").write_text(yaml.safe_dump({"url": page["url"]}), "utf-8")
    return folder
