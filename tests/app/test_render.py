"""The chat's rendering: document and model text shown literally, links only to http(s)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from baybot.app.web.render import (
    answer_markdown,
    escape_markdown,
    highlighted,
    passage_html,
    safe_url,
    sources_html,
    streaming_markdown,
)
from baybot.types import Answer, Citation, Topic

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`

SCRIPT = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def citation(n: int, *, url: str | None = "https://www.gov.hk/ttps", doc_id: str = "hk-ttps",
             passage: str = "Intro. The income threshold is HK$2.5 million a year. End.",
             spans: tuple[tuple[int, int], ...] = ((7, 54),)) -> Citation:  # fmt: skip
    return Citation(
        n=n,
        chunk_id=f"{doc_id}#{n}",
        doc_id=doc_id,
        title=f"Top Talent Pass {n}",
        url=url,
        published=date(2024, 3, 1),
        issuer="Immigration Department",
        quote=passage[spans[0][0] : spans[0][1]],
        passage=passage,
        spans=spans,
    )


def answer(text: str, *citations: Citation, refused: bool = False, **extra: object) -> Answer:
    return Answer(
        question="q",
        text=text,
        refused=refused,
        citations=citations,
        generator="extractive",
        query="q",
        language="en",
        confidence=0.9,
        **extra,
    )


def test_markers_become_footnote_links_to_the_source_with_its_date_and_issuer():
    md = answer_markdown(answer("The threshold is HK$2.5 million [1].", citation(1)), "en")
    assert '[\\[1\\]](https://www.gov.hk/ttps "Top Talent Pass 1 · Immigration Department' in md
    footnote = md.split("---", 1)[1]
    assert "[Top Talent Pass 1](https://www.gov.hk/ttps)" in footnote
    assert "Immigration Department" in footnote and "2024-03-01" in footnote
    assert "HK\\$2\\.5 million" in md  # amounts shown literally, never as LaTeX


def test_citations_of_one_document_share_one_footnote():
    md = answer_markdown(answer("A [1]. B [2].", citation(1), citation(2)), "en")
    notes = md.split("---", 1)[1].strip().splitlines()
    assert len(notes) == 1 and notes[0].startswith("\\[1\\] \\[2\\] ")


def test_html_and_markdown_in_answers_are_shown_as_text():
    md = answer_markdown(answer(f"Fee {SCRIPT} [see](javascript:alert(1)) [1].", citation(1)), "en")
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "](javascript" not in md  # no link syntax survives from the text itself
    assert re.findall(r"\]\((\S+)", md) == ["https://www.gov.hk/ttps", "https://www.gov.hk/ttps)"]


def test_only_http_urls_are_linked():
    assert safe_url("https://a.org/x y") == "https://a.org/x%20y"
    assert safe_url("http://a.org/(1)") == "http://a.org/%281%29"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "ftp://a.org", "", None):
        assert safe_url(bad) is None
    md = answer_markdown(answer("X [1].", citation(1, url="javascript:alert(1)")), "en")
    assert "javascript" not in md and "\\[1\\]" in md
    assert "javascript" not in sources_html(answer("X [1].", citation(1, url="javascript:x")), "en")


def test_sources_panel_escapes_passages_and_highlights_the_cited_sentence():
    cited = citation(
        1,
        passage=f"{SCRIPT} The fee is HK$230. Other.",
        spans=((len(SCRIPT) + 1, len(SCRIPT) + 19),),
    )
    html = sources_html(answer("The fee is HK$230 [1].", cited), "zh-Hant")
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert "<mark>The fee is HK$230.</mark>" in html
    assert 'href="https://www.gov.hk/ttps"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "發布 2024-03-01" in html and 'id="bb-source-1"' in html


def test_highlight_drops_markdown_bold_without_moving_spans():
    text = "**Stay:** 24 months. Next."
    assert highlighted(text, ((0, 20),)) == "<mark>Stay: 24 months.</mark> Next."
    assert highlighted("a<b>", ()) == "a&lt;b&gt;"


def test_refusals_are_marked_and_offer_the_nearest_topics():
    refusal = answer(
        "The sources I have do not cover this.\n\nThe closest topics:\n- QMAS (2024-01-01)",
        refused=True,
        topics=(
            Topic("hk-qmas", "QMAS <b>points</b>", "https://www.immd.gov.hk/qmas", "2024-01-01"),
        ),
    )
    md = answer_markdown(refusal, "zh-Hans")
    assert md.startswith("**没有资料涵盖这个问题**")
    assert "[QMAS &lt;b&gt;points&lt;/b&gt;](https://www.immd.gov.hk/qmas) (2024-01-01)" in md
    assert "The closest topics" not in md  # the topics are listed once, as links


def test_answers_citing_nothing_are_flagged():
    md = answer_markdown(answer("An unsupported claim."), "en")
    assert md.startswith("**This answer cites no source")


def test_streamed_text_is_escaped_too():
    assert streaming_markdown("<b>1. Fee</b>").startswith("&lt;b&gt;1\\. Fee&lt;/b&gt;")
    assert escape_markdown("- item\n- next") == "- item\n- next"


def test_a_fallback_answer_says_the_language_model_did_not_answer():
    md = answer_markdown(
        answer("X [1].", citation(1), notice="the openai backend failed"), "zh-Hant"
    )
    assert md.startswith("*語言模型未能回應") and "\\[1\\]" in md


def test_a_card_shows_the_quote_and_opens_to_the_whole_passage():
    """On a phone a card is not cut mid-line: the quoted sentence shows, the rest opens."""
    tail = "A long explanation follows. " * 30
    cited = citation(1, passage=f"Intro. The fee is HK$230. {tail}", spans=((7, 25),))
    html = sources_html(answer("The fee is HK$230 [1].", cited), "en")
    summary = html.split("<summary>", 1)[1].split("</summary>", 1)[0]
    assert "<mark>The fee is HK$230.</mark>" in summary and "explanation" not in summary
    body = html.split("</summary>", 1)[1]
    assert body.count("A long explanation follows.") == 30 and "<details" in html


def _emoji(text: str) -> list[str]:
    """Characters that need an emoji font (pictographs, symbols drawn as emoji, VS16)."""
    return [c for c in text if ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF or c == "\ufe0f"]


def test_nothing_shown_needs_an_emoji_font():
    from baybot.app.web.strings import _TEXT

    shown = [text for versions in _TEXT.values() for text in versions]
    cited = citation(1, passage="The fee is HK$230.", spans=((0, 18),))
    for a in (
        answer("The fee is HK$230 [1].", cited),
        answer("An unsupported claim."),
        answer("X [1].", cited, notice="the openai backend failed"),
        answer("Not covered.", refused=True),
    ):
        shown += [answer_markdown(a, "en"), sources_html(a, "en")]
    assert not [t for t in shown if _emoji(t)], [t for t in shown if _emoji(t)]


def test_a_passage_table_is_a_table_with_its_header_and_highlights():
    text = (
        "Quota by year:\n| Year | Quota <i>x</i> |\n| --- | ---: |\n"
        "| 2024 | 1,000 |\n| 2025 | **2,000** |\nSource: a press release."
    )
    start = text.index("| 2025")
    html = passage_html(text, ((start, start + len("| 2025 | **2,000** |")),))
    assert html.count("<table>") == 1 and "---" not in html
    assert "<tr><th>Year</th><th>Quota &lt;i&gt;x&lt;/i&gt;</th></tr>" in html
    assert "<tr><td>2024</td><td>1,000</td></tr>" in html
    assert "<td><mark>2025</mark></td><td><mark>2,000</mark></td>" in html
    assert html.startswith("Quota by year:") and html.endswith("Source: a press release.")


def test_table_rows_without_a_rule_line_are_all_body_cells():
    html = passage_html("| A | Annual income | None |\n| B | Degree | Yes |", ())
    assert "<th>" not in html and html.count("<tr>") == 2


def test_a_pipe_inside_a_sentence_is_not_a_table():
    text = "Apply online | or at the counter."
    assert passage_html(text, ((0, 12),)) == highlighted(text, ((0, 12),))


def test_source_cards_render_their_tables():
    text = "| Round | Applications |\n|---|---|\n| First | 3,000 |"
    cited = citation(1, passage=text, spans=((text.index("| First"), len(text)),))
    html = sources_html(answer("First round: 3,000 applications [1].", cited), "en")
    assert '<div class="bb-table"><table><tr><th>Round</th>' in html
    assert "<td><mark>3,000</mark></td>" in html
