"""Fixed wording BayBot writes itself, in English, Traditional and Simplified Chinese.

Kept apart from the code that uses it so the three versions stay side by side and in step.
"""

from __future__ import annotations

_TEXT: dict[str, dict[str, str]] = {
    "refusal": {
        "en": "The sources I have do not cover this, so I cannot answer it without guessing.",
        "zh-Hant": "我手上的資料沒有涵蓋這個問題，我不能憑猜測回答。",
        "zh-Hans": "我手上的资料没有涵盖这个问题，我不能凭猜测回答。",
    },
    "refusal_places": {
        "en": "None of them is about {places}.",
        "zh-Hant": "資料中沒有關於{places}的內容。",
        "zh-Hans": "资料中没有关于{places}的内容。",
    },
    "nearest_topics": {
        "en": "The closest topics they do cover:",
        "zh-Hant": "資料涵蓋的相近主題：",
        "zh-Hans": "资料涵盖的相近主题：",
    },
    "sources_differ": {
        "en": "The sources differ: {newer} (dated {newer_date}) is newer than {older} "
        "(dated {older_date}), so prefer {newer}.",
        "zh-Hant": "資料之間有出入：{newer}（{newer_date}）比{older}（{older_date}）較新，"
        "應以{newer}為準。",
        "zh-Hans": "资料之间有出入：{newer}（{newer_date}）比{older}（{older_date}）较新，"
        "应以{newer}为准。",
    },
    "no_answer_found": {
        "en": "The retrieved sources mention this topic but no sentence in them answers it.",
        "zh-Hant": "檢索到的資料提及這個主題，但沒有句子直接回答這個問題。",
        "zh-Hans": "检索到的资料提及这个主题，但没有句子直接回答这个问题。",
    },
    "place_separator": {"en": ", ", "zh-Hant": "、", "zh-Hans": "、"},
}


def text(key: str, language: str, **values: str) -> str:
    """The message `key` in `language` (English when that language has none)."""
    versions = _TEXT[key]
    return versions.get(language, versions["en"]).format(**values)
