from __future__ import annotations

import pytest

from baybot.app.web.strings import _TEXT, UI_LANGUAGES, from_accept_language, step_name, t
from baybot.timing import Progress, Step

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-MO;q=0.9", "zh-Hant"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,zh-TW;q=0.5,en;q=0.3", "zh-Hant"),  # first supported language by quality
        ("en;q=0.2,zh-CN;q=0.8", "zh-Hans"),
        ("fr,de", "en"),
        ("", "en"),
        (None, "en"),
        ("zh;q=abc,en", "en"),
    ],
)
def test_the_browser_language_picks_the_ui_language(header, expected):
    assert from_accept_language(header) == expected


def test_every_string_exists_in_all_three_languages_with_the_same_placeholders():
    import string

    for key, versions in _TEXT.items():
        assert len(versions) == len(UI_LANGUAGES) and all(v.strip() for v in versions), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(v) if f} for v in versions]
        assert fields[0] == fields[1] == fields[2], key
    assert t("send", "zh-Hant") == "發問" and t("send", "xx") == "Ask"
    assert t("rated", "zh-Hans", id=3) == "已保存第 3 条意见。"


def test_the_loading_steps_are_named_in_the_page_language():
    from baybot.app.web.chat import _progress_html

    names = {lang: [step_name(step, lang) for step in Step] for lang in UI_LANGUAGES}
    assert all(len(set(steps)) == len(Step) for steps in names.values()), names
    assert not set(names["en"]) & (set(names["zh-Hant"]) | set(names["zh-Hans"]))
    progress = Progress()
    progress.step(Step.MODELS)
    waiting = _progress_html(progress.snapshot(), "zh-Hans")
    assert step_name(Step.MODELS, "zh-Hans") in waiting and "<progress" not in waiting
    progress.step(Step.SENTENCES)
    progress.add(10)
    progress.advance(4)
    for lang in UI_LANGUAGES:
        page = _progress_html(progress.snapshot(), lang)
        assert step_name(Step.SENTENCES, lang) in page and "40%" in page, page
        assert lang == "en" or Step.SENTENCES.value not in page
    progress.close()


def test_a_staff_change_shows_its_step_in_the_page_language_and_the_whole_share():
    from baybot.app.web.catalog import job_html
    from baybot.types import JobStatus

    running = JobStatus(name="add 1", state="running", step=Step.SENTENCES, done=1, total=10,
                        fraction=0.9)  # fmt: skip
    for lang in UI_LANGUAGES:
        page = job_html(running, lang)
        assert step_name(Step.SENTENCES, lang) in page and "90%" in page, page
        assert 'value="0.900"' in page
