"""Smoke test of the built BriefDesk folder, as an analyst on an offline machine would use it.

    python packaging/smoke_test.py [--dist dist] [--seeds DIR] [--xvfb]

On a copy of ``dist/BriefDesk`` (and ``dist/BriefDesk-models`` when the build put the models
beside it) under a path with spaces and non-Latin letters, with a fresh HOME, no BriefDesk
variables, no locale and no network (``unshare -rn``; where network namespaces are not
allowed, every ``connect`` is traced with strace and any to another host fails the test):

1. ``BriefDesk --help`` and ``models list`` (the shipped models are found and verified);
2. ``import`` of the seed articles (through the frozen isolated reader), then ``search``;
   then a scanned page (a PNG drawn here) read by OCR in the frozen reader, and searched;
3. ``draft`` with the small model, exported to a .docx, which is reopened with python-docx;
4. the window, offscreen (or under Xvfb with ``--xvfb``): it must show its main window, save a
   screenshot and quit cleanly (``BRIEFDESK_QUIT_AFTER_MS``, see briefdesk_main.py);
5. bad input: the models moved away, then a read-only data folder; each must give its clear
   message, exit 2 and print no traceback.

Exits 0 when every step passed; prints each step's time. ``--keep`` leaves the copy for a look.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "BriefDesk"
ODD_FOLDER = "Brief Desk — тест 简报"  # spaces, Cyrillic, CJK, a dash outside ASCII
TOPIC = "China's response to the U.S. ban on Halvard's models"
SCAN_LINES = ("Gallium export licences were suspended", "at the port of Rotterdam on 4 March 2026.")
EXE = "BriefDesk.exe" if sys.platform == "win32" else "BriefDesk"
STEP_TIMEOUT_S = 900
# A user template (the data folder's templates/): two one-claim sections keep the draft to a
# minute or two with the small model on a busy 2-core machine; the full situation brief
# (--full-template) takes 10-20 minutes there.
QUICK_TEMPLATE_ID = "smoke-quick"
QUICK_TEMPLATE = """\
name = "Smoke test"
purpose = "Two short sections, for the packaging smoke test."

[[sections]]
key = "developments"
title = "Key developments"
claims = 1
queries = ["export ban on Halvard models", "China blacklist of American companies"]
instruction = "State the main development in one sentence."

