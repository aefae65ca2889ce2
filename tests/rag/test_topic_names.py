"""Which words of a topic name something, and the FTS query that finds mentions of it."""

from __future__ import annotations

from rag.drafting.engine import split_source_markers
from rag.drafting.topic_names import topic_names


def shown(topic: str) -> list[str]:
    return [n.shown for n in topic_names(topic)]


def test_names_are_capitalised_words_acronyms_and_years_but_not_the_first_word() -> None:
    assert shown("Chinese tariffs on Brazilian soybean imports") == ["Brazilian"]
    assert shown("Inflation Reduction Act subsidies in 2023") == ["Reduction", "Act", "2023"]
    assert shown("EU fines under the AI Act") == ["EU", "AI", "Act"]
    assert shown("export controls on chips") == []


def test_possessives_and_abbreviations_become_queries_that_match_the_text() -> None:
    names = {n.shown: n.fts for n in topic_names("Curbs on Anthropic's models by the U.S.")}
    assert names == {"Anthropic": '"anthropic"*', "U.S.": '"u s"'}
    # An adjective finds its country: "Brazilian" matches "Brazil" and "Brazil's".
    assert topic_names("Tariffs on Brazilian soy")[0].fts == '"brazil"*'


def test_source_markers_leave_the_sentence_and_name_their_sources() -> None:
    assert split_source_markers("Curbs began in March [3].") == ("Curbs began in March.", [3])
    text = "It took effect on 16 March (source 2), per Reuters [1, 4]."
    assert split_source_markers(text) == ("It took effect on 16 March, per Reuters.", [2, 1, 4])
    assert split_source_markers("Text [sic] of 2026.") == ("Text [sic] of 2026.", [])
