"""The system's file dialogs, one function each, so that tests can replace them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

IMPORT_FILTER = (
    "Documents (*.pdf *.docx *.html *.htm *.txt *.md *.markdown *.png *.jpg *.jpeg *.tif *.tiff)"
    ";;Scanned pages (*.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"
)


def ask_import_files(parent: QWidget | None, folder: str) -> list[Path]:
    files, _ = QFileDialog.getOpenFileNames(parent, "Import documents", folder, IMPORT_FILTER)
    return [Path(f) for f in files]


def ask_import_folder(parent: QWidget | None, folder: str) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, "Import a folder of documents", folder)
    return Path(chosen) if chosen else None


def ask_save_path(parent: QWidget | None, proposed: Path) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(
        parent, "Export briefing to Word", str(proposed), "Word document (*.docx)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".docx" else path.with_name(path.name + ".docx")


def ask_gguf_file(parent: QWidget | None, folder: str) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Choose a GGUF model file", folder, "GGUF models (*.gguf);;All files (*)"
    )
    return Path(chosen) if chosen else None


def ask_folder(parent: QWidget | None, title: str, folder: str) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, title, folder)
    return Path(chosen) if chosen else None
