"""A briefing as data: sections of claims, each claim with its citations and its support check.

The drafting engine fills a Briefing claim by claim and saves it after each one, the desktop
shows and edits it, and the exporter turns it into Word. It is stored as JSON, written
atomically, so a crash leaves either the previous save or the new one.

Glossary: a Claim is one sentence of the briefing; a Citation points from a claim to one
Passage of one Document (with the locator, e.g. the page, and the quoted text); a
SupportCheck (the checker's verdict, rag.checking.verdict) records whether the cited passages
say what the claim says.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.briefs.titles import title_from_topic
from rag.checking.verdict import GAP_REASON, SupportCheck
from rag.core.atomic import write_text_atomic
from rag.core.errors import BriefDeskError
from rag.core.types import Locator

if TYPE_CHECKING:
    from rag.briefs.templates import Template

FORMAT_VERSION = 1

# "insufficient": the library lacks evidence for the section; "unwritten": evidence was found
# but no drafted claim could be kept (the note says why).
SECTION_STATUSES = (
    "pending",
    "drafting",
    "done",
    "insufficient",
    "unwritten",
    "cancelled",
    "failed",
)
FINISHED_STATUSES = ("done", "insufficient", "unwritten")  # drafting ended as it should
INSUFFICIENT_NOTE = "Not enough evidence in the library for this section."


class BriefingError(BriefDeskError):
    """A saved briefing cannot be read."""


@dataclass
class Citation:
    """One passage a claim rests on, with what is needed to print a reference to it."""

    passage_id: str
    doc_id: str
    locator: Locator
    quote: str
    doc_title: str
    publisher: str
    published: str
    url: str = ""  # only from the source's own metadata, never made up

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["locator"] = self.locator.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        fields = {k: data[k] for k in _CITATION_TEXT_FIELDS if k in data}
        return cls(locator=Locator.from_dict(data.get("locator") or {}), **fields)


_CITATION_TEXT_FIELDS = (
    "passage_id",
    "doc_id",
    "quote",
    "doc_title",
    "publisher",
    "published",
    "url",
)


@dataclass
class Claim:
    """One sentence of the briefing and the passages it cites."""

    id: str
    text: str
    citations: list[Citation]
    check: SupportCheck
    edited: bool = False  # the analyst changed the text by hand
    # How many documents state the facts it rests on (wire copies of one report count each).
    corroboration: int = 0

    @property
    def sources(self) -> int:
        """Documents behind the claim: the corroboration count, or its cited documents."""
        return max(self.corroboration, len({c.doc_id for c in self.citations}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "check": asdict(self.check),
            "edited": self.edited,
            "corroboration": self.corroboration,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        citations = [Citation.from_dict(c) for c in data.get("citations", [])]
        return cls(
            id=data["id"],
            text=data["text"],
            citations=citations,
            check=_check_from(data.get("check"), cited=bool(citations)),
            edited=bool(data.get("edited", False)),
            # Files from before the count was kept: the documents it cites.
            corroboration=int(data.get("corroboration", len({c.doc_id for c in citations}))),
        )


def _check_from(data: dict[str, Any] | None, *, cited: bool) -> SupportCheck:
    """The stored verdict. Files from before gaps had their own status stored a template gap
    as "supported" with no citation: it is read as the gap it is, never as a checked fact."""
    if not data:
        return SupportCheck.unchecked()
    check = SupportCheck(**data)
    if check.status == "supported" and not cited and GAP_REASON in check.reasons:
        check.status = "gap"
    return check


@dataclass
class Section:
    """A section of the briefing, as drafted so far."""

    key: str
    title: str
    kind: str
    status: str  # one of SECTION_STATUSES
    claims: list[Claim]
    note: str = ""  # shown instead of (or after) the claims, e.g. INSUFFICIENT_NOTE

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "claims": [c.to_dict() for c in self.claims],
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        return cls(
            key=data["key"],
            title=data["title"],
            kind=data.get("kind", "claims"),
            status=data.get("status", "pending"),
            claims=[Claim.from_dict(c) for c in data.get("claims", [])],
            note=data.get("note", ""),
        )


@dataclass
class Briefing:
    """A whole briefing: what was asked, with which template and model, and what was drafted."""

    id: str
    topic: str
    template_id: str
    template_name: str
    created: str  # ISO timestamp, UTC
    updated: str  # ISO timestamp, UTC; set by save()
    model: str
    settings: dict[str, Any]
    sections: list[Section]
    stats: dict[str, Any]
    title: str = ""  # short, made from the topic (rag.briefs.titles)
    subtitle: str = ""  # the analyst's question as they asked it

    # ----------------------------------------------------------------- reading order

    def sections_in_reading_order(self) -> list[Section]:
        """The bottom line first (it leads the document wherever the template put it), then
        the other sections in template order. Export prints them in this order."""
        bottom = [s for s in self.sections if s.kind == "bottom_line"]
        return bottom + [s for s in self.sections if s.kind != "bottom_line"]

    def claims_in_order(self, *, skip_unsupported: bool = False) -> Iterator[Claim]:
        for section in self.sections_in_reading_order():
            for claim in section.claims:
                if not (skip_unsupported and not claim.check.established):
                    yield claim

    def citations_in_order(self, *, skip_unsupported: bool = False) -> list[Citation]:
        """Distinct passages in order of first use: the numbering of references in export.

        ``skip_unsupported`` leaves out claims not verified (unsupported or never checked),
        for an export that omits them, so that the numbers printed have no gaps.
        """
        return unique_citations(self.claims_in_order(skip_unsupported=skip_unsupported))

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    # ----------------------------------------------------------------- storage

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "id": self.id,
            "topic": self.topic,
            "template_id": self.template_id,
            "template_name": self.template_name,
            "created": self.created,
            "updated": self.updated,
            "model": self.model,
            "settings": self.settings,
            "sections": [s.to_dict() for s in self.sections],
            "stats": self.stats,
            "title": self.title,
            "subtitle": self.subtitle,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Briefing:
        version = d.get("format", FORMAT_VERSION)
        if version > FORMAT_VERSION:
            raise BriefingError(
                f"this briefing was saved by a newer BriefDesk (format {version}); "
                "update BriefDesk to open it"
            )
        try:
            return cls(
                id=d["id"],
                topic=d["topic"],
                template_id=d["template_id"],
                template_name=d.get("template_name", d["template_id"]),
                created=d["created"],
                updated=d.get("updated", d["created"]),
                model=d.get("model", ""),
                settings=dict(d.get("settings", {})),
                sections=[Section.from_dict(s) for s in d.get("sections", [])],
                stats=dict(d.get("stats", {})),
                # Briefings saved before titles existed get one from their topic.
                title=d.get("title") or title_from_topic(d["topic"]),
                subtitle=d.get("subtitle", d["topic"]),
            )
        except (KeyError, TypeError) as exc:
            raise BriefingError(f"the briefing file is incomplete or damaged ({exc})") from exc

    def save(self, path: Path) -> None:
        """Write atomically: a crash during save leaves the previous version intact."""
        self.updated = _now()
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        write_text_atomic(Path(path), text + "\n")

    @classmethod
    def load(cls, path: Path) -> Briefing:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BriefingError(f"{path.name}: cannot be read ({exc.strerror})") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BriefingError(f"{path.name}: not a BriefDesk briefing ({exc})") from exc
        if not isinstance(data, dict):
            raise BriefingError(f"{path.name}: not a BriefDesk briefing")
        return cls.from_dict(data)


def unique_citations(claims: Iterable[Claim]) -> list[Citation]:
    """Citations de-duplicated by passage, in order of first use."""
    seen: set[str] = set()
    ordered: list[Citation] = []
    for claim in claims:
        for citation in claim.citations:
            if citation.passage_id not in seen:
                seen.add(citation.passage_id)
                ordered.append(citation)
    return ordered


def new_id() -> str:
    return uuid.uuid4().hex


def new_briefing(topic: str, template: Template, model: str, settings: dict[str, Any]) -> Briefing:
    """An empty briefing for ``topic``: every section of ``template`` present and pending."""
    now = _now()
    return Briefing(
        id=new_id(),
        topic=topic,
        template_id=template.id,
        template_name=template.name,
        created=now,
        updated=now,
        model=model,
        settings=dict(settings),
        sections=[
            Section(key=s.key, title=s.title, kind=s.kind, status="pending", claims=[])
            for s in template.sections
        ],
        stats={},
        title=title_from_topic(topic),
        subtitle=topic,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
