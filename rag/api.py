"""rag's public API: the whole of what the desktop app and the command line may use.

Both are clients of this module only (import-linter contracts in ``pyproject.toml`` hold them
to it), so the stages below can be reorganised without touching either. Everything here is
re-exported from the stage that owns it; nothing is implemented here.

Names load lazily, on first use: ``from rag.api import Document`` costs the data types only,
while ``open_library`` brings in Chroma and the embedding runtime (about a second), which the
desktop app therefore imports on a worker thread, never at start-up on the GUI thread.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rag import __version__

# name -> the module that defines it. Keep in step with the TYPE_CHECKING imports below, which
# are what type checkers, the import-linter contracts and PyInstaller's analysis of the frozen
# app see (tests/rag/test_api.py checks that the two agree).
_EXPORTS: dict[str, str] = {
    # errors
    "BriefDeskError": "rag.core.errors",
    "Cancelled": "rag.core.errors",
    "LibraryError": "rag.core.errors",
    "ModelMissingError": "rag.core.errors",
    "ReadError": "rag.core.errors",
    # data types and cancellation
    "CancelToken": "rag.core.types",
    "Document": "rag.core.types",
    "Hit": "rag.core.types",
    "LOW_CONFIDENCE": "rag.core.types",
    "Locator": "rag.core.types",
    "Passage": "rag.core.types",
    # settings and where files live
    "Settings": "rag.core.settings",
    "load_settings": "rag.core.settings",
    "save_settings": "rag.core.settings",
    "APP_NAME": "rag.core.paths",
    "assets_dir": "rag.core.paths",
    "data_home": "rag.core.paths",
    "default_library_dir": "rag.core.paths",
    "models_dir": "rag.core.paths",
    "crash_point": "rag.core.crashpoints",
    # the demo library and briefing
    "DEMO_QUERIES": "rag.core.demo",
    "DEMO_TEMPLATE": "rag.core.demo",
    "DEMO_TOPIC": "rag.core.demo",
    "demo_library_dir": "rag.core.demo",
    # a library: open, import (events), documents, search
    "Library": "rag.indexing.library",
    "DetailChange": "rag.indexing.details",
    "DetailsProgress": "rag.indexing.details",
    "DetailsRead": "rag.indexing.details",
    "open_library": "rag.opening",
    "ImportEvent": "rag.reading.ingest",
    "ImportStarted": "rag.reading.ingest",
    "FileStarted": "rag.reading.ingest",
    "FileProgress": "rag.reading.ingest",
    "FileImported": "rag.reading.ingest",
    "FileDuplicate": "rag.reading.ingest",
    "FileFailed": "rag.reading.ingest",
    "ImportFinished": "rag.reading.ingest",
    "normalize_date": "rag.reading.readers.dates",
    # briefings and templates
    "Briefing": "rag.briefs.briefing",
    "Section": "rag.briefs.briefing",
    "Claim": "rag.briefs.briefing",
    "Citation": "rag.briefs.briefing",
    "SupportCheck": "rag.checking.verdict",
    "Template": "rag.briefs.templates",
    "available_templates": "rag.briefs.templates",
    "get_template": "rag.briefs.templates",
    "template_problems": "rag.briefs.templates",
    # drafting, saved briefings, editing a claim
    "draft": "rag.drafting.engine",
    "DraftStarted": "rag.drafting.engine",
    "SectionStarted": "rag.drafting.engine",
    "ClaimAdded": "rag.drafting.engine",
    "SectionDone": "rag.drafting.engine",
    "SectionRevised": "rag.drafting.engine",
    "DraftFinished": "rag.drafting.engine",
    "briefing_path": "rag.drafting.engine",
    "list_briefings": "rag.drafting.engine",
    "recheck_claim": "rag.drafting.claim_edit",
    "show_edit": "rag.drafting.claim_edit",
    "take_recheck": "rag.drafting.claim_edit",
    "restore_edit": "rag.drafting.claim_edit",
    # Word export
    "ExportOptions": "rag.export.word",
    "export_docx": "rag.export.word",
    # models: which one, its file, the runtime; provisioning model files
    "ChatModel": "rag.models.protocol",
    "GGUFInfo": "rag.models.gguf",
    "read_gguf_info": "rag.models.gguf",
    "preload_runtime": "rag.models.local",
    "open_chat_model": "rag.models.choice",
}
# Modules exported whole: provisioning is a vocabulary of its own (install events, roles,
# the registry), used as ``provision.install(...)``, ``provision.Installed``.
_MODULES: dict[str, str] = {"provision": "rag.models.provision"}

__all__ = [
    "APP_NAME",
    "DEMO_QUERIES",
    "DEMO_TEMPLATE",
    "DEMO_TOPIC",
    "LOW_CONFIDENCE",
    "BriefDeskError",
    "Briefing",
    "CancelToken",
    "Cancelled",
    "ChatModel",
    "Citation",
    "Claim",
    "ClaimAdded",
    "DetailChange",
    "DetailsProgress",
    "DetailsRead",
    "Document",
    "DraftFinished",
    "DraftStarted",
    "ExportOptions",
    "FileDuplicate",
    "FileFailed",
    "FileImported",
    "FileProgress",
    "FileStarted",
    "GGUFInfo",
    "Hit",
    "ImportEvent",
    "ImportFinished",
    "ImportStarted",
    "Library",
    "LibraryError",
    "Locator",
    "ModelMissingError",
    "Passage",
    "ReadError",
    "Section",
    "SectionDone",
    "SectionRevised",
    "SectionStarted",
    "Settings",
    "SupportCheck",
    "Template",
    "__version__",
    "assets_dir",
    "available_templates",
    "briefing_path",
    "crash_point",
    "data_home",
    "default_library_dir",
    "demo_library_dir",
    "draft",
    "export_docx",
    "get_template",
    "list_briefings",
    "load_settings",
    "models_dir",
    "normalize_date",
    "open_chat_model",
    "open_library",
    "preload_runtime",
    "provision",
    "read_gguf_info",
    "recheck_claim",
    "restore_edit",
    "save_settings",
    "show_edit",
    "take_recheck",
    "template_problems",
]

if TYPE_CHECKING:
    from rag.briefs.briefing import Briefing, Citation, Claim, Section
    from rag.briefs.templates import Template, available_templates, get_template, template_problems
    from rag.checking.verdict import SupportCheck
    from rag.core.crashpoints import crash_point
    from rag.core.demo import DEMO_QUERIES, DEMO_TEMPLATE, DEMO_TOPIC, demo_library_dir
    from rag.core.errors import (
        BriefDeskError,
        Cancelled,
        LibraryError,
        ModelMissingError,
        ReadError,
    )
    from rag.core.paths import APP_NAME, assets_dir, data_home, default_library_dir, models_dir
    from rag.core.settings import Settings, load_settings, save_settings
    from rag.core.types import LOW_CONFIDENCE, CancelToken, Document, Hit, Locator, Passage
    from rag.drafting.claim_edit import recheck_claim, restore_edit, show_edit, take_recheck
    from rag.drafting.engine import (
        ClaimAdded,
        DraftFinished,
        DraftStarted,
        SectionDone,
        SectionRevised,
        SectionStarted,
        briefing_path,
        draft,
        list_briefings,
    )
    from rag.export.word import ExportOptions, export_docx
    from rag.indexing.details import DetailChange, DetailsProgress, DetailsRead
    from rag.indexing.library import Library
    from rag.models import provision
    from rag.models.choice import open_chat_model
    from rag.models.gguf import GGUFInfo, read_gguf_info
    from rag.models.local import preload_runtime
    from rag.models.protocol import ChatModel
    from rag.opening import open_library
    from rag.reading.ingest import (
        FileDuplicate,
        FileFailed,
        FileImported,
        FileProgress,
        FileStarted,
        ImportEvent,
        ImportFinished,
        ImportStarted,
    )
    from rag.reading.readers.dates import normalize_date


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'rag.api' has no attribute {name!r}")
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return __all__
