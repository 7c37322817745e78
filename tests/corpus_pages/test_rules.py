"""The date, title, issuer, inference and boilerplate rules on small inputs, one failure class
each (pages seen to go wrong: bare years, site names as titles, mirrors as issuers, menus)."""

from __future__ import annotations

from datetime import date

import pytest

from baybot.corpus import boilerplate, pagemeta
from baybot.corpus.infer import Inferrer, paragraphs_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9 October 2025", date(2025, 10, 9)),
        ("October 9, 2025", date(2025, 10, 9)),
        ("2025年10月9日", date(2025, 10, 9)),
        ("2025-10-09", date(2025, 10, 9)),
        ("二〇二五年十月九日", date(2025, 10, 9)),
        ("二〇二五年十二月三十一日", date(2025, 12, 31)),
        ("9.10.2025", date(2025, 10, 9)),
        ("9 de outubro de 2025", date(2025, 10, 9)),
        ("2025", None),
        ("October 2025", None),
        ("2025年10月", None),
    ],
)
def test_a_date_needs_day_month_and_year(text: str, expected: date | None) -> None:
    assert next(pagemeta.dates_in(text), None) == expected


@pytest.mark.parametrize(
    "line",
    [
        "发布日期：2025-10-09",
        "Posted: 9.10.2025",
        "Ends/Thursday, October 9, 2025",
        "2025年10月9日（星期四）",
        "發佈時間：2025年10月9日 10:30",
    ],
)
def test_date_lines_are_recognised(line: str) -> None:
    assert pagemeta.date_from_lines(["Some heading", line]) == date(2025, 10, 9)


@pytest.mark.parametrize(
    "line",
    [
        "The new rules take effect from 9 October 2025, the bureau said.",
        "本办法自2025年10月9日起施行，有效期五年。",
        "Applications opened in 2019 and the scheme was reviewed in 2023",
    ],
)
def test_a_date_inside_a_sentence_is_not_the_pages_date(line: str) -> None:
    assert pagemeta.date_from_lines([line]) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.info.gov.hk/gia/general/202510/09/P2025100900412.htm", date(2025, 10, 9)),
        ("https://example.gov.cn/zwgk/202510/t20251009_123456.html", date(2025, 10, 9)),
        ("https://news.example.com/2025/10/09/talent-scheme", date(2025, 10, 9)),
        ("https://example.org/files/P2025100900412.pdf", date(2025, 10, 9)),
        ("https://example.org/archive/2025/talent.html", None),
        ("https://example.org/202513/40/bad.html", None),
    ],
)
def test_url_dates_are_day_level_only(url: str, expected: date | None) -> None:
    assert pagemeta.date_from_url(url) == expected


def test_a_page_that_names_only_years_stays_undated() -> None:
    html = (
        "<html><head><title>Talent scheme review</title></head><body><h1>Talent scheme review</h1>"
        "<p>The scheme started in 2018 and was reviewed in 2021.</p><p>Since 2023 the quota is "
        "10 000 a year, and in 2025 more universities were added.</p></body></html>"
    )
    meta = pagemeta.html_meta(html, "https://example.org/review.html")
    assert meta.published is None and meta.date_source is None


def test_metadata_date_wins_over_dates_in_the_text() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-04T08:00:00Z">'
        "<title>X</title></head><body><p>Posted: 1.1.2020</p><p>Text.</p></body></html>"
    )
    meta = pagemeta.html_meta(html)
    assert meta.published == date(2025, 3, 4) and meta.date_source == pagemeta.SOURCE_METADATA


def test_pdf_creation_date_is_only_a_last_resort() -> None:
    dated = "Office of Talent\nDate: 9 October 2025\nA circular on allowances\n\nText."
    undated = "Office of Talent\nA circular on allowances\n\nText from 2024."
    made = date(2026, 2, 1)
    assert pagemeta.text_meta(dated, pdf_created=made).published == date(2025, 10, 9)
    meta = pagemeta.text_meta(undated, pdf_created=made)
    assert meta.published == made and meta.date_source == pagemeta.SOURCE_PDF_CREATED


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<title>Talent flats open | City Daily</title>", "Talent flats open"),
        ("<title>人才公寓开放申请_某市住房局网站</title>", "人才公寓开放申请"),
        ('<meta property="og:title" content="Talent flats open - City Daily">'
         '<meta property="og:site_name" content="City Daily"><title>City Daily</title>',
         "Talent flats open"),
    ],
)  # fmt: skip
def test_title_is_the_headline_not_the_site(head: str, expected: str) -> None:
    html = f"<html><head>{head}</head><body><p>Body text here.</p></body></html>"
    assert pagemeta.html_meta(html).title == expected


