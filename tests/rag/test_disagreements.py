"""Finding disagreements on counts and dates between passages of different documents."""

from __future__ import annotations

import numpy as np

from rag.core.types import Document, Hit, Locator, Passage
from rag.drafting.disagreements import find_disagreements


def hit(doc: str, text: str) -> Hit:
    document = Document(doc, f"{doc}.txt", "txt", doc, "", "", "", None, 0, 1, "", "")
    return Hit(Passage(f"{doc}:0", doc, 0, text, Locator(page=1)), document, 1.0)


SAME = np.ones(4, dtype=np.float32) / 2  # unit vector: every pair is "about the same thing"


def vectors(*hits: Hit) -> dict[str, np.ndarray]:
    return {h.passage.id: SAME for h in hits}


def test_different_counts_of_the_same_thing_are_a_disagreement() -> None:
    a = hit("a", "MOFCOM added 31 U.S. companies to the list after the Larkspur rule.")
    b = hit("b", "Beijing blacklisted 28 American firms in reply to the Larkspur rule.")
    (d,) = find_disagreements([a, b], vectors(a, b))
    assert d.what == "how many companies"
    assert {d.first_says, d.second_says} == {"31 U.S. companies", "28 American firms"}


def test_a_passage_that_reconciles_both_figures_is_not_a_disagreement() -> None:
    a = hit("a", "MOFCOM added 31 U.S. companies in all after the Larkspur rule.")
    b = hit(
        "b", "It put 28 U.S. companies on one list and 3 on another, 31 companies for Larkspur."
    )
    assert find_disagreements([a, b], vectors(a, b)) == []


def test_different_effective_dates_are_a_disagreement() -> None:
    a = hit("a", "The Kestrel rule took effect on 16 March 2026, officials said.")
    b = hit("b", "The Kestrel rule, which takes effect on 15 May 2026, covers weights.")
    (d,) = find_disagreements([a, b], vectors(a, b))
    assert d.what == "when it takes effect"


def test_passages_of_one_document_or_without_a_shared_name_are_not_compared() -> None:
    a = hit("a", "Officials named 31 U.S. companies on Monday in the Larkspur case.")
    same_doc = Hit(
        Passage(
            "a:1", "a", 1, "Officials named 28 U.S. companies in the Larkspur case.", Locator()
        ),
        a.document,
        1.0,
    )
    unrelated = hit("c", "Officials named 28 U.S. companies in the Orbital case.")
    vecs = {**vectors(a, unrelated), "a:1": SAME}
    assert find_disagreements([a, same_doc, unrelated], vecs) == []


def test_passages_about_different_things_are_not_compared() -> None:
    a = hit("a", "Larkspur said 31 U.S. companies were affected.")
    b = hit("b", "Larkspur said 28 U.S. companies were affected.")
    far = {"a:0": np.array([1, 0, 0, 0], np.float32), "b:0": np.array([0, 1, 0, 0], np.float32)}
    assert find_disagreements([a, b], far) == []
