"""Typed settings that describe themselves.

Every field carries a label and a help text in its metadata; the CLI and the desktop settings
dialog read them from here, so there is one source of truth for what a setting means.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from rag.core import paths
from rag.core.atomic import write_text_atomic


def setting(default: Any, label: str, help: str, **extra: Any) -> Any:
    return field(default=default, metadata={"label": label, "help": help, **extra})


@dataclass
class ModelSettings:
    model: str = setting(
        "default",
        "Drafting model",
        "Which GGUF model drafts briefings: 'default', 'small', a registered name, or a path.",
    )
    n_ctx: int = setting(
        8192, "Context length", "Tokens the model can attend to; 0 uses the model's own limit."
    )
    n_threads: int = setting(0, "Threads", "CPU threads for the model; 0 picks the core count.")
    server: str = setting(
        "",
        "Model server",
        "URL of an OpenAI-compatible model server (python -m llama_cpp.server, or llama.cpp's "
        "llama-server), e.g. http://10.0.0.5:8080. Empty runs the model above in this process.",
        placeholder="In this process",
    )


@dataclass
class LibrarySettings:
    path: str = setting(
        "", "Library folder", "Where the library lives; empty uses the data folder."
    )
    server: str = setting(
        "",
        "Chroma server",
        "URL of a shared team library on a Chroma server (chroma run), e.g. "
        "http://10.0.0.5:8000. Empty keeps the library in the folder above, on this computer.",
        placeholder="None: the library is on this computer",
    )
    name: str = setting(
        "briefdesk",
        "Shared library name",
        "Which library on the Chroma server (one server can hold several): letters, digits, "
        "dots, dashes and underscores.",
    )
    max_file_mb: int = setting(
        200, "Largest file (MB)", "Files larger than this are refused on import.", minimum=1
    )
    read_timeout_s: int = setting(
        60,
        "Time limit per file or scanned page (s)",
        "Reading one file on import stops after this many seconds and the file is reported as "
        "malformed; the rest of the batch goes on. A scan gets this long for each page it "
        "recognises.",
        minimum=1,
    )
    read_memory_mb: int = setting(
        1024,
        "Memory limit per file (MB)",
        "Reading one file on import may use at most this much memory (not enforced on "
        "Windows); a file that needs more is refused as a likely decompression bomb. The text "
        "recognition engine for scans is not counted.",
        minimum=128,
    )


@dataclass
class ExportSettings:
    author: str = setting("", "Author", "Printed in the title block of exported briefings.")
    marking: str = setting(
        "UNCLASSIFIED // FOR INTERNAL USE",
        "Handling marking",
        "Printed at the top of every exported page.",
    )
    citation_style: str = setting(
        "footnotes",
        "Citations",
        "Word footnotes, or numbered references with a source list.",
        choices=("footnotes", "references"),
    )
    unsupported: str = setting(
        "mark",
        "Unsupported claims",
        "Claims whose sources do not support them: mark them visibly, or leave them out.",
        choices=("mark", "omit"),
    )


@dataclass
class DraftingSettings:
    # "drop": a briefing states only what its sources were checked to say; how many claims
    # were left out is noted in their section, and "mark" shows them flagged instead.
    failed_claims: str = setting(
        "drop",
        "Claims that fail the check",
        "A drafted claim whose cited sentences do not say what it says: drop it from the "
        "draft (its section notes how many were left out), or show it marked as unsupported, "
        "so you can see and fix it.",
        choices=("mark", "drop"),
    )


@dataclass
class Settings:
    model: ModelSettings = field(default_factory=ModelSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    drafting: DraftingSettings = field(default_factory=DraftingSettings)
    export: ExportSettings = field(default_factory=ExportSettings)

    def draft_settings(self, model_name: str, n_ctx: int) -> dict[str, Any]:
        """What a draft records of the settings it ran with, and the ones it obeys."""
        return {
            "model": model_name,
            "n_ctx": n_ctx,
            "failed_claims": self.drafting.failed_claims,
        }

    def library_dir(self) -> Path:
        return (
            Path(self.library.path).expanduser()
            if self.library.path
            else paths.default_library_dir()
        )

    def library_location(self) -> tuple[str, ...]:
        """What identifies the library these settings open: a change means reopening it."""
        if self.library.server:
            return ("server", self.library.server.rstrip("/"), self.library.name)
        return ("folder", str(self.library_dir()))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Build settings from JSON, keeping defaults for anything unknown or of the wrong type.

        A settings file edited by hand must never stop the app from starting.
        """
        out = cls()
        for group in fields(cls):
            section = getattr(out, group.name)
            given = data.get(group.name)
            if not isinstance(given, dict):
                continue
            for f in fields(section):
                if f.name in given and _same_type(given[f.name], f.default):
                    setattr(section, f.name, given[f.name])
        return out


def _same_type(value: Any, default: Any) -> bool:
    if default is MISSING:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    return isinstance(value, type(default))


def load_settings(path: Path | None = None) -> Settings:
    path = path or paths.settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return Settings()
    return Settings.from_dict(data) if isinstance(data, dict) else Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    write_text_atomic(path or paths.settings_path(), json.dumps(settings.to_dict(), indent=2))
