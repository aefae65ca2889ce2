"""packaging/build.py without PyInstaller: its options, the model layout and the tarball."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from rag.core import paths
from rag.models import provision


def test_defaults(build_script: ModuleType) -> None:
    args = build_script.parse_args([])
    assert args.models == "inside"
    assert args.roles == ["embedding", "small", "default"]
    assert not args.no_tarball


@pytest.mark.parametrize("mode", ["inside", "beside", "none"])
def test_modes(build_script: ModuleType, mode: str) -> None:
    assert build_script.parse_args(["--models", mode, "--roles", "embedding,small"]).models == mode


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--models", "somewhere"], "invalid choice"),
        (["--roles", "embedding,huge"], "unknown model role(s): huge"),
        (["--roles", "small"], "must include 'embedding'"),
    ],
)
def test_bad_options_are_refused_with_a_reason(
    build_script: ModuleType, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_script.parse_args(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_build_without_models_needs_no_embedding(build_script: ModuleType) -> None:
    assert build_script.parse_args(["--models", "none", "--roles", "small"]).roles == ["small"]


def test_where_the_models_go(build_script: ModuleType, tmp_path: Path) -> None:
    app = tmp_path / "dist" / "BriefDesk"
    assert build_script.models_target(app, "inside") == app / "_internal" / "models"
    assert build_script.models_target(app, "beside") == tmp_path / "dist" / "BriefDesk-models"
    assert build_script.models_target(app, "none") is None


def test_missing_models_name_the_command_that_installs_them(
    build_script: ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(build_script.BuildError) as error:
        build_script.model_files(["embedding", "default"], tmp_path)
    message = str(error.value)
    assert "embedding, default" in message
    assert "briefdesk models install --embedding --default" in message


def test_copied_models_are_verified_and_found_by_provision(
    build_script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real embedding model, laid out as a build does: provision sees it as verified, and
    the registry's times survive a tarball (whole seconds)."""
    shared = paths.models_dir()  # the provisioned models every test shares (tests/conftest.py)
    files = build_script.model_files(["embedding"], shared)
    target = tmp_path / "BriefDesk-models"
    build_script.copy_models(files, target)
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(target))
    [embedding] = provision.installed_models()
    assert embedding.role == "embedding" and embedding.verified

    tarball = tmp_path / "models.tar"
    build_script.write_tarball(target, tarball, compress=False)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="tar")
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(unpacked / "BriefDesk-models"))
    [again] = provision.installed_models()
    assert again.verified


def test_a_corrupt_model_stops_the_build(build_script: ModuleType, tmp_path: Path) -> None:
    source = tmp_path / "model.gguf"
    source.write_bytes(b"GGUF" + b"\0" * 100)
    good = hashlib.sha256(source.read_bytes()).hexdigest()
    item = build_script.ModelFile("m/model.gguf", source, 104, good)
    build_script.copy_models([item], tmp_path / "ok")
    registry = json.loads((tmp_path / "ok" / "registry.json").read_text())
    record = registry["provisioned"]["m/model.gguf"]
    assert record["sha256"] == good and record["mtime_ns"] % 1_000_000_000 == 0

    bad = build_script.ModelFile("m/model.gguf", source, 104, "0" * 64)
    with pytest.raises(build_script.BuildError, match="does not match its checksum"):
        build_script.copy_models([bad], tmp_path / "bad")
    assert not (tmp_path / "bad" / "m" / "model.gguf").exists()


def test_tarball_holds_the_folder_under_its_name(build_script: ModuleType, tmp_path: Path) -> None:
    folder = tmp_path / "Brief Desk 简报"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "файл.txt").write_text("hello", encoding="utf-8")
    out = tmp_path / "app.tar.gz"
    build_script.write_tarball(folder, out, compress=True)
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert "Brief Desk 简报/sub/файл.txt" in names
    assert not list(tmp_path.glob("*.partial"))
    assert build_script.folder_size(folder) == 5


def test_platform_tag_names_system_and_machine(build_script: ModuleType) -> None:
    system, _, machine = build_script.platform_tag().partition("-")
    assert system in ("linux", "macos", "windows") and machine


def test_pyinstaller_missing_is_explained(
    build_script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyinstaller(name: str, *args: object, **kwargs: object) -> object:
        if name == "PyInstaller":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyinstaller)
    with pytest.raises(build_script.BuildError, match=r"pip install -e '\.\[package\]'"):
        build_script.run_pyinstaller(Path("dist"), Path("build"))


def test_the_smoke_tests_connect_guard(smoke_script: ModuleType) -> None:
    """Where there are no network namespaces the smoke test reads strace's connect() lines."""
    trace = "\n".join(
        [
            '12 connect(3, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X0"}, 20) = 0',
            '12 connect(4, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")'
            "}, 16) = 0",
            "13 connect(5, {sa_family=AF_INET, sin_port=htons(443), "
            'sin_addr=inet_addr("104.16.1.1")}, 16) = -1 ENETUNREACH',
            "13 connect(6, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "2606:4700::1", &sin6_addr), sin6_scope_id=0}, 28) = -1',
        ]
    )
    assert smoke_script.remote_connects(trace) == ["104.16.1.1", "2606:4700::1"]
