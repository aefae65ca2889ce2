"""What the app's jobs do: plain functions over rag's public API, run on a worker thread.

Nothing here knows about threads or widgets (``desktop.workers`` runs these functions,
``desktop.backend`` says which worker runs which). Each function takes the ``Session`` (the
open library and how to get a model) and, for long work, a ``JobContext`` to report progress
and see cancellation.

Objects handed back to the GUI thread are never shared with work still running here: drafting
keeps mutating its briefing, so every event carries a copy.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.api import (
    BriefDeskError,
    Briefing,
    Claim,
    DetailsRead,
    Document,
    Hit,
    ImportFinished,
    LibraryError,
    Passage,
    Settings,
    recheck_claim,
)

if TYPE_CHECKING:
    from desktop.workers import JobContext
    from rag.api import ChatModel, GGUFInfo, Library

ModelOpener = Callable[[Settings], "ChatModel"]


def open_model_from_settings(settings: Settings) -> ChatModel:
    from rag.api import open_chat_model

    return open_chat_model(None, settings)


class Session:
    """The library the app has open and the way it gets its drafting model.

    The writer worker opens, writes and closes the library; the reader worker only reads it,
    under ``lock``, so that closing never pulls the library from under a search.
    """

    def __init__(self, model_opener: ModelOpener | None = None) -> None:
        self.lock = threading.Lock()
        self.library: Library | None = None
        self.model_opener: ModelOpener = model_opener or open_model_from_settings
        self._trash: Path | None = None  # copies of removed documents, for undo

    def require(self) -> Library:
        library = self.library
        if library is None:
            raise LibraryError("No library is open.")
        return library

    def trash(self) -> Path:
        if self._trash is None:
            self._trash = Path(tempfile.mkdtemp(prefix="briefdesk-undo-"))
        return self._trash

    def close(self) -> None:
        with self.lock:
            library, self.library = self.library, None
        if library is not None:
            library.close()
        if self._trash is not None:
            shutil.rmtree(self._trash, ignore_errors=True)
            self._trash = None


# -- the library -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryOpened:
    folder: Path
    documents: list[Document]
    notices: list[str]
    briefings: list[BriefingSummary]
    location: str = ""  # for people: the folder, or the Chroma server and library name


def open_library(session: Session, folder: Path | None, settings: Settings) -> LibraryOpened:
    from rag.api import open_library as open_rag_library  # chromadb: never on the GUI thread

    session.close()
    library = open_rag_library(folder, settings)
    with session.lock:
        session.library = library
    return LibraryOpened(
        library.folder, library.documents(), list(library.notices), briefing_summaries(session),
        library.location,
    )  # fmt: skip


def close_library(session: Session) -> None:
    session.close()


def documents(session: Session) -> list[Document]:
    return session.require().documents()


def import_paths(session: Session, paths: Sequence[Path], ctx: JobContext) -> ImportFinished:
    """Import files and folders; each rag.reading.ingest event goes to the GUI as it happens."""
    finished = ImportFinished()
    for event in session.require().import_paths([Path(p) for p in paths], ctx.cancel):
        ctx.emit(event)
        if isinstance(event, ImportFinished):
            finished = event
    return finished


def read_details_again(
    session: Session, doc_ids: Sequence[str] | None, ctx: JobContext
) -> DetailsRead:
    """Read documents again for their details; progress goes to the GUI as it happens. The
    result only proposes: nothing in the library changes here."""
    found = DetailsRead()
    for event in session.require().read_details_again(doc_ids, ctx.cancel):
        if isinstance(event, DetailsRead):
            found = event
        else:
            ctx.emit(event)
    return found


def update_documents(
    session: Session,
    changes: dict[str, dict[str, str]],
    date_sources: dict[str, str] | None = None,
) -> tuple[list[Document], list[str]]:
    """Apply several documents' edits; one that left the library meanwhile is named, not
    fatal. A date read from a file is applied with where it was read (``date_sources``), not
    as the analyst's. Returns the documents as saved and the ids of those that were gone."""
    saved, gone = [], []
    library = session.require()
    sources = date_sources or {}
    for doc_id, fields in changes.items():
        try:
            saved.append(library.update_document(doc_id, date_source=sources.get(doc_id), **fields))
        except KeyError:
            gone.append(doc_id)
    return saved, gone


def update_document(session: Session, doc_id: str, changes: dict[str, str]) -> Document:
    try:
        return session.require().update_document(doc_id, **changes)
    except KeyError:
        raise LibraryError("That document is no longer in the library.") from None


@dataclass(frozen=True)
class RemovedDocument:
    """A removed document and a copy of its file, so that the removal can be undone."""

    document: Document
    copy: Path | None  # None: imported into a shared library elsewhere, no original here


def remove_documents(
    session: Session, doc_ids: Sequence[str], removed: list[RemovedDocument]
) -> list[RemovedDocument]:
    """Remove documents, keeping a copy of each file in ``removed`` for undo. ``removed`` is
    filled here, on the writer, so that an undo queued right behind always finds it."""
    library = session.require()
    for doc_id in doc_ids:
        doc = library.document(doc_id)
        kept = None
        if doc.stored_path and Path(doc.stored_path).is_file():
            kept = session.trash() / doc.id / doc.filename
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(doc.stored_path, kept)
        library.remove_document(doc.id)
        removed.append(RemovedDocument(doc, kept))
    return list(removed)


