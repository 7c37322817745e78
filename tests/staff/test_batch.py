from __future__ import annotations

import csv
import io

import pytest

from baybot.staff.batch import COLUMNS, BatchFileError, answer_all, read_questions, to_csv


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_questions_come_from_a_csv_column_or_its_first_column(tmp_path):
    with_header = write(
        tmp_path, "a.csv", 'id,question\n1,"Is there a cap, for C?"\n2,高才通是什么\n3,\n'
    )
    assert read_questions(with_header) == ["Is there a cap, for C?", "高才通是什么"]
    bare = write(tmp_path, "b.csv", "What is QMAS?\nWho runs GBA YES?\n")
    assert read_questions(bare) == ["What is QMAS?", "Who runs GBA YES?"]
    bom = tmp_path / "c.csv"
    bom.write_bytes("\ufeffquestion\n港澳青年补贴\n".encode())
    assert read_questions(bom) == ["港澳青年补贴"]


def test_questions_come_from_jsonl_objects_or_strings(tmp_path):
    path = write(tmp_path, "q.jsonl", '{"id": 1, "question": "What is QMAS?"}\n\n"Plain string"\n')
    assert read_questions(path) == ["What is QMAS?", "Plain string"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("q.jsonl", '{"question": "ok"}\n{broken\n', "line 2 is not JSON"),
        ("q.jsonl", '{"question": "ok"}\n{"text": "no question"}\n', "line 2 has no question"),
        ("q.pdf", "x", "upload a .csv or .jsonl"),
        ("q.csv", "question\n", "has no questions"),
    ],
)
def test_bad_files_are_clear_errors_naming_the_line(tmp_path, name, text, message):
    with pytest.raises(BatchFileError, match=message):
        read_questions(write(tmp_path, name, text))


def test_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes("問題".encode("big5"))
    with pytest.raises(BatchFileError, match="UTF-8"):
        read_questions(path)


def test_each_question_is_answered_and_a_bad_one_is_a_row_with_its_error(assistant):
    questions = [
        "Do I need a job offer to apply for the Top Talent Pass Scheme?",
        "Which ski resorts near Zurich are open in May?",
        "x" * 2001,
    ]
    seen: list[int] = []
    rows = answer_all(assistant, questions, progress=seen.append)
    assert seen == [1, 2, 3]
    answered, refused, failed = rows
    assert answered.citations.startswith("[1] ") and not answered.refused and answered.supported
    assert refused.refused and refused.citations == ""
    assert failed.error and "2000" in failed.error and failed.answer == ""
    table = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert tuple(table[0]) == COLUMNS and len(table) == 3
    assert table[1]["refused"] == "True" and table[0]["question"] == questions[0]
