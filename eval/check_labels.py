"""Check the evaluation labels against the evaluation library.

Usage::

    .venv/bin/python eval/check_labels.py

Every labelled sentence in ``eval/retrieval.json`` (search questions) and ``eval/topics.json``
(briefing topics) must occur verbatim, up to whitespace, in the text of the file it names.
File names are those ``eval/build_corpus.py`` writes; a rendered PDF or DOCX is checked
against its plain-text source in ``eval/corpus/long/``, and a saved web page against its
visible text. It then builds the library into a temporary folder and checks that each label
in a rendered PDF lies on one page (a sentence cut by a page break, with the page footer in
between, cannot be matched to one passage) and that each DOCX label survives rendering.
The script also checks the shape of both files (ids, splits, kinds of topic)
and that the document table in ``eval/corpus/README.md`` lists exactly the built files.

Exits 1 and prints every problem when anything is wrong, so a label that drifts from its
document is caught before it silently lowers a score.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_corpus  # a sibling script, not a package

EVAL = Path(__file__).resolve().parent
RETRIEVAL = EVAL / "retrieval.json"
TOPICS = EVAL / "topics.json"
SPLITS = {"tune", "test"}
TEMPLATES = {"situation-brief", "timeline", "actor-profile"}
MIN_QUESTIONS = 90
MIN_TOPICS = 14


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _VisibleText(HTMLParser):
    """The text a reader of a saved page sees: no tags, no script/style, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def document_text(name: str) -> str:
    path = build_corpus.source_of(name)
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        parser = _VisibleText()
        parser.feed(raw)
        raw = "".join(parser.parts)
    return normalise(raw)


def rendered_units(path: Path) -> list[str]:
    """What a reader gets from a rendered file: one text per PDF page, or the whole DOCX."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return [normalise(page.extract_text() or "") for page in PdfReader(path).pages]
    import docx

    return [normalise(" ".join(p.text for p in docx.Document(str(path)).paragraphs))]


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.files = set(build_corpus.output_names())
        self._texts: dict[str, str] = {}
        self.rendered_labels: list[tuple[str, str, str]] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def sentence(self, where: str, label: object) -> None:
        if not isinstance(label, dict) or set(label) != {"file", "sentence"}:
            self.fail(where, f"a label must be {{file, sentence}}, got {label!r}")
            return
        name, sentence = label["file"], label["sentence"]
        if name not in self.files:
            self.fail(where, f"no such file in the built library: {name!r}")
            return
        if name not in self._texts:
            self._texts[name] = document_text(name)
        if not sentence.strip():
            self.fail(where, f"empty sentence for {name}")
        elif normalise(sentence) not in self._texts[name]:
            self.fail(where, f"sentence not found in {name}: {sentence[:90]!r}")
        elif name.startswith("long/"):
            self.rendered_labels.append((where, name, normalise(sentence)))

    def rendered(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            build_corpus.build(out)
            units = {name: rendered_units(out / name) for _, name, _ in self.rendered_labels}
        for where, name, sentence in self.rendered_labels:
            if not any(sentence in unit for unit in units[name]):
                self.fail(where, f"not on one page of rendered {name}: {sentence[:90]!r}")

    def ids(self, kind: str, items: list[dict], pattern: str) -> None:
        seen: set[str] = set()
        for item in items:
            item_id = item.get("id", "")
            if not re.fullmatch(pattern, item_id):
                self.fail(kind, f"bad id {item_id!r}")
            if item_id in seen:
                self.fail(kind, f"duplicate id {item_id!r}")
            seen.add(item_id)
            if item.get("split") not in SPLITS:
                self.fail(item_id, f"split must be tune or test, got {item.get('split')!r}")

    def retrieval(self, questions: list[dict]) -> None:
        if len(questions) < MIN_QUESTIONS:
            self.fail("retrieval.json", f"{len(questions)} questions, want >= {MIN_QUESTIONS}")
        self.ids("retrieval.json", questions, r"[qh]\d{3}")  # h: the held-out test split
        for q in questions:
            if not q.get("question", "").strip():
                self.fail(q.get("id", "?"), "empty question")
            if not q.get("answers"):
                self.fail(q.get("id", "?"), "no answers")
            for answer in q.get("answers", []):
                self.sentence(q.get("id", "?"), answer)

    def topics(self, topics: list[dict]) -> None:
        if len(topics) < MIN_TOPICS:
            self.fail("topics.json", f"{len(topics)} topics, want >= {MIN_TOPICS}")
        self.ids("topics.json", topics, r"t\d{2}")
        for t in topics:
            where = t.get("id", "?")
            if t.get("template") not in TEMPLATES:
                self.fail(where, f"unknown template {t.get('template')!r}")
            phrasings = t.get("phrasings", [])
            if not phrasings or not all(isinstance(p, str) and p.strip() for p in phrasings):
                self.fail(where, "phrasings must be non-empty strings")
            if t.get("answerable") is True:
                if len(phrasings) != 3:
                    self.fail(where, "an answerable topic has three phrasings")
                facts = t.get("must_cover", [])
                if not 4 <= len(facts) <= 6:
                    self.fail(where, f"{len(facts)} must-cover facts, want 4 to 6")
                for n, fact in enumerate(facts, 1):
                    if not fact.get("fact", "").strip() or not fact.get("sentences"):
                        self.fail(f"{where} fact {n}", "needs a fact and its sentences")
                    for label in fact.get("sentences", []):
                        self.sentence(f"{where} fact {n}", label)
            elif t.get("answerable") is False:
                if len(phrasings) not in (1, 3):
                    self.fail(where, "an unanswerable topic has one or three phrasings")
                if not t.get("why", "").strip():
                    self.fail(where, "an unanswerable topic says why")
                if t.get("must_cover"):
                    self.fail(where, "an unanswerable topic has nothing to cover")
            else:
                self.fail(where, "answerable must be true or false")
        for split in sorted(SPLITS):
            kinds = {t.get("answerable") for t in topics if t.get("split") == split}
            if kinds != {True, False}:
                self.fail("topics.json", f"the {split} split needs both kinds of topic")

    def readme(self) -> None:
        text = (build_corpus.CORPUS / "README.md").read_text(encoding="utf-8")
        listed = set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.M))
        for name in sorted(self.files - listed):
            self.fail("corpus/README.md", f"built file not listed: {name}")
        for name in sorted(listed - self.files):
            self.fail("corpus/README.md", f"listed file not built: {name}")


def main() -> int:
    checker = Checker()
    checker.readme()
    counts = []
    if RETRIEVAL.exists():
        questions = json.loads(RETRIEVAL.read_text(encoding="utf-8"))
        checker.retrieval(questions)
        counts.append(f"{len(questions)} questions")
    if TOPICS.exists():
        topics = json.loads(TOPICS.read_text(encoding="utf-8"))
        checker.topics(topics)
        counts.append(f"{len(topics)} topics")
    checker.rendered()
    for problem in checker.problems:
        print(problem)
    summary = ", ".join(counts) or "no label files"
    if checker.problems:
        print(f"{len(checker.problems)} problem(s) in {summary}")
        return 1
    print(f"ok: {summary}, {len(checker.files)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