def restore_documents(session: Session, removed: list[RemovedDocument]) -> list[Document]:
    """Undo removals: import each kept copy again and put back what the analyst had edited."""
    library = session.require()
    restored = []
    while removed:
        item = removed.pop()
        if item.copy is None:
            raise LibraryError(
                f"“{item.document.title}” cannot be restored here: it was imported into the "
                "shared library on another computer, which keeps its original file. Import "
                "the file again from there."
            )
        for event in library.import_paths([item.copy]):
            if isinstance(event, ImportFinished) and event.failed:
                raise LibraryError(f"Could not restore the document: {event.failed[0][1]}")
        doc = item.document
        restored.append(
            library.update_document(
                doc.id,
                title=doc.title,
                publisher=doc.publisher,
                published=doc.published,
                author=doc.author,
                tags=doc.tags,
            )
        )
    return restored


# -- reading: search, passages, briefings ------------------------------------------------------


def search(session: Session, query: str, k: int) -> tuple[str, list[Hit]]:
    with session.lock:
        library = session.require()
        return query, library.search(query, k)


def passages(session: Session, passage_ids: Sequence[str]) -> dict[str, Passage | None]:
    with session.lock:
        library = session.require()
        return {pid: library.passage(pid) for pid in passage_ids}


def recheck(session: Session, claim: Claim, text: str) -> Claim:
    with session.lock:
        return recheck_claim(session.require(), claim, text)


@dataclass(frozen=True)
class BriefingSummary:
    """One line of the list of saved briefings."""

    id: str
    topic: str
    template_name: str
    updated: str
    claims: int
    unfinished: bool


def briefing_summaries(session: Session) -> list[BriefingSummary]:
    from rag.api import list_briefings

    with session.lock:
        library = session.require()
        found = list_briefings(library)
    return [
        BriefingSummary(
            b.id,
            b.topic,
            b.template_name,
            b.updated,
            sum(len(s.claims) for s in b.sections),
            any(s.status in UNFINISHED for s in b.sections),
        )
        for b in found
    ]


UNFINISHED = ("pending", "drafting", "cancelled", "failed")


def load_briefing(session: Session, briefing_id: str) -> Briefing:
    from rag.api import briefing_path

    with session.lock:
        path = briefing_path(session.require(), briefing_id)
    return Briefing.load(path)


def save_briefing(session: Session, briefing: Briefing) -> str:
    """Save the analyst's edits; returns the time saved."""
    from rag.api import briefing_path

    briefing.save(briefing_path(session.require(), briefing.id))
    return briefing.updated


# -- drafting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelLoading:
    """Emitted before the model loads: the first draft waits for it, sometimes for seconds."""

    choice: str


@dataclass
class DraftRequest:
    topic: str
    template_id: str
    settings: Settings
    briefing: Briefing | None = None  # with sections: redraft only these
    sections: list[str] | None = None
    doc_ids: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def draft(session: Session, request: DraftRequest, ctx: JobContext) -> Briefing:
    """Draft (or redraft sections of) a briefing; every rag.drafting.engine event reaches the GUI
    as a copy. Returns the briefing as saved, cancelled or not."""
    from rag.api import (
        ClaimAdded,
        DraftFinished,
        DraftStarted,
        SectionDone,
        SectionRevised,
        SectionStarted,
        get_template,
    )
    from rag.api import draft as run_draft

    library = session.require()
    template = get_template(request.template_id)
    ctx.emit(ModelLoading(request.settings.model.model))
    model = session.model_opener(request.settings)
    ctx.cancel.raise_if_cancelled()
    briefing = copy.deepcopy(request.briefing) if request.briefing is not None else None
    result: Briefing | None = None
    events = run_draft(
        library,
        model,
        template,
        request.topic,
        briefing=briefing,
        sections=request.sections,
        cancel=ctx.cancel,
        settings=request.settings.draft_settings(model.name, model.n_ctx),
        doc_ids=request.doc_ids,
        **request.extra,
    )
    for event in events:
        match event:
            case DraftStarted(briefing=b, sources=n):
                ctx.emit(DraftStarted(copy.deepcopy(b), n))
            case SectionStarted(index=i, total=n, section=s):
                ctx.emit(SectionStarted(i, n, copy.deepcopy(s)))
            case ClaimAdded(section=s, claim=c):
                # The section as it stands with this claim: its key is what the GUI needs.
                ctx.emit(ClaimAdded(_section_head(s), copy.deepcopy(c)))
            case SectionDone(section=s):
                ctx.emit(SectionDone(copy.deepcopy(s)))
            case SectionRevised(section=s):
                ctx.emit(SectionRevised(copy.deepcopy(s)))
            case DraftFinished(briefing=b):
                result = copy.deepcopy(b)
    if result is None:
        raise BriefDeskError("Drafting ended without a result.")
    return result


def _section_head(section: Any) -> Any:
    head = copy.copy(section)
    head.claims = []
    return head


# -- export and models -------------------------------------------------------------------------


def export(briefing: Briefing, out_path: Path, settings: Settings) -> Path:
    from rag.api import ExportOptions, export_docx

    s = settings.export
    options = ExportOptions(
        author=s.author,
        marking=s.marking,
        citation_style=s.citation_style,
        unsupported=s.unsupported,
    )
    return export_docx(briefing, out_path, options=options)


def model_info(path: Path) -> GGUFInfo:
    from rag.api import read_gguf_info

    return read_gguf_info(path)


def open_model_by_choice(choice: str) -> ModelOpener:
    """A model opener that ignores the settings' model for this session (``--model``)."""

    def opener(settings: Settings) -> ChatModel:
        from rag.api import open_chat_model

        return open_chat_model(choice, settings)

    return opener