[[sections]]
key = "outlook"
title = "Outlook"
claims = 1
queries = ["what comes next"]
instruction = "Say what may come next, in one sentence."
"""


class SmokeFailure(Exception):
    pass


@dataclass
class Result:
    name: str
    seconds: float
    ok: bool
    detail: str = ""


@dataclass
class Smoke:
    dist: Path
    seeds: Path
    work: Path
    xvfb: bool = False
    full_template: bool = False
    guard: str = "auto"  # how to keep the app off the network: auto, unshare or strace
    models_dir: Path | None = None  # for builds without models: where they are instead
    results: list[Result] = field(default_factory=list)

    # --- set up -------------------------------------------------------------------------

    def prepare(self) -> None:
        source = self.dist / APP_NAME
        if not (source / EXE).is_file():
            raise SmokeFailure(f"no built app at {source}; run packaging/build.py first")
        self.parent = self.work / ODD_FOLDER
        self.app = self.parent / APP_NAME
        shutil.copytree(source, self.app, symlinks=True)
        beside = self.dist / f"{APP_NAME}-models"
        if beside.is_dir():
            shutil.copytree(beside, self.parent / beside.name, symlinks=True)
        self.seed_copy = self.work / "Статьи seeds 2026"
        shutil.copytree(self.seeds, self.seed_copy)
        self.seed_count = sum(1 for p in self.seed_copy.rglob("*") if p.is_file())
        self.net = network_guard(self.guard)
        if self.guard != "auto" and (not self.net or self.net[0] != self.guard):
            raise SmokeFailure(f"{self.guard} cannot be used on this machine")

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        """A fresh user: only PATH and HOME (no locale, no BRIEFDESK_*, no XDG_*)."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
        if self.models_dir is not None:
            env["BRIEFDESK_MODELS_DIR"] = str(self.models_dir)
        env.update(extra)
        return env

    def home(self, name: str) -> Path:
        path = self.work / f"home {name} дом"
        path.mkdir(exist_ok=True)
        return path

    # --- running the app ----------------------------------------------------------------

    def run(
        self,
        args: Sequence[str],
        env: dict[str, str],
        *,
        prefix: Sequence[str] = (),
        timeout: float = STEP_TIMEOUT_S,
    ) -> subprocess.CompletedProcess[str]:
        trace = self.work / "connect.trace"
        guard = list(self.net)
        if guard and guard[0] == "strace":
            guard += ["-o", str(trace)]
        command = [*guard, *prefix, str(self.app / EXE), *args]
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=timeout, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if "Traceback (most recent call last)" in done.stderr:
            raise SmokeFailure(f"a traceback from {' '.join(args) or 'the window'}:\n{done.stderr}")
        if guard and guard[0] == "strace":
            outside = remote_connects(trace.read_text(errors="replace"))
            if outside:
                raise SmokeFailure(f"tried to reach the network: {outside[:3]}")
        return done

    def step(self, name: str, action) -> None:  # type: ignore[no-untyped-def]
        started = time.monotonic()
        try:
            detail = action() or ""
            ok = True
        except (SmokeFailure, subprocess.TimeoutExpired, AssertionError) as exc:
            detail, ok = str(exc) or type(exc).__name__, False
        self.results.append(Result(name, time.monotonic() - started, ok, detail))
        mark = "ok  " if ok else "FAIL"
        print(f"[{mark}] {name} ({time.monotonic() - started:.1f} s) {detail}", flush=True)

    # --- the steps ----------------------------------------------------------------------

    def check_help(self) -> str:
        home = self.home("main")
        done = self.run(["--help"], self.env(home))
        expect(done, 0, "import")
        models = self.run(["models", "list"], self.env(home))
        expect(models, 0, "embedding")
        if "small" not in models.stdout:
            raise SmokeFailure(f"the small model is not listed:\n{models.stdout}")
        rows = models.stdout.splitlines()[1:]
        if any(line.rstrip().endswith(" no") for line in rows):
            raise SmokeFailure(f"a shipped model is not verified:\n{models.stdout}")
        return f"{len(rows)} models, verified"

    def check_import(self) -> str:
        done = self.run(["import", str(self.seed_copy)], self.env(self.home("main")))
        expect(done, 0, "imported")
        summary = re.search(r"(\d+) imported, \d+ duplicate, (\d+) failed", done.stdout)
        imported = int(summary.group(1)) if summary else 0
        if imported != self.seed_count:
            raise SmokeFailure(f"{imported} of {self.seed_count} seeds imported:\n{done.stdout}")
        search = self.run(["search", "Halvard export ban", "-k", "3"], self.env(self.home("main")))
        expect(search, 0, "")
        if not search.stdout.strip():
            raise SmokeFailure("search found nothing")
        return f"{imported} documents"

    def check_scan(self) -> str:
        """A scanned page: the frozen reader worker must find RapidOCR's models and OpenCV."""
        from PIL import Image, ImageDraw, ImageFont

        image = Image.new("L", (1400, 260), 255)
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=40)
        for i, line in enumerate(SCAN_LINES):
            draw.text((60, 60 + i * 80), line, fill=0, font=font)
        folder = self.work / "scans сканы"
        folder.mkdir(exist_ok=True)
        image.save(folder / "faxed notice.png")
        home = self.home("scan")
        done = self.run(["import", str(folder)], self.env(home))
        expect(done, 0, "1 imported")
        search = self.run(["search", "gallium licences Rotterdam", "-k", "1"], self.env(home))
        expect(search, 0, "")
        if "rotterdam" not in search.stdout.lower():
            raise SmokeFailure(f"the scanned page was not found by search:\n{search.stdout}")
        return "read by OCR and found"

    def check_draft(self) -> str:
        out = self.parent / "Брифинг — brief 简报.docx"
        home = self.home("main")
        template = "situation-brief"
        if not self.full_template:
            folder = home / ".local" / "share" / "briefdesk" / "templates"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{QUICK_TEMPLATE_ID}.toml").write_text(QUICK_TEMPLATE, encoding="utf-8")
            template = QUICK_TEMPLATE_ID
        command = ["draft", "--topic", TOPIC, "--template", template, "--model", "small"]
        done = self.run([*command, "--out", str(out)], self.env(home))
        expect(done, 0, "")
        if not out.is_file():
            raise SmokeFailure(f"no .docx at {out}:\n{done.stdout}\n{done.stderr}")
        text = reopen_docx(out)
        if TOPIC.split()[0] not in text and "Halvard" not in text:
            raise SmokeFailure("the .docx does not mention its topic")
        return f"{out.stat().st_size:,} bytes, {len(text.split())} words"

    def check_gui(self) -> str:
        shot = self.work / "gui.png"
        shot.unlink(missing_ok=True)
        env = self.env(self.home("main"), BRIEFDESK_QUIT_AFTER_MS="6000")
        env["BRIEFDESK_SCREENSHOT"] = str(shot)
        prefix: list[str] = []
        if self.xvfb and shutil.which("xvfb-run"):
            prefix = ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24"]
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        done = self.run([], env, prefix=prefix, timeout=300)
        expect(done, 0, "")
        if "main window shown" not in done.stderr:
            raise SmokeFailure(f"no main window was reported:\n{done.stderr}")
        if not shot.is_file() or shot.stat().st_size < 1000:
            raise SmokeFailure("no screenshot of the window")
        shown = re.search(r"main window shown: (.*)", done.stderr)
        return f"{shown.group(1) if shown else ''}; screenshot {shot}"

    def check_no_models(self) -> str:
        moved = self.hide_models()
        try:
            home = self.home("no models")
            env = self.env(home)
            env.pop("BRIEFDESK_MODELS_DIR", None)
            done = self.run(["import", str(self.seed_copy)], env)
            expect(done, 2, "cannot find its models")
            gui_env = dict(env, QT_QPA_PLATFORM="offscreen", BRIEFDESK_QUIT_AFTER_MS="1500")
            gui = self.run([], gui_env, timeout=120)
            expect(gui, 2, "cannot find its models")
        finally:
            for away, place in moved:
                away.rename(place)
        return first_line(done.stderr)

    def check_read_only(self) -> str:
        home = self.home("read-only")
        data = home / ".local" / "share" / "briefdesk"
        data.mkdir(parents=True, exist_ok=True)
        if hasattr(os, "geteuid") and os.geteuid() != 0:
            data.chmod(0o555)
            prefix: list[str] = []
        elif can_mount_read_only():
            # root writes anywhere: a read-only bind mount in a private namespace instead
            prefix = ["unshare", "-rm", "sh", "-c",
                      'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && '
                      'shift && exec "$@"', str(data), "--"]  # fmt: skip
        else:
            return "skipped: running as root and no mount namespaces here"
        try:
            done = self.run(["import", str(self.seed_copy)], self.env(home), prefix=prefix)
        finally:
            data.chmod(0o755)
        expect(done, 2, "cannot write to its data folder")
        return first_line(done.stderr)

    def hide_models(self) -> list[tuple[Path, Path]]:
        moved = []
        for place in (self.app / "_internal" / "models", self.parent / f"{APP_NAME}-models"):
            if place.is_dir():
                away = place.with_name(place.name + ".away")
                place.rename(away)
                moved.append((away, place))
        return moved

    def run_all(self) -> bool:
        self.prepare()
        guards = {"unshare": "network namespace (unshare -rn)", "strace": "connect() traced"}
        guard = guards.get(self.net[0] if self.net else "", "NOT blocked (no unshare or strace)")
        print(f"Smoke test of {self.app}\n  network: {guard}")
        self.step("help and models list", self.check_help)
        self.step("import the seed articles and search", self.check_import)
        self.step("a scanned page is read by OCR and found", self.check_scan)
        self.step("draft with the small model and export .docx", self.check_draft)
        self.step("window starts, shows, quits", self.check_gui)
        self.step("no models: clear message", self.check_no_models)
        self.step("read-only data folder: clear message", self.check_read_only)
        passed = sum(r.ok for r in self.results)
        total = sum(r.seconds for r in self.results)
        print(f"{passed} passed, {len(self.results) - passed} failed ({total:.0f} s)")
        return passed == len(self.results)


