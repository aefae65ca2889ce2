"""Importing files into a library: the events it yields and how a batch of paths is expanded.

The work itself is ``Library.import_paths``; this module holds what the CLI and the desktop app
need to follow it (events) and the walk over files and folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.core.types import Document
from rag.reading.readers import SUPPORTED_EXTENSIONS


@dataclass(frozen=True)
class ImportStarted:
    total: int
    skipped: int  # files inside dropped folders that are not a supported type


@dataclass(frozen=True)
class FileStarted:
    index: int  # 1-based
    total: int
    path: Path


@dataclass(frozen=True)
class FileProgress:
    """Progress inside one file, for long ones (a 300-page PDF spends seconds embedding)."""

    index: int
    total: int
    path: Path
    stage: str  # "reading", "embedding", "saving"
    done: int
    of: int


@dataclass(frozen=True)
class FileImported:
    index: int
    total: int
    path: Path
    document: Document


@dataclass(frozen=True)
class FileDuplicate:
    index: int
    total: int
    path: Path
    document: Document  # the copy already in the library


@dataclass(frozen=True)
class FileFailed:
    index: int
    total: int
    path: Path
    reason: str


@dataclass(frozen=True)
class ImportFinished:
    imported: list[Document] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    skipped: int = 0
    cancelled: bool = False


ImportEvent = (
    ImportStarted
    | FileStarted
    | FileProgress
    | FileImported
    | FileDuplicate
    | FileFailed
    | ImportFinished
)


@dataclass(frozen=True)
class Expanded:
    files: list[Path]
    skipped: int


def expand_paths(paths: Iterable[Path]) -> Expanded:
    """Files named directly, plus supported files found under named folders (recursively).

    A file named directly is always tried, so an unsupported type gets its reason; inside a
    folder, other types (images, spreadsheets) are counted as skipped instead of failing.
    Symbolic links are followed, but each real folder is visited once, so a link loop ends.
    """
    files: list[Path] = []
    seen_files: set[str] = set()
    skipped = 0

    def add(p: Path) -> None:
        key = os.path.realpath(p)
        if key not in seen_files:
            seen_files.add(key)
            files.append(p)

    for path in paths:
        path = Path(path)
        if not path.is_dir():
            add(path)
            continue
        seen_dirs: set[str] = set()
        for root, dirs, names in os.walk(path, followlinks=True):
            real = os.path.realpath(root)
            if real in seen_dirs:
                dirs[:] = []
                continue
            seen_dirs.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith(".") or name.startswith("~$"):
                    continue  # hidden files and Office lock files
                p = Path(root) / name
                if p.suffix.lower() in SUPPORTED_EXTENSIONS:
                    add(p)
                else:
                    skipped += 1
    return Expanded(files, skipped)
