from __future__ import annotations

from rag.core.types import Block, Locator
from rag.reading.chunking import MAX_CHARS, TARGET_CHARS, chunk_blocks, split_sentences


def page(n: int, text: str, heading: bool = False) -> Block:
    return Block(text, Locator(page=n), is_heading=heading)


def test_passages_never_cross_a_page() -> None:
    blocks = [page(1, "Short one."), page(2, "Short two."), page(2, "Short three.")]
    passages = chunk_blocks("d", blocks)
    assert [p.locator.page for p in passages] == [1, 2]
    assert passages[1].text == "Short two.\nShort three."


def test_long_paragraph_is_cut_at_sentences() -> None:
    sentence = "The Commerce Department added eleven entities to the list on 3 March. "
    blocks = [page(1, sentence * 60)]
    passages = chunk_blocks("d", blocks)
    assert len(passages) > 2
    for p in passages:
        assert len(p.text) <= MAX_CHARS + 2
        assert p.text.rstrip().endswith("March.")


def test_heading_is_glued_to_the_text_after_it() -> None:
    blocks = [
        Block("Intro text.", Locator(para_start=1, para_end=1)),
        Block("Outlook", Locator(para_start=2, para_end=2), is_heading=True),
        Block("More controls are likely.", Locator(para_start=3, para_end=3, heading="Outlook")),
    ]
    passages = chunk_blocks("d", blocks)
    assert any(p.text.startswith("Outlook\nMore controls") for p in passages)
    assert all(p.text != "Outlook" for p in passages)


def test_paragraphs_pack_up_to_the_target_and_merge_locators() -> None:
    para = "x" * (TARGET_CHARS // 3 - 2)  # three fit in one passage with their separators
    blocks = [Block(para, Locator(line_start=i * 2 + 1, line_end=i * 2 + 1)) for i in range(6)]
    passages = chunk_blocks("d", blocks)
    assert len(passages) == 2
    assert passages[0].locator.label() == "lines 1–5"
    assert [p.id for p in passages] == ["d:0", "d:1"]


def test_text_without_sentence_ends_is_still_bounded() -> None:
    passages = chunk_blocks("d", [page(1, "word " * 2000)])
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    assert sum(p.text.count("word") for p in passages) == 2000


def test_split_sentences_keeps_abbreviations_mostly_whole() -> None:
    assert split_sentences("It rose 3.5 percent. Then it fell.") == [
        "It rose 3.5 percent.",
        "Then it fell.",
    ]


def test_split_sentences_does_not_break_after_abbreviations() -> None:
    text = "MOFCOM issued Announcement No. 14 of 2026. The U.S. rule took effect. Dr. Lee spoke."
    assert split_sentences(text) == [
        "MOFCOM issued Announcement No. 14 of 2026.",
        "The U.S. rule took effect.",
        "Dr. Lee spoke.",
    ]


def test_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    # Quotes are checked verbatim against passages, so a sentence must keep its closers.
    text = 'He said "chips are banned." Then it replied. (This was new.) “Yes.” Next one.'
    assert split_sentences(text) == [
        'He said "chips are banned."',
        "Then it replied.",
        "(This was new.)",
        "“Yes.”",
        "Next one.",
    ]
    assert " ".join(split_sentences(text)) == text