def expect(done: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    if done.returncode != code:
        raise SmokeFailure(
            f"exit code {done.returncode}, expected {code}\n--- stdout\n{done.stdout[-3000:]}"
            f"\n--- stderr\n{done.stderr[-3000:]}"
        )
    if text and text.lower() not in (done.stdout + done.stderr).lower():
        raise SmokeFailure(
            f"'{text}' not in the output:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def reopen_docx(path: Path) -> str:
    """The text of a .docx, read back with python-docx; SmokeFailure if it does not open."""
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise SmokeFailure(f"the .docx does not reopen: {exc}") from None
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    if len(paragraphs) < 3:
        raise SmokeFailure(f"the .docx has only {len(paragraphs)} paragraphs of text")
    return "\n".join(paragraphs)


def network_guard(wanted: str = "auto") -> list[str]:
    """``unshare -rn`` where network namespaces work, else strace on connect(), else nothing."""
    if (
        wanted in ("auto", "unshare")
        and shutil.which("unshare")
        and _ok(["unshare", "-rn", "true"])
    ):
        return ["unshare", "-rn"]
    if (
        wanted in ("auto", "strace")
        and shutil.which("strace")
        and _ok(["strace", "-f", "-e", "trace=connect", "-o", os.devnull, "true"])
    ):
        return ["strace", "-f", "-qq", "-e", "trace=connect"]
    return []


def can_mount_read_only() -> bool:
    return bool(shutil.which("unshare")) and _ok(
        ["unshare", "-rm", "sh", "-c", "mount --bind / / 2>/dev/null || mount -t tmpfs x /mnt"]
    )


def _ok(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


_CONNECT = re.compile(  # strace's connect(3, {sa_family=AF_INET, ..., inet_addr("1.2.3.4")}, 16)
    r"connect\(\d+, \{sa_family=AF_INET6?, [^}]*?"
    r"(?:inet_addr\(\"([^\"]+)\"\)|inet_pton\(AF_INET6, \"([^\"]+)\")"
)


def remote_connects(trace: str) -> list[str]:
    """Addresses other than this machine's that a traced process tried to connect to."""
    found = []
    for match in _CONNECT.finditer(trace):
        address = match.group(1) or match.group(2) or ""
        if not (address.startswith("127.") or address in ("::1", "0.0.0.0", "::")):
            found.append(address)
    return found


def ships_models(dist: Path) -> bool:
    return (dist / APP_NAME / "_internal" / "models").is_dir() or (
        dist / f"{APP_NAME}-models"
    ).is_dir()


def provisioned_models() -> Path:
    """The models this Python's BriefDesk uses (the checkout's rag, whatever is installed)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from rag.core.paths import models_dir

    return models_dir()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="smoke_test.py", description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument(
        "--seeds",
        type=Path,
        default=ROOT / "tests" / "data" / "articles",
        help="the articles to import (default: the tests' fictional seed articles)",
    )
    parser.add_argument(
        "--models-dir", type=Path, default=None,
        help="for a build made with --models none: the models folder to point the app at",
    )  # fmt: skip
    parser.add_argument("--xvfb", action="store_true", help="run the window under Xvfb")
    parser.add_argument(
        "--full-template",
        action="store_true",
        help="draft the full situation brief (slow) instead of a two-section template",
    )
    parser.add_argument(
        "--network-guard",
        choices=("auto", "unshare", "strace"),
        default="auto",
        help="auto: a network namespace where allowed, else strace on connect()",
    )
    parser.add_argument("--keep", action="store_true", help="keep the copy for a look")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.seeds.is_dir():
        print(
            f"smoke_test.py: no seed articles at {args.seeds} (see --seeds)",
            file=sys.stderr,
        )
        return 2
    models_dir = args.models_dir
    if models_dir is None and not ships_models(args.dist):
        models_dir = provisioned_models()
        print(f"The build has no models: using {models_dir} (BRIEFDESK_MODELS_DIR)")
    work = Path(tempfile.mkdtemp(prefix="briefdesk-smoke-"))
    smoke = Smoke(
        args.dist.resolve(),
        args.seeds.resolve(),
        work,
        xvfb=args.xvfb,
        full_template=args.full_template,
        guard=args.network_guard,
        models_dir=models_dir,
    )
    try:
        ok = smoke.run_all()
    except SmokeFailure as exc:
        print(f"smoke_test.py: {exc}", file=sys.stderr)
        ok = False
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
