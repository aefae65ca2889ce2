"""Word forms the stemmed keyword search asks for beside the question's own words."""

from __future__ import annotations

import sqlite3

from rag.indexing.word_forms import inflections, porter_stem, stems_apart


def test_stems_agree_with_the_tokenizer_of_the_index() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    for w in ["added", "restrictions", "companies", "licence"]:
        db.execute("DELETE FROM t")
        db.execute("INSERT INTO t(x) VALUES (?)", (w,))
        assert db.execute("SELECT term FROM v").fetchall() == [(porter_stem(w),)], w
    assert porter_stem("added") == "ad" and porter_stem("add") == "add"


def test_a_form_whose_stem_differs_is_asked_for() -> None:
    assert stems_apart("add") == ["added"]  # "added" and "adding" share the stem "ad"
    assert "add" in stems_apart("added")


def test_forms_with_the_same_stem_are_not_asked_for_twice() -> None:
    held = {"restricts", "restricted", "restricting"}  # all stem to "restrict"
    assert stems_apart("restrict", held=lambda w: w in held) == []
    # "added" and "adding" share the stem "ad": one of them is enough
    assert stems_apart("add", held=lambda w: w in {"added", "adding"}) == ["added"]
    assert stems_apart("export", held=lambda w: w in {"exports", "exported"}) == []


def test_only_forms_the_library_holds_are_kept() -> None:
    assert stems_apart("add", held=lambda w: w == "adds") == []
    assert stems_apart("add", held=lambda w: w == "added") == ["added"]


def test_codes_figures_and_short_words_have_no_forms() -> None:
    assert stems_apart("3a090") == [] and stems_apart("10") == []
    # The "u" of "U.S." would otherwise ask for "us".
    assert stems_apart("u", held=lambda w: True) == []


def test_a_bare_d_or_a_two_letter_base_is_never_taken() -> None:
    assert "fun" not in inflections("fund")
    assert "ban" not in inflections("band")
    # Nor a stopword or a two-letter base with an "e": "thing" is no form of "the".
    assert "the" not in inflections("thing") and "see" not in inflections("seed")
    assert "she" not in stems_apart("shed", held=lambda w: True)
