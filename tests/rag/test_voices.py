"""Whose account a sentence is: a party's own statement, an interview answer, or a report."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ReplayModel

from rag.briefs.templates import get_template
from rag.core.types import CancelToken, Document, Hit, Locator, Passage
from rag.drafting.engine import ClaimAdded, draft
from rag.drafting.facts import attributed, candidate_sentences
from rag.drafting.quoted_claims import according_to, quotable, quoted_text
from rag.drafting.voices import document_voices, speaks_for_itself
from rag.indexing.library import Library

STATEMENT = """\
Qiantang Intelligence Statement on the U.S. Entity List Decision

HANGZHOU - Qiantang Intelligence strongly objects to the decision of the United States \
Department of Commerce to add the company to the Entity List on March 3, 2026.

Qiantang Intelligence is a civilian company. Our services to customers will continue \
without interruption.
"""

INTERVIEW = """\
Talking to Professor Gao Shuming about the list

Q: Was the list a surprise?

Gao: Not at all. Calling it theft is a political choice. Efficiency has become a national \
strength for Chinese laboratories.
"""

WIRE = """\
China adds U.S. chip firms to its list

BEIJING (Atlas) - China on Thursday added 18 U.S. companies to its unreliable entity list. \
"We will protect our interests," a ministry spokesperson said. The companies include \
Corvane Semiconductor, Northlight Systems and Brightwater Cloud.
"""


def _hit(doc_id: str, text: str, title: str, publisher: str) -> Hit:
    doc = Document(
        doc_id, f"{doc_id}.txt", "txt", title, publisher, "2026-03-15", "", None, 0, 1, "", ""
    )
    return Hit(Passage(f"{doc_id}:0", doc_id, 0, text, Locator(page=1)), doc, 1.0)


@pytest.mark.parametrize(
    ("title", "text", "voiced"),
    [
        ("Qiantang Intelligence Statement on the decision", "The company objects.", True),
        ("Remarks at the dialogue", "The Commission notes the measures.", True),
        ("CHOKEPOINTS AND COUNTERMEASURES", "We rely on MOFCOM's own count of 18.", True),
        ("Newsletter issue 112", "I think it is overdone.", True),
        ("Chips after Tollgate", "In my estimate, China's share will reach 45% by 2027.", True),
        ("Untitled", "Q: Will China go further?\nGao: Yes.", True),
        ("China adds firms to list", WIRE, False),  # "we" only inside a quotation
        ("BIS adds 27 entities", "BIS added 27 entities to the Entity List.", False),
        ("The U.S. and World War I", "Part I of the rule covers chips.", False),
    ],
)
def test_a_document_speaks_for_itself_by_its_title_or_its_own_first_person(
    title: str, text: str, voiced: bool
) -> None:
    assert speaks_for_itself(title, [text]) is voiced


def test_sentences_carry_their_holder_and_an_interview_answer_its_speaker() -> None:
    hits = [
        _hit("s", STATEMENT, "Qiantang Intelligence Statement", "Qiantang Intelligence"),
        _hit("i", INTERVIEW, "Talking to Gao", "East Asia Policy Review"),
        _hit("w", WIRE, "China adds U.S. chip firms to its list", "Atlas News Agency"),
    ]
    assert document_voices(hits) == {"s": "Qiantang Intelligence", "i": "East Asia Policy Review"}
    voice = {s.text: s.voice for s in candidate_sentences(hits)}
    assert voice["Qiantang Intelligence is a civilian company."] == "Qiantang Intelligence"
    assert voice["Calling it theft is a political choice."] == "Gao"
    wire = "The companies include Corvane Semiconductor, Northlight Systems and Brightwater Cloud."
    assert voice[wire] == ""


def test_a_quoted_sentence_names_whose_position_it_states() -> None:
    hits = [
        _hit("s", STATEMENT, "Qiantang Intelligence Statement", "Qiantang Intelligence"),
        _hit("i", INTERVIEW, "Talking to Gao", "East Asia Policy Review"),
        _hit("w", WIRE, "China adds U.S. chip firms to its list", "Atlas News Agency"),
    ]
    quoted = {s.text: quoted_text(s) for s in candidate_sentences(hits)}
    # The company speaks of itself, so it is named once; an interviewee's answer is theirs.
    assert quoted["Qiantang Intelligence is a civilian company."] == (
        "Qiantang Intelligence says it is a civilian company."
    )
    assert quoted["Calling it theft is a political choice."] == (
        "According to Gao, calling it theft is a political choice."
    )
    # A report is stated as it is.
    wire = "The companies include Corvane Semiconductor, Northlight Systems and Brightwater Cloud."
    assert quoted[wire] == wire


@pytest.mark.parametrize(
    ("sentence", "opening"),
    [
        ("European companies need predictability.", "European"),  # "The European Union"
        ("Beijing chose companies that cooperated.", "Beijing"),  # "... based in Beijing"
        ("Entity List additions rose.", "Entity"),  # "the Entity List"
        ("The rule applies.", "the"),
        ("Between March and May, the rule applied.", "between"),
        ("License requirements apply from May.", "license"),  # "a license" below
        ("Calling it theft is a political choice.", "calling"),
        ("Domestically designed chips will supply 45%.", "domestically"),
        ("Officials said the rule applies.", "officials"),
        ("Italy imposed no rule.", "Italy"),
        ("Listed entities may be barred from trade.", "listed"),  # a participle
        ("Reed said the rule applies.", "Reed"),  # a name before its verb
        ("Providers must verify their customers.", "providers"),  # a plural before a modal
        ("Siemens will open a plant.", "Siemens"),  # a name ending in s
        ("Violations carry fines of up to RM 10 million.", "violations"),
        ("Fourth, China's retaliation has been limited.", "China's"),  # the report's list
    ],
)
def test_according_to_keeps_a_name_capitalised_and_lowers_an_ordinary_word(
    sentence: str, opening: str
) -> None:
    context = (
        f"{sentence} The European Union said so. Firms based in Beijing agreed. Exporters "
        "need a license. The Entity List grew."
    )
    assert according_to("X", sentence, context).startswith(f"According to X, {opening} ")


def test_a_recommendation_given_to_its_holder_is_quoted() -> None:
    """ "According to X, Align controls ..." is no sentence: X recommends it, in its words."""
    text = "Align controls on model weights with 4E091."
    assert according_to("Carrow Center for Technology Policy", text) == (
        "The Carrow Center for Technology Policy recommends: “Align controls on model weights "
        "with 4E091.”"
    )


def test_an_interview_answer_in_the_first_person_is_not_quoted_bare() -> None:
    text = (
        "Q: Will China go further?\n\nGao: If the United States keeps expanding its controls, "
        "I expect China's countermeasures to extend to critical minerals.\n"
    )
    hits = [_hit("i", text, "Interview: countermeasures will come", "East Asia Policy Review")]
    (sentence,) = [s for s in candidate_sentences(hits) if "I expect" in s.text]
    # "I" would read as the analyst's own expectation: shown to the model as Gao's, never
    # quoted as a claim.
    assert not quotable(sentence)
    assert attributed(sentence).startswith("Gao: ")


@pytest.mark.parametrize(
    "said",
    [
        "Qiantang Intelligence is a civilian company.",
        # The fact's line copied as the prompt shows it, its holder first.
        "Qiantang Intelligence: Qiantang Intelligence is a civilian company.",
    ],
)
def test_a_model_claim_drawn_only_from_a_partys_statement_is_given_to_that_party(
    tmp_path: Path, said: str
) -> None:
    (tmp_path / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    claims = _claims_drafted(
        tmp_path, "statement.txt", "Qiantang Intelligence",
        "civilian company", said, "Qiantang Intelligence and the Entity List",
    )  # fmt: skip
    stated = [c for c in claims if "civilian company" in c.text]
    assert stated, [c.text for c in claims]
    # Named once: the company's statement speaks of the company.
    assert all(c.text.startswith("Qiantang Intelligence says it is ") for c in stated), [
        (c.text, c.check.reasons) for c in claims
    ]
    assert all(c.check.status == "supported" for c in stated)


def test_an_unsigned_analysis_is_attributed_to_its_title() -> None:
    text = "We think Japan will move close to the U.S. on chips but will resist controls."
    hits = [_hit("u", text, "Uneven Allies: Why Japan Will Not Move in Lockstep", "")]
    # The title, not its subtitle: "According to “Uneven Allies”, ..." names the piece.
    assert document_voices(hits) == {"u": "“Uneven Allies”"}
    # A one-word head ("Opinion") names nothing: the whole title, when short.
    hits = [_hit("o", text, "Opinion: Tokyo will not follow", "")]
    assert document_voices(hits) == {"o": "“Opinion: Tokyo will not follow”"}
    # Nor does a head that labels a part or a series; two pieces sharing a head keep theirs.
    hits = [_hit("p", text, "Part 2: Why Japan waits", "")]
    assert document_voices(hits) == {"p": "“Part 2: Why Japan waits”"}
    hits = [_hit(k, text, f"Export Controls: Part {k}", "") for k in ("1", "2")]
    assert document_voices(hits) == {
        "1": "“Export Controls: Part 1”",
        "2": "“Export Controls: Part 2”",
    }


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Unreliable Entity List: a Chinese list of foreign entities that MOFCOM names.", False),
        ("Tollgate rule: The informal name of the BIS rule, taken from its project name.", False),
        ("Update: BIS added two more companies to the Entity List on Friday.", True),
        # The term as a sentence of its own, then its definition, as report glossaries run.
        (
            "A.9 Harbour Output Pact. A voluntary agreement signed on 18 February 2025 by "
            "three laboratories to share information on suspected output harvesting.",
            False,
        ),
        (
            "A.5 BIS. The Bureau of Industry and Security, the agency of the Department of "
            "Commerce that administers the export rules.",
            False,
        ),
        # A control code as the term; the term spelled out in apposition; a past form in the
        # definition that is an adjective ("published weights"), not the sentence's verb.
        (
            "A.3 4E091. The export control classification, created by the rule, for the "
            "weights of AI models trained with more than 10^26 operations, other than "
            "published weights.",
            False,
        ),
        (
            "A.10 License Exception TCV. Trusted Compute Verified, a license exception created "
            "by the rule for data centers in allied countries that pass a security review.",
            False,
        ),
        ("Background. The ministry announced the controls on 2 March 2026.", True),
        ("Penalties. A breach of the Order is punishable by a fine of up to 500,000 RM.", True),
        ("Penalties. A fine of up to 500,000 RM applies to each shipment.", True),
        ("Not at all. The rule targets only three companies named by BIS.", True),
    ],
)
def test_a_glossary_entry_is_not_quoted_as_a_claim(text: str, ok: bool) -> None:
    found = candidate_sentences([_hit("w", text, "A report", "Atlas News Agency")])
    # Either not a fact at all (no verb) or a fact the engine never quotes unasked.
    assert any(quotable(s) for s in found) is ok


ANALYSIS = """\
Chokepoints and Countermeasures