def test_republished_agency_story_is_credited_to_the_agency() -> None:
    html = (
        '<html><head><meta property="og:site_name" content="Mirror News"><title>T</title></head>'
        "<body><h1>T</h1><p>SHENZHEN, Oct. 9 (Xinhua) -- A talent centre opened.</p></body></html>"
    )
    assert pagemeta.html_meta(html, "https://mirror.example/t.html").issuer == "Xinhua"


def test_issuer_falls_back_to_the_domain() -> None:
    html = "<html><head><title>T</title></head><body><h1>T</h1><p>Text only.</p></body></html>"
    assert (
        pagemeta.html_meta(html, "https://www.talent.example.org/a").issuer == "talent.example.org"
    )


def test_title_counts_more_than_a_late_mention(inferrer: Inferrer) -> None:
    got = inferrer.infer(
        "Dongguan raises housing allowance for graduates",
        ["The city will pay more.", "Applications open next month.", "Unlike Hong Kong, ..."],
    )
    assert got.region == "Guangdong"
    assert got.region_scores["Guangdong"] > got.region_scores.get("Hong Kong", 0)


def test_people_named_by_place_do_not_set_the_region(inferrer: Inferrer) -> None:
    got = inferrer.infer(
        "Zhuhai helps Macao residents find jobs", ["Macao residents who work in Zhuhai get help."]
    )
    assert got.region == "Guangdong"


def test_a_single_passing_mention_is_no_scheme(inferrer: Inferrer) -> None:
    paragraphs = ["A guide to renting a flat.", "Ask your agent.", "Leases run two years."]
    got = inferrer.infer("Renting in Hong Kong", [*paragraphs, "TTPS holders may also rent."])
    assert "Top Talent Pass Scheme" not in got.schemes


def test_a_citys_own_subsidy_needs_the_city(inferrer: Inferrer) -> None:
    text = "个人所得税优惠政策财政补贴按年度申报。"
    assert "Guangzhou IIT subsidy" not in inferrer.infer("财政补贴申报通知", [text]).schemes
    assert "Guangzhou IIT subsidy" in inferrer.infer("广州市财政补贴申报通知", [text]).schemes


def test_scheme_names_in_either_chinese_script(inferrer: Inferrer) -> None:
    for title in ("高才通申請人數上升", "高才通申请人数上升"):
        got = inferrer.infer(title, [])
        assert got.schemes == ("Top Talent Pass Scheme",) and got.region == "Hong Kong"


def test_link_lists_and_sibling_lines_go_the_text_stays() -> None:
    text = (
        "[Home](/) [News](/news) [Contact](/contact)\n\n"
        "The quota rises to 12 000 a year.\n\n"
        "Follow us on social media\n\n"
        "See the [guide](/guide) for the documents you need to apply."
    )
    site = boilerplate.repeated_lines(
        [["Follow us on social media"], ["Follow us on social media"]]
    )
    cleaned = boilerplate.clean(text, site_lines=site)
    assert "Home" not in cleaned and "Follow us" not in cleaned
    assert "The quota rises to 12 000 a year." in cleaned
    assert "See the guide for the documents you need to apply." in cleaned


def test_a_long_paragraph_shared_by_two_releases_is_kept() -> None:
    standing = "The bureau " + "will keep reviewing the schemes to meet the needs of employers " * 3
    site = boilerplate.repeated_lines([[standing], [standing]])
    assert standing.strip() in boilerplate.clean(standing, site_lines=site)


def test_related_block_goes_with_its_items() -> None:
    text = "Main fact.\n\n相关新闻\n\n- [甲](/a)\n- [乙](/b)\n\nLast fact."
    assert boilerplate.clean(text).split("\n\n") == ["Main fact.", "Last fact."]


