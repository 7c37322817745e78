"""Main text of a web page without what a reader skips: navigation, share bars, "Related News"
lists, date and time lines, the headline repeated, lines every page of the site carries.

trafilatura's precision settings remove most of it; what it keeps still reaches answers as
quotes ("Issued at HKT 15:30", "完", a list of other headlines), so the lines it returns pass
the rules below. List markers are trafilatura's, set only for the source's own <li> items; a
line such as "+10分" is a value, kept as text and joined to the line it scores.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import trafilatura

from .pagemeta import is_date_line

# A line whose text is mostly link text is a menu, a pager or a list of other stories.
MAX_LINK_DENSITY = 0.5
# A line on this many sibling pages of the same site is the site's, not the announcement's.
MIN_SIBLING_PAGES = 2
# Short lines only: a long paragraph that starts with "Share" is text, not a share bar.
MAX_BOILERPLATE_LINE_CHARS = 60
# A site repeats short lines ("Follow us on social media", a footer); a long paragraph shared by
# two releases is a standing statement of the body, kept rather than lost from both.
MAX_SITE_LINE_CHARS = 100

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)")
_SHARE = re.compile(
    r"^(?:share(?: this(?: article| page| story)?)?|partilhar|print"
    r"|分享(?:到|至)?|列印|打印)\b\s*[:：]?",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^#*\s*(?:related (?:news|articles|stories|links)|more (?:from|news|stories)|read more|"
    r"notícias relacionadas|相關新聞|相关新闻|相關連結|相关链接"
    r"|延伸閱讀|延伸阅读|推薦閱讀|推荐阅读)",
    re.IGNORECASE,
)
_END_MARKS = re.compile(r"^(?:完|ends|nnnn|end|\(完\)|（完）)$", re.IGNORECASE)
_TIME_LINE = re.compile(
    r"^(?:issued at )?(?:hkt|香港時間|香港时间)\s*\d{1,2}(?:[:：]\d{2}|時\d{1,2}分|时\d{1,2}分)$",
    re.IGNORECASE,
)
_META_LINE = re.compile(
    r"^(?:issued by\b|(?:source|editor|text size|發佈機構|发布机构|發布機構|发布单位"
    r"|来源|來源|責任編輯|责任编辑|瀏覽次數|浏览次数|字號|字号|文字大小)\s*[:：])",
    re.IGNORECASE,
)
_BYLINE_RESIDUE = re.compile(r"^[·•|｜]\s*\S")  # "· Karen Wong" once the date beside it is gone
_TABLE_ROW = re.compile(r"^\|.*\|$")  # "| A | HK$2.5 million |": a table row, never a byline
_VALUE_ONLY = re.compile(r"^[+\-]?\d[\d,.]*\s*(?:分|points?|%|元|萬元|万元|HK\$)?$", re.IGNORECASE)


def main_text(html: bytes | str, url: str | None = None) -> str:
    """trafilatura's main text with its precision settings; links kept as Markdown so that
    link density can be measured, then removed by `clean`."""
    return (
        trafilatura.extract(
            html,
            url=url,
            output_format="markdown",
            favor_precision=True,
            include_tables=True,
            include_links=True,
            include_comments=False,
            include_images=False,
        )
        or ""
    )


def line_key(line: str) -> str:
    """A line as compared across pages: no link targets, list markers, case or spacing."""
    line = _LINK.sub(r"\1", unicodedata.normalize("NFKC", _MD_ESCAPE.sub(r"\1", line)))
    line = _LIST_ITEM.sub("", line.lstrip("#").strip())
    return re.sub(r"\s+", " ", line).strip().casefold()


def repeated_lines(
    pages: Iterable[Iterable[str]], min_pages: int = MIN_SIBLING_PAGES
) -> frozenset[str]:
    """Keys of the lines that appear on at least `min_pages` of the given sibling pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({line_key(line) for line in lines if line.strip()})
    return frozenset(
        key for key, n in counts.items() if n >= min_pages and 0 < len(key) <= MAX_SITE_LINE_CHARS
    )


def link_density(line: str) -> float:
    text = _LINK.sub(r"\1", line)
    visible = len(re.sub(r"\s", "", text))
    linked = sum(len(re.sub(r"\s", "", m.group(1))) for m in _LINK.finditer(line))
    return linked / visible if visible else 0.0


def _is_boilerplate(line: str, key: str, title_key: str | None, site_lines: frozenset[str]) -> bool:
    plain = _LINK.sub(r"\1", line).lstrip("#").strip().strip("[]【】()（）")
    short = len(plain) <= MAX_BOILERPLATE_LINE_CHARS
    return (
        link_density(line) > MAX_LINK_DENSITY
        or key in site_lines
        or key == title_key
        or bool(_END_MARKS.match(plain) or _TIME_LINE.match(plain))
        or (short and is_date_line(plain))
        or (
            short
            and bool(
                _SHARE.match(plain)
                or _META_LINE.match(plain)
                or (_BYLINE_RESIDUE.match(plain) and not _TABLE_ROW.match(line.strip()))
            )
        )
    )


def clean(text: str, title: str | None = None, site_lines: frozenset[str] = frozenset()) -> str:
    """The text without boilerplate lines, as blank-line separated paragraphs; list items stay
    together as one block."""
    title_key = line_key(title) if title else None
    kept: list[str] = []
    in_related = False
    for raw in text.splitlines():
        line = _MD_ESCAPE.sub(r"\1", raw).rstrip()
        if not line.strip():
            continue
        key = line_key(line)
        plain = _LINK.sub(r"\1", line).strip()
        if _RELATED.match(plain.lstrip("#").strip()) and len(plain) <= MAX_BOILERPLATE_LINE_CHARS:
            in_related = True  # the heading and the list that follows it
            continue
        if in_related and (_LIST_ITEM.match(line) or link_density(line) > MAX_LINK_DENSITY):
            continue
        in_related = False
        if _is_boilerplate(line, key, title_key, site_lines):
            continue
        plain = _LINK.sub(r"\1", line)
        if _VALUE_ONLY.match(plain.strip()) and kept and not _LIST_ITEM.match(kept[-1]):
            kept[-1] = f"{kept[-1]} {plain.strip()}"  # "+10分" belongs to what it scores
            continue
        kept.append(plain)
    return _join(kept)


def _join(lines: list[str]) -> str:
    """Paragraphs apart; consecutive list items in one block, consecutive table rows in another
    (a table right after a list keeps its header row with its other rows)."""
    out: list[str] = []
    for line in lines:
        kind = _block_kind(line)
        if out and kind and _block_kind(out[-1].splitlines()[-1]) == kind:
            out[-1] = f"{out[-1]}\n{line}"
        else:
            out.append(line)
    return "\n\n".join(out)


def _block_kind(line: str) -> str | None:
    if line.lstrip().startswith("|"):
        return "table"
    return "list" if _LIST_ITEM.match(line) else None
