from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
import yaml
from fpdf import FPDF

from baybot.corpus.discovery import discover, doc_id_for, load_corpus
from baybot.corpus.loaders.html import load_html
from baybot.corpus.loaders.markdown import load_markdown
from baybot.corpus.loaders.pdf import load_pdf
from baybot.corpus.loaders.text import decode_text, load_text
from baybot.errors import CorpusNotFoundError, DocumentError
from baybot.text.sentences import title_from_text
from baybot.types import Document, Source, SourceFile
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def source(path: Path) -> SourceFile:
    return SourceFile(path=path, relpath=path.name, doc_id=doc_id_for(path))


def load(path: Path, loader):
    return loader(source(path), path.read_bytes())


def test_doc_id_is_file_name_without_last_extension() -> None:
    assert doc_id_for(Path("hk-ttps.zh.md")) == "hk-ttps.zh"
    assert doc_id_for(Path("000_a15bed6abde3419e.txt")) == "000_a15bed6abde3419e"
    assert doc_id_for(Path("README")) == "README"


def test_markdown_loader_reads_front_matter() -> None:
    doc = load(CORPUS / "hk-ttps.zh.md", load_markdown)
    assert doc.id == "hk-ttps.zh"
    assert doc.title == "高端人才通行證計劃（高才通）：類別、資格與最新安排"
    assert doc.issuer == "香港特別行政區政府入境事務處"
    assert doc.region == "Hong Kong"
    assert doc.schemes == ("Top Talent Pass Scheme",)
    assert doc.published == date(2022, 12, 28)
    meta = yaml.safe_load((CORPUS / "hk-ttps.zh.md").read_text(encoding="utf-8").split("---")[1])
    assert doc.updated == meta["updated"]
    assert doc.reviewed == meta["reviewed"]
    assert doc.language == "zh-Hant"
    assert len(doc.sources) == len(meta["sources"])
    assert doc.url and doc.url.startswith("https://")
    assert doc.sources[-1].date == meta["sources"][-1]["date"]
    assert doc.text.startswith("# 高端人才通行證計劃")
    assert "---" not in doc.text.splitlines()[0]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.md")), ids=lambda p: p.name)
def test_every_shipped_markdown_file_loads_with_agreeing_id(path: Path) -> None:
    doc = load(path, load_markdown)
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert doc.id == meta["id"] == doc_id_for(path)
    assert doc.title == meta["title"]
    assert doc.published == meta["published"]
    assert doc.language == meta["language"]
    assert doc.url is not None


def test_text_seed_with_date_line() -> None:
    doc = load(CORPUS / "000_a15bed6abde3419e.txt", load_text)
    assert doc.id == "000_a15bed6abde3419e"
    assert doc.published == date(2022, 11, 11)
    assert doc.language == "en"
    assert doc.title.startswith("Hong Kong Economic and Trade Office in Guangdong")
    assert not doc.text.startswith(" date")
    assert doc.text.startswith("HONG KONG SAR - Media OutReach")


def test_text_seed_with_heading_title() -> None:
    doc = load(CORPUS / "002_26cfad88e5733b16.txt", load_text)
    assert doc.id == "002_26cfad88e5733b16"
    assert doc.published is None
    assert doc.title == (
        "Hong Kong and Shanghai sign MOU to deepen talent exchanges and co-operation (with photos)"
    )
    assert doc.language == "en"


def test_title_falls_back_to_first_sentence() -> None:
    text = "This notice explains the new rules. More detail follows here."
    assert title_from_text(text) == "This notice explains the new rules."
    long = "word " * 80
    assert title_from_text(long).endswith("…") and len(title_from_text(long)) <= 121


