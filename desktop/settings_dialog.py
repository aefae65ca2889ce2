"""The settings dialog, generated from ``rag.core.settings``: every field's label, tooltip and help
line come from the field's own metadata, so the dialog and the settings never disagree.

Two fields get a richer editor than their type alone suggests: the drafting model (installed
models and any GGUF file, described from its header) and the library folder (a folder
picker). Everything else is a line edit, a spin box or a list of choices.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import Field, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import dialogs
from rag.api import Settings, provision

# What rag's metadata does not say (yet): group titles, what 0 means, friendly choice names.
GROUP_TITLES = {
    "model": "Model",
    "library": "Library",
    "drafting": "Drafting",
    "export": "Export to Word",
}
ZERO_LABELS = {"n_ctx": "The model's own limit", "n_threads": "Automatic (one per core)"}
CHOICE_LABELS = {
    "footnotes": "Word footnotes",
    "references": "Numbered references and a source list",
    "mark": "Mark them visibly",
    "drop": "Drop them from the draft",
    "omit": "Leave them out",
}
INT_STEPS = {"n_ctx": 1024}
OTHER_FILE = "__other__"

Describe = Callable[[Path, Callable[[Any], None]], None]


def size_label(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    return f"{size / (1 << 20):.0f} MB"


def describe_gguf(info: Any) -> str:
    """One line about a model file from its GGUF header."""
    parts = [info.name, size_label(info.file_size)]
    if info.quantization:
        parts.append(info.quantization)
    if info.context_length:
        parts.append(f"context {info.context_length:,} tokens")
    return " · ".join(parts)


class ModelPicker(QWidget):
    """The installed models, any GGUF file the analyst picks, and what each file is."""

    def __init__(self, value: str, describe: Describe, help_text: str) -> None:
        super().__init__()
        self._describe = describe
        self._asked = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.combo = QComboBox()
        self.combo.setToolTip(help_text)
        layout.addWidget(self.combo)
        self.info = QLabel()
        self.info.setObjectName("muted")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info)
        self._fill(value)
        self.combo.activated.connect(self._activated)
        self.combo.currentIndexChanged.connect(self._changed)
        self._changed()

    def _fill(self, value: str) -> None:
        installed = {m.role: m for m in provision.installed_models()}
        for role, word in (("default", "Default"), ("small", "Small, quick and rough")):
            model = installed.get(role)
            if model is not None:
                self.combo.addItem(f"{word}: {model.name} ({size_label(model.size)})", role)
            else:
                self.combo.addItem(f"{word} (not installed)", role)
        for model in provision.installed_models():
            if model.role == "user":
                self.combo.addItem(f"{model.name} ({size_label(model.size)})", model.name)
        if self.combo.findData(value) < 0:
            self.combo.addItem(value, value)
        self.combo.addItem("Other GGUF file…", OTHER_FILE)
        self.combo.setCurrentIndex(self.combo.findData(value))

    def value(self) -> str:
        return str(self.combo.currentData())

    def choose_file(self, path: Path) -> None:
        value = str(path)
        index = self.combo.findData(value)
        if index < 0:
            index = self.combo.count() - 1  # before "Other GGUF file…"
            self.combo.insertItem(index, path.name, value)
            self.combo.setItemData(index, value, Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(index)

    def _activated(self, index: int) -> None:
        if self.combo.itemData(index) != OTHER_FILE:
            return
        path = dialogs.ask_gguf_file(self, str(Path.home()))
        if path is None:
            self.combo.setCurrentIndex(0)
        else:
            self.choose_file(path)

    def _changed(self) -> None:
        value = self.value()
        if value == OTHER_FILE:
            return
        try:
            path = provision.gguf_path(value)
        except Exception as exc:  # ModelMissingError and friends: say what to do
            self.info.setText(str(exc))
            return
        self.info.setText("Reading the model file…")
        self._asked += 1
        asked = self._asked

        def described(result: Any) -> None:
            if asked == self._asked:
                self.info.setText(result if isinstance(result, str) else describe_gguf(result))

        self._describe(path, described)


class FolderPicker(QWidget):
    def __init__(self, value: str, placeholder: str, help_text: str) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(value)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setToolTip(help_text)
        self.edit.setClearButtonEnabled(True)
        button = QPushButton("Choose…")
        button.clicked.connect(self._choose)
        layout.addWidget(self.edit, 1)
        layout.addWidget(button)

    def value(self) -> str:
        return self.edit.text().strip()

    def _choose(self) -> None:
        start = self.value() or self.edit.placeholderText()
        chosen = dialogs.ask_folder(self, "Choose the library folder", start)
        if chosen is not None:
            self.edit.setText(str(chosen))


def _narrow(editor: QWidget) -> bool:
    """Spin boxes and lists of choices keep their own width; text fields take the row."""
    return isinstance(editor, QSpinBox | QComboBox | QCheckBox)


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, describe: Describe, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("BriefDesk settings")
        self.setMinimumWidth(620)
        self._sized = False
        self._settings = copy.deepcopy(settings)
        self._describe = describe
        self._alive = True
        self.editors: dict[tuple[str, str], Callable[[], Any]] = {}
        self.labels: dict[tuple[str, str], QLabel] = {}
        self.widgets: dict[tuple[str, str], QWidget] = {}
        layout = QVBoxLayout(self)
        for group in fields(Settings):
            section = getattr(self._settings, group.name)
            box = QGroupBox(GROUP_TITLES.get(group.name, group.name.replace("_", " ").title()))
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            for f in fields(section):
                self._add_field(form, group.name, f, getattr(section, f.name))
            layout.addWidget(box)
        note = QLabel(
            "Changes to the model, its context or its server take effect at the next draft; "
            "a new library folder or Chroma server opens at once."
        )
        note.setObjectName("muted")
        note.setWordWrap(True)  # one line of it was wider than the dialog, and was cut off
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _add_field(self, form: QFormLayout, group: str, f: Field, value: Any) -> None:
        meta = f.metadata
        label_text = meta.get("label", f.name.replace("_", " ").capitalize())
        help_text = meta.get("help", "")
        editor, getter = self._editor(group, f, value, help_text)
        label = QLabel(label_text)
        label.setToolTip(help_text)
        label.setBuddy(editor)
        field = QWidget()
        field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(
            editor, 0, Qt.AlignmentFlag.AlignLeft if _narrow(editor) else Qt.AlignmentFlag(0)
        )
        if help_text and not isinstance(editor, ModelPicker):
            hint = QLabel(help_text)
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            font = hint.font()
            font.setPointSizeF(font.pointSizeF() * 0.9)
            hint.setFont(font)
            column.addWidget(hint)
        form.addRow(label, field)
        self.editors[(group, f.name)] = getter
        self.labels[(group, f.name)] = label
        self.widgets[(group, f.name)] = editor

    def _editor(
        self, group: str, f: Field, value: Any, help_text: str
    ) -> tuple[QWidget, Callable[[], Any]]:
        meta = f.metadata
        if (group, f.name) == ("model", "model"):
            picker = ModelPicker(value, self._safe_describe, help_text)
            return picker, picker.value
        if (group, f.name) == ("library", "path"):
            from rag.api import default_library_dir

            folder = FolderPicker(value, str(default_library_dir()), help_text)
            return folder, folder.value
        if meta.get("choices"):
            combo = QComboBox()
            labels = meta.get("choice_labels") or {}
            for choice in meta["choices"]:
                combo.addItem(labels.get(choice) or CHOICE_LABELS.get(choice, choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.setToolTip(help_text)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            return combo, combo.currentData
        if isinstance(value, bool):
            box = QCheckBox()
            box.setChecked(value)
            box.setToolTip(help_text)
            return box, box.isChecked
        if isinstance(value, int):
            spin = QSpinBox()
            spin.setRange(int(meta.get("minimum", 0)), int(meta.get("maximum", 1_000_000)))
            spin.setSingleStep(INT_STEPS.get(f.name, 1))
            zero = meta.get("zero_label") or ZERO_LABELS.get(f.name)
            if zero and spin.minimum() == 0:
                spin.setSpecialValueText(zero)
            spin.setValue(value)
            spin.setToolTip(help_text)
            spin.setMinimumWidth(200)
            spin.setMaximumWidth(260)
            return spin, spin.value
        edit = QLineEdit(str(value))
        edit.setToolTip(help_text)
        edit.setPlaceholderText(str(meta.get("placeholder", "")))
        return edit, edit.text

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            # The help lines wrap: make room for them at the width the dialog opens with.
            self._sized = True
            height = self.heightForWidth(self.width())
            if height > 0:
                self.resize(self.width(), height)

    def _safe_describe(self, path: Path, done: Callable[[Any], None]) -> None:
        def guarded(result: Any) -> None:
            if self._alive:
                done(result)

        self._describe(path, guarded)

    def done(self, result: int) -> None:
        self._alive = False
        super().done(result)

    def settings(self) -> Settings:
        """The settings as edited (the ones passed in are never changed)."""
        out = copy.deepcopy(self._settings)
        for (group, name), getter in self.editors.items():
            value = getter()
            if isinstance(value, str):
                value = value.strip()
            setattr(getattr(out, group), name, value)
        return out
