"""Build the BriefDesk folder an analyst copies to an offline machine (PyInstaller, one folder).

    python packaging/build.py [--models inside|beside|none] [--roles embedding,small,default]

``make package`` runs this and then ``smoke_test.py``. What it makes, under ``dist/``:

- ``BriefDesk/``: the executable ``BriefDesk`` (``BriefDesk.exe`` on Windows) with everything it
  needs in ``_internal/`` (Python, Qt, llama.cpp, chromadb, the templates and the demo
  library), plus, on Linux, ``briefdesk.desktop`` and ``install.sh``;
- the models, as ``--models`` says: ``inside`` the folder (``_internal/models``), ``beside`` it
  in ``BriefDesk-models/`` (so a new version of the app can be copied without 1.2 GB of
  models; the app looks there by itself), or ``none`` (the analyst installs them with
  ``BriefDesk models install --from-wheels``);
- a tarball of the folder (and one of the models folder, with ``beside``).

It prints the sizes. Models are copied from the folder this Python's BriefDesk uses
(``rag.core.paths.models_dir()``; ``--models-from`` to choose another), checked against their
SHA-256 on the way, and recorded in the copy's ``registry.json`` so ``models list`` shows them
as verified.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
APP_NAME = "BriefDesk"
MODES = ("inside", "beside", "none")
ALL_ROLES = ("embedding", "small", "default")
CONTENTS = "_internal"  # PyInstaller 6's folder beside the executable (sys._MEIPASS)

if str(ROOT) not in sys.path:  # this checkout's rag, whatever is installed
    sys.path.insert(0, str(ROOT))


class BuildError(Exception):
    """A build that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class ModelFile:
    relpath: str  # relative to a models folder, forward slashes
    source: Path
    size: int
    sha256: str


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the BriefDesk folder with PyInstaller."
    )
    parser.add_argument(
        "--models",
        choices=MODES,
        default="inside",
        help="put the models inside the folder (default), in BriefDesk-models/ beside it, or "
        "leave them out",
    )
    parser.add_argument(
        "--roles",
        default=",".join(ALL_ROLES),
        help="which models to ship, comma-separated (default: embedding,small,default; the "
        "embedding model is always needed)",
    )
    parser.add_argument(
        "--models-from", type=Path, default=None, help="where the provisioned models are"
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work")
    parser.add_argument("--no-tarball", action="store_true", help="skip the tarballs")
    parser.add_argument(
        "--reuse-app",
        action="store_true",
        help="keep an existing dist/BriefDesk and only lay out models, files and tarballs again",
    )
    args = parser.parse_args(argv)
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown:
        parser.error(f"unknown model role(s): {', '.join(unknown)} (known: {', '.join(ALL_ROLES)})")
    if args.models != "none" and "embedding" not in roles:
        parser.error("--roles must include 'embedding': no library opens without it")
    args.roles = list(dict.fromkeys(roles))
    return args


def model_files(roles: Sequence[str], source: Path) -> list[ModelFile]:
    """The files of ``roles`` in ``source``; BuildError naming what is missing."""
    from rag.models import provision

    files: list[ModelFile] = []
    missing: list[str] = []
    for role in roles:
        spec = provision.SPECS[role]
        absent = [f.relpath for f in spec.files if not (source / f.relpath).is_file()]
        if absent:
            missing.append(role)
            continue
        files += [ModelFile(f.relpath, source / f.relpath, f.size, f.sha256) for f in spec.files]
    if missing:
        flags = " ".join(f"--{role}" for role in missing)
        raise BuildError(
            f"Models missing from {source}: {', '.join(missing)}. Install them with "
            f"`briefdesk models install {flags}` (or `make models`), or leave them out with "
            "--roles."
        )
    return files


def models_target(app_dir: Path, mode: str) -> Path | None:
    """Where the models go for ``mode``; this is where rag.core.paths looks in a frozen app."""
    if mode == "inside":
        return app_dir / CONTENTS / "models"
    if mode == "beside":
        return app_dir.parent / f"{APP_NAME}-models"
    return None


def copy_models(files: Sequence[ModelFile], target: Path) -> None:
    """Copy and verify ``files`` into ``target``, and write its registry.json."""
    records: dict[str, dict[str, object]] = {}
    for item in files:
        dest = target / item.relpath
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = _copy_hashing(item.source, dest)
        if digest != item.sha256 or dest.stat().st_size != item.size:
            dest.unlink()
            raise BuildError(
                f"{item.source} does not match its checksum; install it again with "
                "`briefdesk models install`."
            )
        # Whole seconds: every archiver and copier keeps those, so the registry's cheap
        # check (size and mtime) still matches after the folder is unpacked elsewhere.
        whole = int(item.source.stat().st_mtime) * 1_000_000_000
        os.utime(dest, ns=(whole, whole))
        dest.chmod(0o644)
        records[item.relpath] = {"size": item.size, "mtime_ns": whole, "sha256": item.sha256}
    registry = {"version": 1, "provisioned": records, "user": {}}
    (target / "registry.json").write_text(json.dumps(registry, indent=2, sort_keys=True) + "\n")


def _copy_hashing(source: Path, dest: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as src, dest.open("wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def run_pyinstaller(dist: Path, work: Path) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildError(
            "PyInstaller is not installed. Install the packaging extra: "
            "pip install -e '.[package]' (make package does it)."
        ) from None
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(PACKAGING / "briefdesk.spec"),
    ]  # fmt: skip
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode:
        raise BuildError(f"PyInstaller failed (exit code {result.returncode}); see above.")


def add_platform_files(app_dir: Path) -> None:
    """Linux: the desktop entry and its installer beside the executable."""
    if not sys.platform.startswith("linux"):
        return
    for name in ("briefdesk.desktop", "install.sh"):
        shutil.copy2(PACKAGING / "linux" / name, app_dir / name)
    (app_dir / "install.sh").chmod(0o755)


def folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def platform_tag() -> str:
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(
        sys.platform, sys.platform
    )
    return f"{system}-{platform.machine().lower() or 'unknown'}"


def write_tarball(folder: Path, out: Path, *, compress: bool) -> None:
    """``folder`` as ``out`` (its name at the top), written beside and renamed when complete."""
    partial = out.with_name(out.name + ".partial")
    mode = "w:gz" if compress else "w"
    options = {"compresslevel": 6} if compress else {}
    with tarfile.open(partial, mode, **options) as tar:  # type: ignore[call-overload]
        tar.add(folder, arcname=folder.name)
    partial.replace(out)


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def build(args: argparse.Namespace) -> dict[str, int]:
    """Everything; returns the sizes it printed, by name."""
    from rag import __version__
    from rag.core import paths

    dist: Path = args.dist.resolve()
    app_dir = dist / APP_NAME
    source = (args.models_from or paths.models_dir()).expanduser().resolve()
    files = model_files(args.roles, source) if args.models != "none" else []

    started = time.monotonic()
    if args.reuse_app:
        if not (app_dir / CONTENTS).is_dir():
            raise BuildError(f"--reuse-app: no built app at {app_dir}")
        shutil.rmtree(app_dir / CONTENTS / "models", ignore_errors=True)
    else:
        run_pyinstaller(dist, args.work.resolve())
    beside = dist / f"{APP_NAME}-models"
    shutil.rmtree(beside, ignore_errors=True)  # a previous build's, whatever this one's mode
    add_platform_files(app_dir)
    target = models_target(app_dir, args.models)
    if target is not None:
        copy_models(files, target)

    sizes = {"app folder": folder_size(app_dir)}
    if args.models == "inside" and target is not None:
        sizes["of which models"] = folder_size(target)
    if args.models == "beside" and target is not None:
        sizes["models folder"] = folder_size(target)
    if not args.no_tarball:
        for old in dist.glob(f"{APP_NAME}-*.tar*"):
            old.unlink()
        stem = f"{APP_NAME}-{__version__}-{platform_tag()}"
        tarball = dist / f"{stem}.tar.gz"
        write_tarball(app_dir, tarball, compress=True)
        sizes[f"tarball {tarball.name}"] = tarball.stat().st_size
        if args.models == "beside" and target is not None:
            models_tar = dist / f"{APP_NAME}-models-{__version__}.tar"  # weights barely compress
            write_tarball(target, models_tar, compress=False)
            sizes[f"tarball {models_tar.name}"] = models_tar.stat().st_size

    print(f"\nBuilt {app_dir} in {time.monotonic() - started:.0f} s (models: {args.models}"
          + (f", {', '.join(args.roles)}" if args.models != "none" else "") + ")")  # fmt: skip
    for name, size in sizes.items():
        print(f"  {name:<48} {megabytes(size):>10}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        build(args)
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
