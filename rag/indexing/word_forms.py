"""Word forms that SQLite's Porter stemmer keeps apart, so that the stemmed keyword search can
ask for them too.

Porter reduces "added" and "adding" to "ad" but leaves "add" as it is (and "ads" is "ad"
too: a rare word in this field). A question asking which companies China would "add" to a
list then misses the wire saying it "added" them, and BM25 weighs "add" by the few passages
that hold the bare verb ("add watermarks"), ranking those first. The stems here come from the
same tokenizer the index uses, so they agree with it by construction.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable

from rag.core.vocabulary import STOPWORDS

# The tokenizer of the stemmed index (rag.indexing.store's passages_stem).
_TOKENIZER = "porter unicode61 remove_diacritics 2"
_SUFFIXES = ("ing", "ed", "es", "s")
_MIN_BASE = 3  # letters a word and a base need: "used" -> "us" is no form worth asking for

_lock = threading.Lock()
_db: sqlite3.Connection | None = None


def _connection() -> sqlite3.Connection:
    global _db
    if _db is None:
        _db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _db.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{_TOKENIZER}')")
        _db.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, 'row')")
    return _db


@functools.lru_cache(maxsize=16384)
def porter_stem(word: str) -> str:
    """``word``'s stem as the stemmed index holds it ("added" -> "ad"); ``word`` itself when
    the tokenizer does not make it exactly one token."""
    with _lock:
        db = _connection()
        db.execute("INSERT INTO words(word) VALUES (?)", (word,))
        rows = db.execute("SELECT term FROM stems").fetchall()
        db.execute("DELETE FROM words")
    return str(rows[0][0]) if len(rows) == 1 else word


def inflections(word: str) -> list[str]:
    """Regular forms a document may use for ``word``: its -s, -ed (-d after an e) and -ing
    forms, and, when ``word`` is one of those, the words it may come from ("added" -> "add").
    Stopwords are never asked for.
    Not all are words; the caller keeps those its library holds. A bare "-d" is never taken
    off: "fund" is not a form of "fun"."""
    forms = [word + "s", word + ("d" if word.endswith("e") else "ed"), word + "ing"]
    for suffix in _SUFFIXES:
        base = word[: -len(suffix)]
        # A base of two letters is left alone, "tied" -> "tie" with it: "thing" is not a
        # form of "the", nor "seed" of "see".
        if word.endswith(suffix) and len(base) >= _MIN_BASE:
            forms += [base, base + "e"]
    return [f for f in dict.fromkeys(forms) if f != word and f not in STOPWORDS]


def stems_apart(word: str, held: Callable[[str], bool] | None = None) -> list[str]:
    """Forms of ``word`` whose stems differ from its own and from each other's, one per stem
    ("add" -> ["added"], whose stem "ad" the index holds for "added" and "adding"). Only
    words of letters have forms; codes and figures match exactly. ``held``, when given, keeps
    only the forms it accepts (the words a library holds)."""
    if not word.isalpha() or len(word) < _MIN_BASE:  # "u" of "U.S." is no verb: not "us"
        return []
    seen = {porter_stem(word)}
    found = []
    for form in inflections(word):
        stem = porter_stem(form)
        # The stem first: it costs nothing, and asking the library whether it holds a
        # common form ("exported") walks that form's whole list.
        if stem in seen or (held is not None and not held(form)):
            continue
        seen.add(stem)
        found.append(form)
    return found
