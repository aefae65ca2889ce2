"""Where a frozen app finds its models, templates and assets (rag.core.paths)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rag.core import paths


def test_from_source_nothing_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.delenv("BRIEFDESK_MODELS_DIR")
    monkeypatch.setenv("BRIEFDESK_HOME", str(tmp_path / "home"))
    assert paths.frozen_app_dir() is None
    assert paths.bundled_models_candidates() == []
    assert paths.models_dir() == tmp_path / "home" / "models"
    assert paths.project_root() == Path(paths.__file__).resolve().parents[2]
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(tmp_path / "elsewhere"))
    assert paths.models_dir() == tmp_path / "elsewhere"


def test_frozen_without_models_uses_the_data_folder(frozen: Path, tmp_path: Path) -> None:
    assert paths.frozen_app_dir() == frozen.resolve()
    assert paths.bundled_models_dir() is None
    assert paths.models_dir() == paths.data_home() / "models"
    assert paths.builtin_templates_dir() == frozen / "_internal" / "templates"
    assert paths.assets_dir() == frozen / "_internal" / "assets"


def test_frozen_models_inside_the_app(frozen: Path) -> None:
    inside = frozen / "_internal" / "models"
    inside.mkdir()
    assert paths.models_dir() == inside


def test_frozen_models_beside_the_app(frozen: Path) -> None:
    beside = frozen.parent / paths.BESIDE_MODELS_FOLDER
    beside.mkdir()
    assert paths.models_dir() == beside.resolve()
    (frozen / "_internal" / "models").mkdir()  # inside wins over beside
    assert paths.models_dir() == frozen / "_internal" / "models"


def test_frozen_models_next_to_the_executable(frozen: Path) -> None:
    (frozen / "models").mkdir()  # e.g. an older PyInstaller, or a hand-made layout
    assert paths.models_dir() == (frozen / "models").resolve()


def test_the_environment_still_wins(
    frozen: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (frozen / "_internal" / "models").mkdir()
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(tmp_path / "mine"))
    assert paths.models_dir() == tmp_path / "mine"


def test_a_path_with_spaces_and_non_latin_letters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = tmp_path / "Программы — 简报 apps" / "BriefDesk"
    (app / "_internal").mkdir(parents=True)
    beside = app.parent / paths.BESIDE_MODELS_FOLDER
    beside.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(app / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "BriefDesk"))
    monkeypatch.delenv("BRIEFDESK_MODELS_DIR")
    assert paths.models_dir() == beside.resolve()