We think the distillation dispute will shape the next round of controls. In June 2024,
Sablewood AI alleged that Qiantang-Lite repeated rare errors and phrasing found only in
Sablewood-3 outputs, which it called fingerprints of distillation. Our view is that the
evidence was strong.
"""


def test_a_source_speaking_for_itself_is_never_made_the_actor_of_what_another_did(
    tmp_path: Path,
) -> None:
    """An analysis that speaks in its own voice reports that Sablewood AI alleged something;
    the model writes that the analysis's publisher alleged it. The check must not let the
    publisher's name before the fact (as the model is shown it) support that: the claim
    comes out with Sablewood AI as the actor, or not at all."""
    (tmp_path / "analysis.txt").write_text(ANALYSIS, encoding="utf-8")
    said = (
        "Carrow Center for Technology Policy alleged that Qiantang-Lite repeated rare errors "
        "and phrasing found only in Sablewood-3 outputs."
    )
    claims = _claims_drafted(
        tmp_path, "analysis.txt", "Carrow Center for Technology Policy",
        "alleged", said, "Qiantang-Lite and the distillation dispute",
    )  # fmt: skip
    alleging = [c for c in claims if "alleged" in c.text]
    assert alleging, [c.text for c in claims]
    for claim in alleging:
        shown_supported = claim.check.status == "supported"
        assert not (
            shown_supported and "Carrow Center for Technology Policy alleged" in claim.text
        ), (
            claim.text,
            claim.check.reasons,
        )


def _claims_drafted(
    tmp_path: Path, filename: str, publisher: str, phrase: str, said: str, topic: str
) -> list:
    """The claims of a briefing drafted from the one document ``filename`` (in ``tmp_path``)
    with ``publisher`` set, the model answering ``said`` citing the fact holding ``phrase``."""
    lib = Library.open(tmp_path / "lib")
    try:
        list(lib.import_paths([tmp_path / filename]))
        (doc,) = lib.documents()
        lib.update_document(doc.id, publisher=publisher)

        def answer(messages, schema):
            for line in messages[-1]["content"].splitlines():
                if phrase in line and line.split(".")[0].strip("[] ").isdigit():
                    n = int(line.split(".")[0].strip("[] "))
                    return {"claims": [{"text": said, "facts": [n]}]}
            return {"claims": []}

        events = list(
            draft(lib, ReplayModel([answer] * 6), get_template("situation-brief"), topic,
                  cancel=CancelToken())
        )  # fmt: skip
    finally:
        lib.close()
    return [e.claim for e in events if isinstance(e, ClaimAdded)]


@pytest.mark.parametrize(
    "said",
    [
        # The source's "our" after its name reads as the analyst's own services.
        "According to Qiantang Intelligence, our services to customers will continue.",
        "Qiantang Intelligence: Our services to customers will continue without interruption.",
    ],
)
def test_a_claim_speaking_in_a_sources_first_person_is_not_kept(tmp_path: Path, said: str) -> None:
    (tmp_path / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    claims = _claims_drafted(
        tmp_path, "statement.txt", "Qiantang Intelligence",
        "services to customers", said, "Qiantang Intelligence and the Entity List",
    )  # fmt: skip
    assert not [c for c in claims if " our " in f" {c.text.lower()} "], [
        (c.text, c.check.status) for c in claims
    ]


def test_a_name_after_according_to_must_be_in_the_cited_text(tmp_path: Path) -> None:
    """Judged without its "According to X,", the rest opens on "Gao", which a capital at
    the start of a sentence would not make a name: the company's statement never names Gao."""
    prepared = (
        "We have prepared for this possibility since 2024 and our training clusters use "
        "domestically produced accelerators.\n"
    )
    (tmp_path / "statement.txt").write_text(f"{STATEMENT}\n{prepared}", encoding="utf-8")
    wrong = (
        "According to Qiantang Intelligence, Gao is a civilian company that has prepared for "
        "this possibility since 2024 and its training clusters use domestically produced "
        "accelerators."
    )  # drafted so on the test split (t08 #2) and passed
    claims = _claims_drafted(
        tmp_path, "statement.txt", "Qiantang Intelligence",
        "prepared for this possibility", wrong, "Qiantang Intelligence and the Entity List",
    )  # fmt: skip
    assert not [c for c in claims if "Gao" in c.text and not c.check.unsupported], [
        (c.text, c.check.status, c.check.reasons) for c in claims
    ]