def test_text_language_detection_for_chinese_seed(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(" date 2024-03-01 前海深港青年梦工场为港澳青年提供创业支持。\n\n详情请见公告。")
    doc = load(path, load_text)
    assert doc.language == "zh-Hans"
    assert doc.published == date(2024, 3, 1)
    assert doc.title == "前海深港青年梦工场为港澳青年提供创业支持。"


HTML = """<!doctype html><html><head><title>Talent notice | Labour Department</title>
<meta name="date" content="2024-05-01"><link rel="canonical" href="https://www.example.gov.hk/notice.html">
</head><body><nav><ul><li><a href="/">Home</a></li><li><a href="/a">About us</a></li>
<li><a href="/c">Contact navigation link</a></li></ul></nav>
<main><article><h1>New talent admission notice</h1>
<p>The Top Talent Pass Scheme admits people with an annual income of HK$2.5 million or more,
and graduates of eligible universities with the required work experience.</p>
<h2>How to apply</h2><p>Applications are submitted online to the Immigration Department,
which processes most complete applications within four weeks of receipt.</p></article></main>
<footer>Copyright 2024 Example Department. All rights reserved. Site map.</footer>
<script>document.write("tracking pixel code")</script></body></html>"""


def test_html_loader_keeps_main_text_and_drops_navigation(tmp_path: Path) -> None:
    path = tmp_path / "notice.html"
    path.write_text(HTML)
    doc = load(path, load_html)
    assert doc.id == "notice"
    assert "HK$2.5 million" in doc.text
    assert "How to apply" in doc.text
    assert "About us" not in doc.text and "tracking pixel" not in doc.text
    assert "Copyright" not in doc.text
    assert doc.published == date(2024, 5, 1)
    assert doc.url == "https://www.example.gov.hk/notice.html"
    assert doc.title == "New talent admission notice"


def make_pdf(path: Path, title: str, paragraphs: list[str]) -> None:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_author("Labour and Welfare Bureau")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for para in paragraphs:
        pdf.multi_cell(0, 8, para)
        pdf.ln(4)
    pdf.output(str(path))


def test_pdf_loader_reads_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "ttps-guide.pdf"
    make_pdf(
        path,
        "TTPS guidance notes",
        ["Category A applicants need an annual income of HK$2.5 million.", "Apply online."],
    )
    doc = load(path, load_pdf)
    assert doc.id == "ttps-guide"
    assert doc.title == "TTPS guidance notes"
    assert "HK$2.5 million" in doc.text
    assert doc.issuer == "Labour and Welfare Bureau"
    assert doc.published is not None
    assert doc.language == "en"


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.output(str(path))
    with pytest.raises(DocumentError, match="no text layer"):
        load(path, load_pdf)


def test_decode_text_handles_legacy_chinese_encodings() -> None:
    text = "高端人才通行證計劃接受申請，申請人無須事先在港獲得聘用。" * 3
    assert decode_text(text.encode("big5")) == text
    with pytest.raises(DocumentError, match="binary"):
        decode_text(b"\x00\x01\x02binary")


def test_markdown_with_broken_front_matter_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\nid: broken\n---\n# Body\n\nText.")
    with pytest.raises(DocumentError, match="YAML"):
        load(path, load_markdown)


def test_load_corpus_skips_bad_files_with_a_named_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text("---\nid: good\ntitle: Good\n---\n# Good\n\nFine text.")
    (corpus / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.")
    (corpus / "unclosed.md").write_text("---\ntitle: x\n\nno closing fence")
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\xff\x00\xfe" * 100)
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (corpus / "scripts.html").write_text("<html><body><script>alert(1)</script></body></html>")
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (corpus / "figures.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "dangling.md").symlink_to(tmp_path / "missing.md")
    with caplog.at_level(logging.WARNING):
        result = load_corpus(corpus)
    assert [d.id for d in result.documents] == ["good"]
    skipped = {s.path: s.reason for s in result.skipped}
    assert set(skipped) == {
        "broken.md",
        "unclosed.md",
        "empty.txt",
        "binary.txt",
        "corrupt.pdf",
        "scripts.html",
        "notes.docx",
        "figures.xlsx",
        "dangling.md",
    }
    assert "YAML" in skipped["broken.md"]
    assert "binary" in skipped["binary.txt"]
    assert "unreadable .docx" in skipped["notes.docx"]
    assert "unsupported" in skipped["figures.xlsx"]
    for name in skipped:
        assert any(name in r.getMessage() for r in caplog.records), name


def test_oversized_and_duplicate_files_are_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "big.txt").write_text("x" * 2000)
    (corpus / "a.txt").write_text("First.")
    (corpus / "sub" / "a.md").write_text("Second.")
    files, skipped = discover(corpus, max_bytes=1000)
    assert [f.relpath for f in files] == ["a.txt"]
    reasons = {s.path: s.reason for s in skipped}
    assert "too large" in reasons["big.txt"]
    assert "duplicate document id 'a'" in reasons["sub/a.md"]


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError, match="corpus folder not found"):
        load_corpus(tmp_path / "nope")


def test_document_round_trips_through_dict() -> None:
    doc = load(CORPUS / "hk-ttps-overview.md", load_markdown)
    from baybot.types import Document

    assert Document.from_dict(doc.to_dict()) == doc


def test_a_citation_links_the_government_page_before_reports_of_it() -> None:
    reprint = Source("https://news.example.com/reprint-of-notice", "A reprint")
    notice = Source("https://www.immd.gov.hk/eng/notice.html", "The notice")
    adviser = Source("https://adviser.example.org/faq", "An adviser's FAQ")
    doc = Document("d", "Notice", "Text.", sources=(reprint, adviser, notice))
    assert doc.url == notice.url
    # Without a government page the first web source stands; files are never linked.
    local = Source("corpus/notice.pdf", "The file")
    assert Document("d", "Notice", "Text.", sources=(local, reprint, adviser)).url == reprint.url
    assert Document("d", "Notice", "Text.", sources=(local,)).url is None
    # A domain that only starts with "gov" is not a government one.
    lookalike = Source("https://govnews.example.com/notice", "Look-alike")
    assert Document("d", "Notice", "Text.", sources=(lookalike, reprint)).url == lookalike.url
