"""Metadata of a real announcement (web page, plain text, PDF text): headline, publishing body,
publication date and canonical link.

Dropped-in pages carry no front matter, and the libraries' own guesses fail in ways that
mislead readers: an extensive date search turns a bare year in the body into 1 January of that
year, the site name becomes the title, the mirror's domain the issuer. So every date here must
name a day, month and year in one place (metadata, a date line, the URL), and a page with none
is left undated rather than given one.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

import cn2an
import dateparser
import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from htmldate import find_date

# Date rule names, in the order they are tried; `PageMeta.date_source` is one of them.
SOURCE_METADATA = "metadata"  # article:published_time, JSON-LD, <time datetime>, DC.date
SOURCE_HTMLDATE = "htmldate"  # htmldate's markup search (extensive_search off)
SOURCE_DATE_LINE = "date line"  # a visible line that is a date, or labelled as one
SOURCE_URL = "url"  # /202411/02/, /2024/11/02/, P2023022200383, t20241102_
SOURCE_PDF_CREATED = "pdf creation date"  # last resort: when the file was made, not issued

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish_date",
)
UPDATED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)

# dateparser: a date must name its day, month and year (a bare "2023" or "January 2023" is no
# date); day before month for numeric dates, as Hong Kong, Macao and mainland pages write them.
_DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "DATE_ORDER": "DMY",
    "RETURN_AS_TIMEZONE_AWARE": False,
}
_DATEPARSER_LANGUAGES = ["en", "zh", "pt"]

_CN_DIGIT = "〇零一二三四五六七八九十"
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_PT_MONTHS = (
    "janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro"
)
# Each alternative is one whole date expression; what matches is handed to dateparser.
_DATE_EXPR = re.compile(
    rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*月"
    rf"\s*(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*[日号號]"
    r"|(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"
    r"|(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{4}(?!\d)"
    rf"|(?<![\w])\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}(?!\d)"
    rf"|(?<![\w])(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}(?!\d)"
    rf"|(?<![\w])\d{{1,2}}\s+de\s+(?:{_PT_MONTHS})\s+de\s+\d{{4}}(?!\d)",
    re.IGNORECASE,
)
# Labels that introduce a publication date: at the start of a line or of a byline field, and
# followed by a colon ("发布时间：", "Posted:"), or "Ends/" and "完" closing a press release.
_DATE_LABEL = re.compile(
    r"(?:^|[\s|｜·/])(?:发布时间|發佈時間|發布時間|发布日期|發佈日期|發布日期|成文日期|日期|时间|時間"
    r"|posted|published|issued|date|data de publicação|data)\s*[:：]"
    r"|(?:^|[\s|｜·])(?:posted|published) on\b|^\s*ends\s*/|^\s*完\s",
    re.IGNORECASE,
)
_UPDATE_LABEL = re.compile(
    r"last (?:revision|revised|updated?|modified)|updated|modified"
    r"|最後修訂|最后修订|最後更新|最后更新|更新日期|更新時間|更新时间|修訂日期|修订日期",
    re.IGNORECASE,
)
# Dates a notice sets rather than the date it was issued.
_NOT_ISSUED = re.compile(
    r"clos(?:ing|es)|deadline|effective|expir|commenc|start|until|截止|有效|施行|實施|实施|生效"
    r"|屆滿|届满|报名|報名",
    re.IGNORECASE,
)
_END_MARK = re.compile(r"\s*(?:完|Ends|ENDS)\s*")
_SENTENCE_END = re.compile(r"[。．.！!？?；;，,]\s*$")
_WEEKDAY_TIME = re.compile(
    r"(?:星期|週|周|礼拜|禮拜)[一二三四五六日天]|[（(][^()（）]{0,6}[)）]"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
    r"|香港時間|HKT|[時时]\d+分",
    re.IGNORECASE,
)
# A date line is short and says little else: tuned so that "Ends/Wednesday, February 22, 2023"
# and "2026年1月27日 星期二 記者 陳嘉欣" pass and a sentence that mentions a date does not.
MAX_DATE_LINE_CHARS = 90
MAX_DATE_LINE_REST_CHARS = 40
# A text announcement puts its date and issuer near the top; further down, dates are the
# policy's own (start dates, deadlines), not the announcement's.
HEAD_LINES = 12

_URL_DATES = (
    re.compile(r"/(?P<y>20\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)(?:/|$)"),  # info.gov.hk /202302/22/
    re.compile(r"/(?P<y>20\d{2})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?:/|$)"),  # /2024/11/02/
    re.compile(r"[/_-]P(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)\d{3,}"),  # P2023022200383
    re.compile(r"[/_]t(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)_"),  # mainland t20241102_123
    re.compile(r"(?<!\d)(?P<y>20\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)"),
)

# Who published: an explicit "issued by"/"source" line, a news agency's byline, the page's own
# publisher metadata, the body running the site, the site name, the domain.
_ISSUER_LINE = re.compile(
    r"(?:\b(?:issued by|issued on behalf of(?: the)?)\s+"
    r"|(?:\bsource|\bfonte|發佈機構|发布机构|發布機構|发布单位|發佈單位|發布單位|来源|來源|信息来源"
    r"|主办单位|主辦單位|主办|主辦)\s*[:：]\s*)"
    # a name runs to a separator; it crosses a single space only into a Latin word, so
    # "来源：广州市财政局　浏览次数" stops at 局 and "Issued by Hong Kong Talent Engage" does not
    r"(?P<name>[^\s|｜:：]+(?: [A-Za-z&(][^\s|｜:：]*)*)",
    re.IGNORECASE,
)
_ON_BEHALF_ZH = re.compile(r"以下為政府新聞處代(?P<name>[^\s，。：:]{2,30}?)發出")
_AGENCIES = {
    "xinhua": "Xinhua",
    "新华社": "新华社",
    "新華社": "新華社",
    "reuters": "Reuters",
    "afp": "AFP",
    "ap": "AP",
    "bloomberg": "Bloomberg",
    "中新社": "中新社",
    "中新网": "中新网",
}
_AGENCY_BYLINE = re.compile(
    r"\((?P<en>Xinhua|Reuters|AFP|AP|Bloomberg)\)\s*(?:--|—|-)"
    r"|(?P<zh>新华社|新華社|中新社|中新网)[^，。\n]{0,12}?[电電]",
)
_ORG_SUFFIX = re.compile(
    r"(?:Government|Department|Bureau|Office|Commission|Committee|Authority|Council|Agency|Administration|"
    r"局|處|处|署|委員會|委员会|辦公室|办公室|管理局|政府|办|辦)$"
)
_TITLE_SEPARATORS = re.compile(r"(\s+[|–—-]\s+|_|\s*\|\s*|｜)")
_STRONG_SEPARATORS = frozenset({"|", "_", "｜"})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "span",
        "time",
        "dd",
        "dt",
        "blockquote",
        "pre",
    ]
)
# span and time are inline in HTML but hold a date or a byline on many sites; splitting on them
# puts each on its own line, where a date line can be told from a sentence.


@dataclass(frozen=True)
class PageMeta:
    """What a citation needs from a page, with the rule that found its date."""

    title: str | None
    issuer: str | None
    published: date | None
    updated: date | None
    url: str | None
    language: str | None
    date_source: str | None


# ---------------------------------------------------------------- dates


def parse_date_text(text: str) -> date | None:
    """One date expression (any of en/繁/简/pt forms) as a date; None unless day, month and
    year are all named."""
    text = unicodedata.normalize("NFKC", text).strip()
    if re.search(f"[{_CN_DIGIT}]", text):
        text = cn2an.transform(text, "cn2an")
    text = text.replace("号", "日").replace("號", "日")
    try:
        parsed = dateparser.parse(
            text, languages=_DATEPARSER_LANGUAGES, settings=_DATEPARSER_SETTINGS
        )
    except (ValueError, OverflowError):
        return None
    return parsed.date() if parsed else None


def dates_in(text: str) -> Iterator[date]:
    """Every full date written in `text`, in order."""
    for m in _DATE_EXPR.finditer(unicodedata.normalize("NFKC", text)):
        if (found := parse_date_text(m.group(0))) is not None:
            yield found


def is_date_line(line: str) -> bool:
    """A line that states a date and little else, or a labelled date ("Posted: ...")."""
    if "，" in line:  # a Chinese clause, not a date line; checked before NFKC makes it ","
        return False
    line = unicodedata.normalize("NFKC", line).strip()
    if not line or len(line) > MAX_DATE_LINE_CHARS or not _DATE_EXPR.search(line):
        return False
    if _DATE_LABEL.search(line):
        return True
    if _SENTENCE_END.search(line):
        return False
    rest = _WEEKDAY_TIME.sub("", _DATE_EXPR.sub("", line))
    rest = re.sub(r"[\s/|｜·•,:：\-–—]+", "", rest)
    return len(rest) <= MAX_DATE_LINE_REST_CHARS


def _joined_end_marks(lines: list[str]) -> list[str]:
    """ "完" or "Ends" on one line and the date on the next read as one line."""
    return [
        f"{line} {lines[i + 1]}" if _END_MARK.fullmatch(line) and i + 1 < len(lines) else line
        for i, line in enumerate(lines)
    ]


def date_from_lines(lines: Iterable[str]) -> date | None:
    """The page's date from its date lines: a labelled one ("发布时间：", "Posted:", "Ends/")
    first, else the first short line that is mostly a date. Dates inside sentences ("from
    1 July 2024") are never taken, nor "last revised" dates, which are `updated`."""
    candidates = [
        line
        for line in _joined_end_marks([line for line in lines if line.strip()])
        if is_date_line(line) and not _UPDATE_LABEL.search(line) and not _NOT_ISSUED.search(line)
    ]
    labelled = [line for line in candidates if _DATE_LABEL.search(line)]
    for line in labelled + candidates:
        if found := next(dates_in(line), None):
            return found
    return None


def updated_from_lines(lines: Iterable[str]) -> date | None:
    """The date of a "Last revision date" / "最後更新" line."""
    updates = (line for line in lines if _UPDATE_LABEL.search(line) and is_date_line(line))
    return next((found for line in updates for found in dates_in(line)), None)


def date_from_url(url: str | None) -> date | None:
    """A day-level date in the URL path; a year or a month alone is no date."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        if m := pattern.search(path):
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
    return None


def _as_date(value: object) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return next(dates_in(value), None)


# ---------------------------------------------------------------- HTML


def decode_html(data: bytes | str) -> str:
    """UTF-8, else the encoding charset_normalizer finds (mainland sites still serve GB2312)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", "replace")


def _tree(html: str) -> lxml.html.HtmlElement:
    # lxml refuses a str that still declares its encoding
    tree = lxml.html.fromstring(_XML_DECLARATION.sub("", html, count=1))
    for bad in tree.xpath("//script[not(@type='application/ld+json')]|//style|//noscript"):
        bad.drop_tree()
    return tree


def _meta(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """<meta> name/property/itemprop (lower case) -> content; the first of each wins."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if key and el.get("content") and key.lower() not in out:
            out[key.lower()] = el.get("content").strip()
    return out


def _json_ld(tree: lxml.html.HtmlElement) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            loaded = json.loads(script.text or "")
        except json.JSONDecodeError:
            continue
        stack = loaded if isinstance(loaded, list) else [loaded]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                items.append(item)
                stack.extend(g for g in item.get("@graph", []) if isinstance(g, dict))
    return items


def page_lines(tree: lxml.html.HtmlElement) -> list[str]:
    """Visible text, one line per block element or <br>."""
    tree = copy.deepcopy(tree)  # tails are rewritten below
    for el in tree.xpath("//script|//head"):
        el.drop_tree()
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag.lower() in BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    text = tree.text_content().replace("\xa0", " ")
    return [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip()]


def _structured_dates(
    tree: lxml.html.HtmlElement, unlinked: lxml.html.HtmlElement, meta: dict[str, str]
) -> tuple[date | None, date | None]:
    """Published and updated from <meta>, JSON-LD and <time datetime> (outside link lists,
    where each <time> is another story's)."""
    ld = _json_ld(tree)
    published = next(
        (d for d in (_as_date(meta.get(k)) for k in PUBLISHED_META) if d), None
    ) or next((d for d in (_as_date(i.get("datePublished")) for i in ld) if d), None)
    if published is None:
        times = (_as_date(t.get("datetime")) for t in unlinked.iter("time"))
        published = next((d for d in times if d), None)
    updated = next((d for d in (_as_date(meta.get(k)) for k in UPDATED_META) if d), None) or next(
        (d for d in (_as_date(i.get("dateModified")) for i in ld) if d), None
    )
    return published, updated


def without_links(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy without links, menus, sidebars and footers: the dates there are other pages'
    ("2025-09-30 Another story"), never this page's own."""
    tree = copy.deepcopy(tree)
    for el in tree.xpath("//body//a|//nav|//aside|//footer"):
        el.drop_tree()
    return tree


def _htmldate(tree: lxml.html.HtmlElement, url: str | None) -> date | None:
    """htmldate's markup search on the page without links. Its extensive search is left off:
    that is the heuristic that turns a bare year in the body into 1 January."""
    try:
        found = find_date(
            tree, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d"
        )
    except (ValueError, TypeError):
        return None
    return date.fromisoformat(found) if found else None


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _strip_site(title: str, site_names: set[str]) -> str:
    """'Headline | Site' -> 'Headline'. A part that is a known site name goes; without one, only
    the last part after a strong separator ("|", "_") goes, because " - " also joins the two
    halves of many headlines."""
    parts = _TITLE_SEPARATORS.split(title)  # text, separator, text, ...
    texts, seps = parts[::2], parts[1::2]
    if len(texts) < 2:
        return title
    kept = [t.strip() for t in texts if _clean(t) not in site_names]
    if len(kept) == len(texts) and seps[-1].strip() in _STRONG_SEPARATORS:
        kept = [t.strip() for t in texts[:-1]]
    return " - ".join(t for t in kept if t) or title


def _title(tree: lxml.html.HtmlElement, meta: dict[str, str], sites: set[str]) -> str | None:
    """The headline: og:title, JSON-LD headline, DC.title, the first <h1>, then <title>; a
    candidate that is only the site's name (a logo in <h1>) is skipped."""
    ld_headline = next((i.get("headline") for i in _json_ld(tree) if i.get("headline")), None)
    h1s = [_clean(h.text_content()) for h in tree.iter("h1")]
    head = tree.findtext(".//title")
    for candidate in (meta.get("og:title"), ld_headline, meta.get("dc.title"), *h1s, head):
        text = _clean(candidate) if isinstance(candidate, str) else None
        if text and text not in sites:
            return _strip_site(text, sites)
    return None


def issuer_from_lines(lines: Iterable[str]) -> str | None:
    """The body a page names as its publisher: "Issued by", "来源：", "以下為政府新聞處代…發出",
    a news agency's dateline."""
    lines = list(lines)
    for line in lines:
        norm = unicodedata.normalize("NFKC", line)
        if m := _ON_BEHALF_ZH.search(norm):
            return m["name"]
        if m := _AGENCY_BYLINE.search(norm):
            return _AGENCIES[(m["en"] or m["zh"]).lower()]
        if m := _ISSUER_LINE.search(norm):
            name = m["name"].strip(" .,:;，。")
            if name and not _DATE_EXPR.search(name) and len(name) <= 60:
                return _AGENCIES.get(name.lower(), name)
    return None


def _publisher_meta(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    for item in _json_ld(tree):
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return publisher["name"]
    return meta.get("dc.publisher") or meta.get("dc.creator") or meta.get("author:organization")


def _domain(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _language(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    """The page's declared language as en / zh-Hant / zh-Hans / pt; None when not declared."""
    tag = (
        tree.get("lang")
        or meta.get("dc.language")
        or meta.get("content-language")
        or meta.get("og:locale")
    )
    if not tag:
        return None
    tag = tag.replace("_", "-").lower()
    if tag == "zh":
        return None  # either script; the loader's detection decides
    if tag.startswith("zh"):
        return "zh-Hans" if any(s in tag for s in ("hans", "cn", "sg")) else "zh-Hant"
    return tag.split("-")[0]


def html_meta(data: bytes | str, url: str | None = None) -> PageMeta:
    """Metadata of an HTML page; `url` is where it was fetched from, if known."""
    html = decode_html(data)
    tree = _tree(html)
    meta = _meta(tree)
    traf = trafilatura.extract_metadata(html, default_url=url)
    declared = (tree.xpath("string(//link[@rel='canonical']/@href)"), meta.get("og:url"), url)
    absolute = (urljoin(url or "", u.strip()) for u in declared if u and u.strip())
    canonical = next((u for u in absolute if u.startswith(("http://", "https://"))), None)
    lines = page_lines(tree)
    unlinked = without_links(tree)
    date_lines = page_lines(unlinked)
    published, updated = _structured_dates(tree, unlinked, meta)
    updated = updated or updated_from_lines(date_lines)
    source = SOURCE_METADATA if published else None
    if published is None and (found := _htmldate(unlinked, url)) and found != updated:
        published, source = found, SOURCE_HTMLDATE  # not the "last revision date" again
    if published is None and (published := date_from_lines(date_lines)):
        source = SOURCE_DATE_LINE
    if published is None and (published := date_from_url(url) or date_from_url(canonical)):
        source = SOURCE_URL
    site = meta.get("og:site_name") or (traf.sitename if traf else None)
    sites = {
        name
        for name in (_clean(meta.get("og:site_name")), _clean(traf.sitename if traf else None),
                     _clean(meta.get("sitename")))
        if name
    }  # fmt: skip
    issuer = issuer_from_lines(lines) or _publisher_meta(tree, meta) or site or _domain(canonical)
    return PageMeta(
        title=_title(tree, meta, sites) or (traf.title if traf else None),
        issuer=_clean(issuer),
        published=published,
        updated=updated if updated and updated != published else None,
        url=canonical,
        language=_language(tree, meta),
        date_source=source,
    )


def text_meta(
    text: str,
    url: str | None = None,
    pdf_created: date | None = None,
    pdf_author: str | None = None,
    pdf_title: str | None = None,
) -> PageMeta:
    """Metadata of a plain-text announcement or a PDF's text layer: the date line among the
    first lines, then the URL, then (PDF only) the file's CreationDate."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[:HEAD_LINES]
    published = date_from_lines(head)
    source = SOURCE_DATE_LINE if published else None
    if published is None and (published := date_from_url(url)):
        source = SOURCE_URL
    if published is None and pdf_created is not None:
        published, source = pdf_created, SOURCE_PDF_CREATED
    organisation = next((line for line in head[:3] if _ORG_SUFFIX.search(line)), None)
    # a PDF's own Title is often the word processor's ("Microsoft Word - c3.docx"): text first
    title = _text_title(head) or _clean(pdf_title)
    return PageMeta(
        title=title,
        issuer=_clean(issuer_from_lines(head) or organisation or pdf_author or _domain(url)),
        published=published,
        updated=None,
        url=url,
        language=None,
        date_source=source,
    )


def _text_title(head: list[str]) -> str | None:
    """The first line that is neither a date line, an issuer line, a reference number nor an
    organisation name."""
    for line in (raw.lstrip("#").strip() for raw in head):  # a Markdown heading is a title too
        if is_date_line(line) or _ISSUER_LINE.match(line) or _ORG_SUFFIX.search(line):
            continue
        if re.fullmatch(r"(?:Circular|Ref|No|通告|通知)\b.*\d.*", line, re.IGNORECASE):
            continue
        if _SENTENCE_END.search(line):
            return None  # the text opens with a sentence: it has no title line
        return _clean(line)
    return None
