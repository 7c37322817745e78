from __future__ import annotations

from baybot.answer.conversation import MAX_CONTEXT_CHARS, condense


def test_no_history_gives_the_stripped_question() -> None:
    assert condense("  What is TTPS?\n", None) == "What is TTPS?"
    assert condense("  What is TTPS?\n", []) == "What is TTPS?"


def test_last_user_turn_then_the_question() -> None:
    history = [
        {"role": "user", "content": "What is the Top Talent Pass Scheme?"},
        {"role": "assistant", "content": "It admits high earners and top graduates."},
    ]
    assert condense(" Is it still open? ", history) == (
        "What is the Top Talent Pass Scheme?\nIs it still open?"
    )


def test_assistant_text_is_left_out() -> None:
    history = [
        {"role": "user", "content": "Tell me about QMAS"},
        {"role": "assistant", "content": "QMAS is a points-based scheme with an annual quota."},
    ]
    query = condense("how do I apply?", history)
    assert "points-based" not in query
    assert "quota" not in query


def test_only_the_latest_user_turn_is_used() -> None:
    history = [
        {"role": "user", "content": "What is QMAS?"},
        {"role": "assistant", "content": "A points-based scheme."},
        {"role": "user", "content": "And the Top Talent Pass Scheme?"},
        {"role": "assistant", "content": "It is for high earners."},
    ]
    query = condense("How long can I stay?", history)
    assert query == "And the Top Talent Pass Scheme?\nHow long can I stay?"
    assert "QMAS" not in query


def test_blank_user_turns_are_skipped() -> None:
    history = [
        {"role": "user", "content": "港澳青年在前海工作有补贴吗"},
        {"role": "user", "content": "   "},
        {"role": "user", "content": None},
        {"role": "assistant", "content": "有。"},
    ]
    assert condense("申请条件呢？", history) == "港澳青年在前海工作有补贴吗\n申请条件呢？"


def test_history_without_user_turns() -> None:
    history = [{"role": "assistant", "content": "Hello, ask me about talent schemes."}]
    assert condense("What is IANG?", history) == "What is IANG?"


def test_long_previous_turn_keeps_its_end() -> None:
    previous = "x" * 1000 + " the end of the question"
    query = condense("next?", [{"role": "user", "content": previous}])
    context, question = query.split("\n")
    assert question == "next?"
    assert len(context) == MAX_CONTEXT_CHARS
    assert context.endswith("the end of the question")
