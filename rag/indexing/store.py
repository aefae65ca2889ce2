"""The library's own transactional store (SQLite): documents, passages, embeddings, keywords.

This is the source of truth. A document and all of its passages, embeddings and keyword
entries are written in ONE transaction, so a killed import leaves either the whole document or
nothing. The Chroma collection is only an index over these rows and can always be rebuilt from
them without re-reading any file (chromadb's HNSW files can be left unopenable by a kill).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rag.core.crashpoints import crash_point
from rag.core.types import Document, Locator, Passage, editable_changes
from rag.indexing.word_forms import stems_apart
from rag.search.query import query_words

# 2: passages_stem, a keyword index whose words are stemmed (see Store._migrate).
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    chars INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    url TEXT NOT NULL DEFAULT '',
    date_source TEXT NOT NULL DEFAULT '',
    ocr_confidence REAL,
    notes TEXT NOT NULL DEFAULT '[]',
    -- 0 until the document's vectors are confirmed in the vector index; see Library.open.
    indexed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    locator TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id, ordinal);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    passage_id UNINDEXED, doc_id UNINDEXED, text, title,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- How many passages hold each word: keyword search skips words too common to rank by.
CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages_fts, 'row');
-- The same passages with every word reduced to its stem ("restricted", "restrictions" ->
-- "restrict"), so a question's word forms meet the document's. Codes and numbers pass through
-- the stemmer unchanged; passages_fts keeps the exact words for exact-mention checks.
CREATE VIRTUAL TABLE IF NOT EXISTS passages_stem USING fts5(
    passage_id UNINDEXED, doc_id UNINDEXED, text, title,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""

_DOC_COLUMNS = (
    "id, filename, kind, title, publisher, published, author, pages, chars, passages, "
    "imported_at, stored_path, tags, url, date_source, ocr_confidence, notes"
)
# Columns added after the first release, with their definitions: a library made before them
# gets them on open (ALTER TABLE ... ADD COLUMN keeps every row, with the default).
_ADDED_DOCUMENT_COLUMNS = {
    "url": "TEXT NOT NULL DEFAULT ''",
    "date_source": "TEXT NOT NULL DEFAULT ''",
    "ocr_confidence": "REAL",
    "notes": "TEXT NOT NULL DEFAULT '[]'",
}


def _doc(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        filename=row["filename"],
        kind=row["kind"],
        title=row["title"],
        publisher=row["publisher"],
        published=row["published"],
        author=row["author"],
        pages=row["pages"],
        chars=row["chars"],
        passages=row["passages"],
        imported_at=row["imported_at"],
        stored_path=row["stored_path"],
        tags=json.loads(row["tags"]),
        url=row["url"],
        date_source=row["date_source"],
        ocr_confidence=row["ocr_confidence"],
        notes=json.loads(row["notes"]),
    )


def _passage(row: sqlite3.Row) -> Passage:
    return Passage(
        id=row["id"],
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        text=row["text"],
        locator=Locator.from_dict(json.loads(row["locator"])),
    )


# A word in more than this share of the passages is left out of a keyword search (unless every
# word is): BM25 gives it almost no weight (FTS5 floors its IDF near zero), but matching it
# means scoring most of the library. At 100k passages this is most of a search's time.
COMMON_WORD_SHARE = 0.5
# Below this many passages every word is kept: scoring them all costs nothing.
COMMON_WORD_MIN_PASSAGES = 1000


def fts_query(text: str | Sequence[str]) -> str:
    """A user's words as an FTS5 query: every word quoted (so codes like 3A090 and words like
    AND/NOT are literal) and OR-ed, so BM25 ranks passages by how many rare words they hold."""
    words = query_words(text) if isinstance(text, str) else text
    return " OR ".join('"' + w.replace('"', " ") + '"' for w in words)


class Store:
    """One SQLite database. Safe to share between threads; writes are serialised."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._passages: int | None = None  # cached passage count; None after a write
        # Passages holding each word, as far as keyword searches asked: fts5vocab counts them
        # by walking the word's whole list, which for a common word costs as much as using it.
        self._holding: dict[str, int] = {}
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: once an import says "imported", a power cut must not take the document back.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._add_missing_columns()
        self._migrate()

    def _migrate(self) -> None:
        """Bring a library written by an older BriefDesk up to SCHEMA_VERSION, in one
        transaction: a migration killed halfway leaves the old schema, done again next open."""
        with self.transaction() as db:
            rows = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchall()
            version = int(rows[0]["value"]) if rows else SCHEMA_VERSION  # new: nothing to do
            if version < 2:
                # The stemmed index is built from the stored passages: no file is read again.
                db.execute("DELETE FROM passages_stem")
                db.execute(
                    "INSERT INTO passages_stem(passage_id, doc_id, text, title) "
                    "SELECT p.id, p.doc_id, p.text, d.title FROM passages p "
                    "JOIN documents d ON d.id = p.doc_id"
                )
                crash_point("store.migrate")  # copied, not committed: the journal undoes it
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)",
                (str(max(version, SCHEMA_VERSION)),),
            )

    def _add_missing_columns(self) -> None:
        have = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
        with self.transaction() as db:
            for name, definition in _ADDED_DOCUMENT_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE documents ADD COLUMN {name} {definition}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _counts_change(self) -> Iterator[None]:
        """Around a write that adds or removes passages: the cached count is dropped after it
        (committed or not), under the lock, so no reader caches a count from before it."""
        try:
            yield
        finally:
            self._passages = None
            self._holding.clear()

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- meta ---------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- documents ----------------------------------------------------------------------------

    def add_document(
        self, doc: Document, passages: Sequence[Passage], embeddings: np.ndarray
    ) -> None:
        """Write a document with everything that belongs to it, all or nothing."""
        if len(passages) != len(embeddings):
            raise ValueError("one embedding per passage")
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        with self._lock, self._counts_change(), self.transaction() as db:
            db.execute(
                f"INSERT INTO documents({_DOC_COLUMNS}) VALUES ({','.join('?' * 17)})",
                (
                    doc.id, doc.filename, doc.kind, doc.title, doc.publisher, doc.published,
                    doc.author, doc.pages, doc.chars, doc.passages, doc.imported_at,
                    doc.stored_path, json.dumps(doc.tags), doc.url, doc.date_source,
                    doc.ocr_confidence, json.dumps(doc.notes),
                ),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO passages(id, doc_id, ordinal, text, locator, embedding) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (p.id, p.doc_id, p.ordinal, p.text, json.dumps(p.locator.to_dict()),
                     vectors[i].tobytes())
                    for i, p in enumerate(passages)
                ],
            )  # fmt: skip
            for table in ("passages_fts", "passages_stem"):
                db.executemany(
                    f"INSERT INTO {table}(passage_id, doc_id, text, title) VALUES (?, ?, ?, ?)",
                    [(p.id, p.doc_id, p.text, doc.title) for p in passages],
                )
            crash_point("store.write")  # written, not committed: the journal must undo it

    def remove_document(self, doc_id: str) -> bool:
        with self._lock, self._counts_change(), self.transaction() as db:
            db.execute("DELETE FROM passages_fts WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM passages_stem WHERE doc_id = ?", (doc_id,))
            cur = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            return cur.rowcount > 0

    def document(self, doc_id: str) -> Document | None:
        rows = self._query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,))
        return _doc(rows[0]) if rows else None

    def documents(self) -> list[Document]:
        rows = self._query(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY imported_at, title")
        return [_doc(r) for r in rows]

    def documents_by_ids(self, ids: Iterable[str]) -> dict[str, Document]:
        ids = list(set(ids))
        if not ids:
            return {}
        rows = self._query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({','.join('?' * len(ids))})", ids
        )
        return {r["id"]: _doc(r) for r in rows}

    def update_document(
        self, doc_id: str, *, date_source: str | None = None, **changes: object
    ) -> Document:
        """Edit the fields of EDITABLE_FIELDS. A new date is the analyst's ("edited") unless
        ``date_source`` says where it came from (a copy taking a shared library's edits)."""
        changes = editable_changes(changes)
        if not changes:
            doc = self.document(doc_id)
            if doc is None:
                raise KeyError(doc_id)
            return doc
        if "published" in changes:
            if date_source is None:
                date_source = "edited" if changes["published"] else ""
            changes = {**changes, "date_source": date_source}
        values = [json.dumps(v) if k == "tags" else v for k, v in changes.items()]
        with self.transaction() as db:
            cur = db.execute(
                f"UPDATE documents SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                [*values, doc_id],
            )
            if cur.rowcount == 0:
                raise KeyError(doc_id)
            if "title" in changes:
                for table in ("passages_fts", "passages_stem"):
                    db.execute(
                        f"UPDATE {table} SET title = ? WHERE doc_id = ?",
                        (str(changes["title"]), doc_id),
                    )
        doc = self.document(doc_id)
        assert doc is not None
        return doc

    def unindexed_document_ids(self) -> list[str]:
        return [r["id"] for r in self._query("SELECT id FROM documents WHERE indexed = 0")]

    def mark_indexed(self, doc_ids: Iterable[str], indexed: bool = True) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE documents SET indexed = ? WHERE id = ?",
                [(int(indexed), d) for d in doc_ids],
            )

    def document_ids_published_between(
        self, date_from: str | None, date_to: str | None
    ) -> list[str]:
        clauses, args = [], []
        if date_from:
            clauses.append("published != '' AND published >= ?")
            args.append(date_from)
        if date_to:
            # '2026-05' <= '2026-05-31' and a bare year compares as its start: dates we only
            # know to the month or year count as inside a range that includes that period.
            clauses.append("published != '' AND substr(published, 1, length(?)) <= ?")
            args.extend([date_to, date_to])
        where = " AND ".join(clauses) or "1"
        return [r["id"] for r in self._query(f"SELECT id FROM documents WHERE {where}", args)]

    # -- passages -----------------------------------------------------------------------------

    def passages_of(self, doc_id: str) -> list[Passage]:
        rows = self._query(
            "SELECT id, doc_id, ordinal, text, locator FROM passages WHERE doc_id = ? "
            "ORDER BY ordinal",
            (doc_id,),
        )
        return [_passage(r) for r in rows]

    def passages_by_ids(self, ids: Sequence[str]) -> dict[str, Passage]:
        out: dict[str, Passage] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            rows = self._query(
                "SELECT id, doc_id, ordinal, text, locator FROM passages "
                f"WHERE id IN ({','.join('?' * len(part))})",
                part,
            )
            out.update((r["id"], _passage(r)) for r in rows)
        return out

    def passage_count(self) -> int:
        with self._lock:
            if self._passages is None:
                self._passages = int(self._query("SELECT count(*) AS n FROM passages")[0]["n"])
            return self._passages

    def embeddings_of(self, doc_ids: Sequence[str]) -> tuple[list[str], list[str], np.ndarray]:
        """(passage ids, their doc ids, their vectors) for the given documents."""
        ids: list[str] = []
        docs: list[str] = []
        vecs: list[np.ndarray] = []
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            rows = self._query(
                "SELECT id, doc_id, embedding FROM passages "
                f"WHERE doc_id IN ({','.join('?' * len(part))}) ORDER BY doc_id, ordinal",
                part,
            )
            for r in rows:
                ids.append(r["id"])
                docs.append(r["doc_id"])
                vecs.append(np.frombuffer(r["embedding"], dtype=np.float32))
        matrix = np.vstack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)
        return ids, docs, matrix

    def embeddings_by_ids(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            rows = self._query(
                f"SELECT id, embedding FROM passages WHERE id IN ({','.join('?' * len(part))})",
                part,
            )
            out.update((r["id"], np.frombuffer(r["embedding"], dtype=np.float32)) for r in rows)
        return out

    def iter_all_embeddings(
        self, batch: int = 2000
    ) -> Iterator[tuple[list[str], list[str], np.ndarray]]:
        last = ""
        while True:
            rows = self._query(
                "SELECT id, doc_id, embedding FROM passages WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch),
            )
            if not rows:
                return
            last = rows[-1]["id"]
            yield (
                [r["id"] for r in rows],
                [r["doc_id"] for r in rows],
                np.vstack([np.frombuffer(r["embedding"], dtype=np.float32) for r in rows]),
            )

    def sample_passages(self, n: int) -> list[tuple[str, np.ndarray]]:
        """Random passages with their vectors, for checking the vector index's health."""
        rows = self._query(
            "SELECT id, embedding FROM passages WHERE rowid IN "
            "(SELECT rowid FROM passages ORDER BY random() LIMIT ?)",
            (n,),
        )
        return [(r["id"], np.frombuffer(r["embedding"], dtype=np.float32)) for r in rows]

    def mentions(self, fts: str, doc_ids: Sequence[str] | None = None) -> bool:
        """Whether any passage (or its document's title) matches the FTS5 query ``fts``."""
        sql = "SELECT 1 FROM passages_fts WHERE passages_fts MATCH ?"
        args: list[object] = [fts]
        if doc_ids is not None:
            if not doc_ids:
                return False
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            args.extend(doc_ids)
        return bool(self._query(sql + " LIMIT 1", args))

    def documents_matching(self, fts: str) -> int:
        """How many documents have a passage matching the FTS5 query ``fts``."""
        rows = self._query(
            "SELECT count(DISTINCT doc_id) AS n FROM passages_fts WHERE passages_fts MATCH ?", [fts]
        )
        return int(rows[0]["n"]) if rows else 0

    def keyword_search(
        self, text: str, limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[str]:
        """Passage ids ranked by BM25 on the exact words (best first). Title words count, at
        half weight."""
        return [pid for pid, _ in self.keyword_scores(query_words(text), limit, doc_ids)]

    def keyword_scores(
        self,
        words: Sequence[str],
        limit: int,
        doc_ids: Sequence[str] | None = None,
        *,
        phrases: Sequence[str] = (),
        stemmed: bool = False,
    ) -> list[tuple[str, float]]:
        """(passage id, BM25 score; higher is better), best first, for passages holding any of
        ``words`` or any of the ``phrases`` (word sequences that must stand together, such as
        an acronym's expansion). ``stemmed`` matches word forms ("restrictions" finds
        "restricted"); codes and numbers match exactly either way."""
        kept = self._without_common(list(words))
        if stemmed:  # the forms the stemmer keeps apart ("add", "added"), as the library has them
            kept += [f for w in kept for f in stems_apart(w, self._holds) if not self._common(f)]
        terms = [*dict.fromkeys(kept), *(p for p in phrases if p.strip())]
        if not terms:
            return []
        table = "passages_stem" if stemmed else "passages_fts"
        sql = f"SELECT passage_id, bm25({table}, 0.0, 0.0, 1.0, 0.5) AS score FROM {table} "
        sql += f"WHERE {table} MATCH ?"
        args: list[object] = [fts_query(terms)]
        if doc_ids is not None:
            if not doc_ids:
                return []
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            args.extend(doc_ids)
        sql += " ORDER BY score LIMIT ?"
        args.append(limit)
        # FTS5's bm25() is negative, more negative for a better match.
        return [(r["passage_id"], -float(r["score"])) for r in self._query(sql, args)]

    def _without_common(self, words: list[str]) -> list[str]:
        """``words`` less those held by more than COMMON_WORD_SHARE of the passages."""
        total = self.passage_count()
        if total < COMMON_WORD_MIN_PASSAGES or len(words) < 2:
            return words
        kept = [w for w in words if self._passages_holding(w) <= total * COMMON_WORD_SHARE]
        return kept or words

    def _common(self, word: str) -> bool:
        """Whether ``word`` is in more than COMMON_WORD_SHARE of a large library's passages."""
        total = self.passage_count()
        return total >= COMMON_WORD_MIN_PASSAGES and (
            self._passages_holding(word) > total * COMMON_WORD_SHARE
        )

    def _holds(self, word: str) -> bool:
        return self._passages_holding(word) > 0

    def _passages_holding(self, word: str) -> int:
        with self._lock:
            if word not in self._holding:
                rows = self._query("SELECT doc FROM passages_vocab WHERE term = ?", (word,))
                self._holding[word] = int(rows[0]["doc"]) if rows else 0
            return self._holding[word]
