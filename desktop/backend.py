"""What controllers call to get work done: each method starts one operation on the right worker
and says what to call back on the GUI thread.

Which worker runs what is decided here and only here:

- the *writer* owns the library's writes and the model: opening the library, import, edits,
  removal, drafting, saving a briefing. One at a time, in the order asked.
- the *reader* runs short read-only jobs beside it: search, passages for the evidence pane,
  the list of saved briefings, export to Word, reading a GGUF header. A search typed while a
  draft runs for minutes answers at once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from desktop import operations as ops
from desktop.workers import JobHandle, Worker
from rag.api import Briefing, Claim, Settings

Callback = Callable[[Any], None] | None
ErrorCallback = Callable[[str], None] | None


class Backend(QObject):
    def __init__(
        self, model_opener: ops.ModelOpener | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = ops.Session(model_opener)
        # A model chosen at launch (``--model``, or a test's model) replaces the settings'
        # choice, so the settings' model file is not what drafting needs.
        self.model_from_settings = model_opener is None
        self.writer = Worker("briefdesk-writer", on_exit=self.session.close, parent=self)
        self.reader = Worker("briefdesk-reader", parent=self)

    def shutdown(self) -> None:
        """Cancel all work and join both threads. The reader goes first: it reads the library
        that the writer closes on its way out."""
        self.reader.shutdown()
        self.writer.shutdown()

    # -- the writer ---------------------------------------------------------------------------

    def open_library(
        self,
        folder: Path | None,
        settings: Settings,
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        return self.writer.submit(
            "open library",
            lambda ctx: ops.open_library(self.session, folder, settings),
            on_done=on_done,
            on_error=on_error,
        )

    def close_library(self, *, on_done: Callback = None) -> JobHandle:
        return self.writer.submit(
            "close library", lambda ctx: ops.close_library(self.session), on_done=on_done
        )

    def import_paths(
        self,
        paths: Sequence[Path],
        *,
        on_event: Callback = None,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        paths = list(paths)
        return self.writer.submit(
            "import",
            lambda ctx: ops.import_paths(self.session, paths, ctx),
            on_event=on_event,
            on_done=on_done,
            on_error=on_error,
        )

    def update_document(
        self,
        doc_id: str,
        changes: dict[str, str],
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        return self.writer.submit(
            "edit document",
            lambda ctx: ops.update_document(self.session, doc_id, changes),
            on_done=on_done,
            on_error=on_error,
        )

    def read_details_again(
        self,
        doc_ids: Sequence[str] | None,
        *,
        on_event: Callback = None,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        ids = list(doc_ids) if doc_ids is not None else None
        return self.writer.submit(
            "read details again",
            lambda ctx: ops.read_details_again(self.session, ids, ctx),
            on_event=on_event,
            on_done=on_done,
            on_error=on_error,
        )

    def update_documents(
        self,
        changes: dict[str, dict[str, str]],
        date_sources: dict[str, str] | None = None,
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        """Several documents' edits in one job: their details read again, or their undo."""
        copied = {doc_id: dict(fields) for doc_id, fields in changes.items()}
        sources = dict(date_sources or {})
        return self.writer.submit(
            "edit documents",
            lambda ctx: ops.update_documents(self.session, copied, sources),
            on_done=on_done,
            on_error=on_error,
        )

    def remove_documents(
        self,
        doc_ids: Sequence[str],
        removed: list[ops.RemovedDocument],
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        ids = list(doc_ids)
        return self.writer.submit(
            "remove documents",
            lambda ctx: ops.remove_documents(self.session, ids, removed),
            on_done=on_done,
            on_error=on_error,
        )

    def restore_documents(
        self,
        removed: list[ops.RemovedDocument],
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        return self.writer.submit(
            "restore documents",
            lambda ctx: ops.restore_documents(self.session, removed),
            on_done=on_done,
            on_error=on_error,
        )

    def documents(self, *, on_done: Callback = None) -> JobHandle:
        return self.writer.submit(
            "list documents", lambda ctx: ops.documents(self.session), on_done=on_done
        )

    def draft(
        self,
        request: ops.DraftRequest,
        *,
        on_event: Callback = None,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        return self.writer.submit(
            "draft",
            partial(ops.draft, self.session, request),
            on_event=on_event,
            on_done=on_done,
            on_error=on_error,
        )

    def save_briefing(
        self, briefing: Briefing, *, on_done: Callback = None, on_error: ErrorCallback = None
    ) -> JobHandle:
        return self.writer.submit(
            "save briefing",
            lambda ctx: ops.save_briefing(self.session, briefing),
            on_done=on_done,
            on_error=on_error,
        )

    # -- the reader ---------------------------------------------------------------------------

    def search(
        self, query: str, k: int = 12, *, on_done: Callback = None, on_error: ErrorCallback = None
    ) -> JobHandle:
        return self.reader.submit(
            "search",
            lambda ctx: ops.search(self.session, query, k),
            on_done=on_done,
            on_error=on_error,
        )

    def passages(
        self,
        passage_ids: Sequence[str],
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        ids = list(passage_ids)
        return self.reader.submit(
            "passages",
            lambda ctx: ops.passages(self.session, ids),
            on_done=on_done,
            on_error=on_error,
        )

    def recheck_claim(
        self, claim: Claim, text: str, *, on_done: Callback = None, on_error: ErrorCallback = None
    ) -> JobHandle:
        """Check an edited claim again against the passages it cites (embedding + reads)."""
        snapshot = copy.deepcopy(claim)
        return self.reader.submit(
            "check the edited claim",
            lambda ctx: ops.recheck(self.session, snapshot, text),
            on_done=on_done,
            on_error=on_error,
        )

    def briefings(self, *, on_done: Callback = None, on_error: ErrorCallback = None) -> JobHandle:
        return self.reader.submit(
            "list briefings",
            lambda ctx: ops.briefing_summaries(self.session),
            on_done=on_done,
            on_error=on_error,
        )

    def load_briefing(
        self, briefing_id: str, *, on_done: Callback = None, on_error: ErrorCallback = None
    ) -> JobHandle:
        return self.reader.submit(
            "open briefing",
            lambda ctx: ops.load_briefing(self.session, briefing_id),
            on_done=on_done,
            on_error=on_error,
        )

    def export(
        self,
        briefing: Briefing,
        out_path: Path,
        settings: Settings,
        *,
        on_done: Callback = None,
        on_error: ErrorCallback = None,
    ) -> JobHandle:
        return self.reader.submit(
            "export",
            lambda ctx: ops.export(briefing, out_path, settings),
            on_done=on_done,
            on_error=on_error,
        )

    def model_info(
        self, path: Path, *, on_done: Callback = None, on_error: ErrorCallback = None
    ) -> JobHandle:
        return self.reader.submit(
            "model info", lambda ctx: ops.model_info(path), on_done=on_done, on_error=on_error
        )
