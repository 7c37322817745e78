"""Agreement before composition: a document about another place or scheme than the one asked
does not answer, one that names it does, and one that names neither is neutral."""

from __future__ import annotations

import pytest

from baybot.answer.analysis import analyse
from baybot.answer.evidence.agreement import AGREES, CONTRADICTS, NEUTRAL, AgreementJudge
from baybot.text.glossary import default_glossary
from baybot.types import Document

pytestmark = pytest.mark.unit  # no model, no server: runs with `pytest -m unit`


def doc(doc_id: str, title: str, region: str, schemes: tuple[str, ...], text: str = "") -> Document:
    return Document(doc_id, title, text or title, region=region, schemes=schemes)


DOCS = {
    d.id: d
    for d in [
        doc("hk-ttps", "Top Talent Pass Scheme", "Hong Kong", ("Top Talent Pass Scheme",)),
        doc(
            "hk-qmas",
            "Quality Migrant Admission Scheme",
            "Hong Kong",
            ("Quality Migrant Admission Scheme",),
        ),
        doc(
            "hk-iang",
            "Non-local graduates",
            "Hong Kong",
            ("Immigration Arrangements for Non-local Graduates",),
        ),
        doc("gd-visa", "Talent visa for foreigners in Guangdong", "Guangdong", ("R visa",)),
        doc("gd-dongguan", "Dongguan IIT subsidy rules", "Guangdong", ("Dongguan IIT subsidy",)),
        doc("gd-guangzhou", "Guangzhou IIT subsidy rules", "Guangdong", ("Guangzhou IIT subsidy",)),
        doc(
            "gd-iit",
            "GBA preferential IIT policy",
            "Guangdong",
            ("GBA preferential IIT policy",),
            "The subsidy is open to talent from Hong Kong, Macao and abroad. Hong Kong residents "
            "qualify. Hong Kong holders count. Hong Kong, again.",
        ),  # fmt: skip
        doc(
            "mo-talent",
            "Macao Talent Introduction Scheme",
            "Macao",
            ("Macao Talent Introduction Scheme",),
        ),
    ]
}


@pytest.fixture(scope="module")
def judge() -> AgreementJudge:
    return AgreementJudge.build(DOCS)


@pytest.mark.parametrize(
    ("question", "doc_id", "verdict"),
    [
        ("How long is a TTPS visa valid?", "hk-ttps", AGREES),
        ("How long is a TTPS visa valid?", "hk-qmas", CONTRADICTS),
        ("高才通簽證有效期幾耐？", "hk-qmas", CONTRADICTS),
        ("What is Dongguan's IIT subsidy cap?", "gd-dongguan", AGREES),
        ("What is Dongguan's IIT subsidy cap?", "gd-guangzhou", CONTRADICTS),
        ("东莞个税补贴上限是多少？", "gd-guangzhou", CONTRADICTS),
        ("How do I get a Hong Kong work visa as a mainland talent?", "gd-visa", CONTRADICTS),
        ("What documents does the Macao talent scheme need?", "mo-talent", AGREES),
        ("What documents does the Macao talent scheme need?", "hk-ttps", CONTRADICTS),
        ("What does the Foshan talent subsidy pay?", "gd-dongguan", CONTRADICTS),
        ("What is a talent scheme?", "hk-ttps", NEUTRAL),
    ],
)
def test_verdicts(judge: AgreementJudge, question: str, doc_id: str, verdict: int) -> None:
    found = judge.verdict(doc_id, analyse(question))
    assert found >= AGREES if verdict == AGREES else found == verdict


def test_naming_more_of_what_was_asked_agrees_more(judge: AgreementJudge) -> None:
    a = analyse("What does the Macao Talent Introduction Scheme need from people in Macao?")
    assert judge.verdict("mo-talent", a) > AGREES


def test_a_place_named_often_in_the_text_is_not_contradicted(judge: AgreementJudge) -> None:
    # The GBA tax notices are Guangdong's, but are about Hong Kong residents too.
    a = analyse("Can Hong Kong residents get the GBA IIT subsidy?")
    assert judge.verdict("gd-iit", a) != CONTRADICTS


def test_one_dimension_agreeing_outweighs_the_other(judge: AgreementJudge) -> None:
    # A Hong Kong scheme's holders asking about a Dongguan rule: the Dongguan document agrees
    # on the place although it is not about the Hong Kong scheme.
    a = analyse("As a TTPS holder working in Dongguan, can I get the IIT subsidy?")
    assert judge.verdict("gd-dongguan", a) != CONTRADICTS


def test_comparison_sides_are_specific_schemes(judge: AgreementJudge) -> None:
    sides = judge.sides(analyse("TTPS vs QMAS: which is faster?"))
    assert len(sides) == 2
    assert judge.sides(analyse("What does TTPS need?")) == ()


def test_a_region_stays_a_jurisdiction_however_often_others_name_it() -> None:
    docs = dict(DOCS)
    for name in ("Qianhai", "Nansha"):
        docs[name] = doc(name, f"{name} IIT rule", "Guangdong", (f"{name} IIT policy",))
    for i in range(4):  # more Guangdong documents naming Macao than Macao's own
        d = doc(f"gd-macao-{i}", f"Macao residents in Hengqin {i}", "Guangdong", ("Hengqin rule",))
        docs[d.id] = d
    judge = AgreementJudge.build(docs)
    macao = default_glossary().places_in("Macao").pop()
    assert judge.jurisdiction[macao] == macao
    sides = judge.sides(
        analyse("As a Macao resident, Qianhai or Nansha: which tax rule is better?")
    )
    assert macao not in sides and len(sides) == 2
