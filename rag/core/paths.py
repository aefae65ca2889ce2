"""Where BriefDesk keeps its data: one per-user folder, overridable by environment variables.

Layout of the data folder::

    <home>/library/        the default library (see rag.indexing.library)
    <home>/shared/         this computer's copies of shared libraries (see rag.shared.backend)
    <home>/models/         provisioned and registered models (see rag.models.provision)
    <home>/templates/      the user's own briefing templates
    <home>/settings.json   settings (see rag.core.settings)

``BRIEFDESK_HOME`` moves the whole folder (tests use it); ``BRIEFDESK_MODELS_DIR`` moves only the
models, so that many throwaway homes can share one set of provisioned models.

A frozen app (the PyInstaller folder built by ``packaging/build.py``) may carry its models: in
its own ``models/`` folder (``_internal/models`` in a one-folder build, or ``models/`` beside the
executable) or in a ``BriefDesk-models/`` folder beside the app's folder, so that the app can be
updated without copying 1.2 GB of models again. ``BRIEFDESK_MODELS_DIR`` still wins; without
either, the per-user folder is used, exactly as when running from source.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "BriefDesk"
MODELS_FOLDER = "models"  # inside a frozen app
BESIDE_MODELS_FOLDER = "BriefDesk-models"  # beside a frozen app's folder


def data_home() -> Path:
    """The per-user data folder, following each platform's convention."""
    override = os.environ.get("BRIEFDESK_HOME")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME.lower()


def models_dir() -> Path:
    override = os.environ.get("BRIEFDESK_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    return bundled_models_dir() or data_home() / "models"


def frozen_app_dir() -> Path | None:
    """The folder of the frozen app's executable; None when running from source."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent


def command_name() -> str:
    """What the analyst types to run BriefDesk: the installed ``briefdesk`` command, or the
    frozen app's own executable (``BriefDesk``), which has no ``briefdesk`` beside it."""
    return "BriefDesk" if frozen_app_dir() is not None else "briefdesk"


def bundled_models_candidates() -> list[Path]:
    """Where a frozen app looks for the models it was built with, in order; [] from source."""
    app = frozen_app_dir()
    if app is None:
        return []
    found: list[Path] = []
    internal = getattr(sys, "_MEIPASS", None)
    if internal:
        found.append(Path(internal) / MODELS_FOLDER)
    found += [app / MODELS_FOLDER, app.parent / BESIDE_MODELS_FOLDER]
    return list(dict.fromkeys(found))  # one-folder builds on older PyInstallers: _MEIPASS == app


def bundled_models_dir() -> Path | None:
    """The first of ``bundled_models_candidates()`` that exists, if any."""
    return next((p for p in bundled_models_candidates() if p.is_dir()), None)


def default_library_dir() -> Path:
    return data_home() / "library"


def shared_library_dir(host: str, port: int, name: str) -> Path:
    """This computer's copy of a shared library on a Chroma server (see rag.shared.backend)."""
    safe_host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
    return data_home() / "shared" / f"{safe_host}-{port}-{name}"


def user_templates_dir() -> Path:
    return data_home() / "templates"


def settings_path() -> Path:
    return data_home() / "settings.json"


def project_root() -> Path:
    """The source tree (or the frozen app's folder) that holds ``templates/`` and ``assets/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def builtin_templates_dir() -> Path:
    return project_root() / "templates"


def assets_dir() -> Path:
    return project_root() / "assets"
