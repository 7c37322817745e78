"""Fixed wording BayBot writes itself, in English, Traditional and Simplified Chinese.

Kept apart from the code that uses it so the three versions stay side by side and in step.
"""

from __future__ import annotations

from baybot.text.i18n import Translations, translate

_TEXT: Translations = {
    "refusal": (
        "The sources I have do not cover this, so I cannot answer it without guessing.",
        "我手上的資料沒有涵蓋這個問題，我不能憑猜測回答。",
        "我手上的资料没有涵盖这个问题，我不能凭猜测回答。",
    ),
    "refusal_places": (
        "None of them is about {places}.",
        "資料中沒有關於{places}的內容。",
        "资料中没有关于{places}的内容。",
    ),
    "nearest_topics": (
        "The closest topics they do cover:",
        "資料涵蓋的相近主題：",
        "资料涵盖的相近主题：",
    ),
    "sources_differ": (
        "The sources differ: {newer} (dated {newer_date}) is newer than {older} "
        "(dated {older_date}), so prefer {newer}.",
        "資料之間有出入：{newer}（{newer_date}）比{older}（{older_date}）較新，應以{newer}為準。",
        "资料之间有出入：{newer}（{newer_date}）比{older}（{older_date}）较新，应以{newer}为准。",
    ),
    "no_answer_found": (
        "The retrieved sources mention this topic but no sentence in them answers it.",
        "檢索到的資料提及這個主題，但沒有句子直接回答這個問題。",
        "检索到的资料提及这个主题，但没有句子直接回答这个问题。",
    ),
    "status_valid": (
        "valid until {date}.",
        "有效至{date}。",
        "有效至{date}。",
    ),
    "status_ending": (
        "ends on {date}; no extension had been announced when the sources were checked on "
        "{reviewed}.",
        "將於{date}結束；截至{reviewed}核對資料時，未有宣布延期。",
        "将于{date}结束；截至{reviewed}核对资料时，未有宣布延期。",
    ),
    "status_ended": (
        "ended on {date}.",
        "已於{date}結束。",
        "已于{date}结束。",
    ),
    "status_not_yet": (
        "applies from {date}.",
        "自{date}起適用。",
        "自{date}起适用。",
    ),
    "checked_on": (
        "checked on {date}",
        "{date}核對",
        "{date}核对",
    ),
    "updated_on": (
        "updated {date}",
        "{date}更新",
        "{date}更新",
    ),
    "title_separator": (
        ": ",
        "：",
        "：",
    ),
    "quoted_from_english": (
        "The following is quoted from English sources:",
        "以下內容摘自英文資料：",
        "以下内容摘自英文资料：",
    ),
    "titles_in_english": ("", "（以下內容摘自英文資料）", "（以下内容摘自英文资料）"),
    "as_of": (
        "(Figures as published in the source dated {date}.)",
        "（數字以{date}發布的資料為準。）",
        "（数字以{date}发布的资料为准。）",
    ),
    "not_stated": (
        "The sources do not state {what}.",
        "資料沒有說明{what}。",
        "资料没有说明{what}。",
    ),
    "related": (
        "What they do say on this topic (related, not the answer):",
        "資料就此主題提到的相關內容（僅供參考，並非答案）：",
        "资料就此主题提到的相关内容（仅供参考，并非答案）：",
    ),
    "none_agree": (
        "None of the sources I found is about what you named.",
        "找到的資料都不是關於你所問的對象。",
        "找到的资料都不是关于你所问的对象。",
    ),
    "slot_year": ("figures for {year}", "{year}年的數字", "{year}年的数字"),
    "slot_fee": ("the fee", "費用", "费用"),
    "slot_amount": ("the amount", "金額", "金额"),
    "slot_number": ("that figure", "這個數字", "这个数字"),
    "slot_age": ("an age limit", "年齡限制", "年龄限制"),
    "slot_duration": ("how long it takes or lasts", "所需時間或期限", "所需时间或期限"),
    "slot_date": ("the date", "日期", "日期"),
    "slot_contact": (
        "contact details or opening hours",
        "聯絡方式或辦公時間",
        "联络方式或办公时间",
    ),
    "place_separator": (
        ", ",
        "、",
        "、",
    ),
}


def text(key: str, language: str, **values: str) -> str:
    """The message `key` in `language` (English when that language has none)."""
    return translate(_TEXT, key, language, **values)