def test_list_markers_only_for_real_lists() -> None:
    text = "加分項目：\n\n年齡30歲以下\n\n+10分\n\n所需文件：\n\n- 護照\n- 學歷證明"
    cleaned = boilerplate.clean(text)
    assert "年齡30歲以下 +10分" in cleaned
    assert "- +10分" not in cleaned and "\n+10分" not in cleaned
    assert "- 護照\n- 學歷證明" in cleaned


def test_paragraphs_of_splits_on_blank_lines() -> None:
    assert paragraphs_of("a\n\n b \n\n\n- x\n- y") == ["a", "b", "- x\n- y"]


def test_dates_of_other_stories_in_link_lists_are_not_the_pages() -> None:
    html = (
        '<html><head><meta charset="utf-8"><title>人才新政</title></head><body>'
        '<ul class="latest"><li><a href="/a">2025-09-30 另一条新闻</a></li>'
        '<li><a href="/b">2025-09-28 第三条新闻</a></li></ul>'
        "<h1>人才新政</h1><p>发布时间：2025-10-09</p><p>正文，自2025年11月1日起施行。</p>"
        "</body></html>"
    )
    assert pagemeta.html_meta(html).published == date(2025, 10, 9)


def test_last_revision_date_is_updated_not_published() -> None:
    html = (
        "<html><head><title>Talent schemes</title></head><body><h1>Talent schemes</h1>"
        "<p>Applicants need a degree and two years of work experience.</p>"
        "<p>Last revision date: 20-10-2025</p></body></html>"
    )
    meta = pagemeta.html_meta(html)
    assert meta.updated == date(2025, 10, 20)
    assert meta.published is None


def test_gb2312_page_without_utf8_is_read() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>港澳青年就业补贴申请通知_某区人社局</title></head><body>"
        "<h1>港澳青年就业补贴申请通知</h1><p>发布日期：2025年10月9日</p>"
        "<p>符合条件的港澳青年可以申请每月补贴。</p></body></html>"
    )
    meta = pagemeta.html_meta(html.encode("gb2312"))
    assert meta.title == "港澳青年就业补贴申请通知"
    assert meta.published == date(2025, 10, 9)


def test_the_word_source_in_a_sentence_names_no_issuer() -> None:
    lines = ["Applicants must declare the source of their income.", "Issued by Talent Office"]
    assert pagemeta.issuer_from_lines(lines) == "Talent Office"


@pytest.mark.parametrize(
    "line",
    [
        "The closing date is 9 October 2025.",
        "截止日期为2025年10月9日，逾期不予受理",
        "Closing date: 9 October 2025",
        "申请截止日期：2025年10月9日",
        "生效日期：2025年10月9日",
    ],
)
def test_a_deadline_is_not_a_publication_date(line: str) -> None:
    assert pagemeta.date_from_lines([line]) is None


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<title>Hong Kong - Shenzhen talent corridor opens</title>",
         "Hong Kong - Shenzhen talent corridor opens"),
        ('<title>X</title></head><body><h1 class="logo">City Daily</h1>'
         '<meta property="og:site_name" content="City Daily"><h1>Talent flats open</h1>',
         "Talent flats open"),
    ],
)  # fmt: skip
def test_headline_dashes_and_logo_headings(html: str, expected: str) -> None:
    page = f"<html><head>{html}<p>Body text.</p></body></html>"
    assert pagemeta.html_meta(page).title == expected


def test_time_elements_in_a_story_list_do_not_date_the_page() -> None:
    html = (
        "<html><head><title>T</title></head><body><h1>T</h1><p>Text without a date.</p>"
        '<aside><a href="/x"><time datetime="2025-09-30">30 Sep</time> Other story</a></aside>'
        "</body></html>"
    )
    assert pagemeta.html_meta(html).published is None


def test_relative_canonical_link_is_made_absolute() -> None:
    html = '<html><head><link rel="canonical" href="/news/a.html"><title>T</title></head></html>'
    meta = pagemeta.html_meta(html, "https://www.example.gov.hk/news/a.html?from=rss")
    assert meta.url == "https://www.example.gov.hk/news/a.html"
