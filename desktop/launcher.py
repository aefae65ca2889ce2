"""The ``briefdesk`` command: the window, or the command line.

- ``briefdesk`` or ``briefdesk gui`` opens the window on the user's library.
- ``briefdesk demo`` opens the window with the demo documents imported when there is a display;
  without one it runs the command line's ``demo`` (which drafts the demo briefing to a .docx
  and says where).
- anything else is a command-line command (``rag.cli.main``), which never imports Qt.

``--library PATH`` and ``--model CHOICE`` may come before or after ``gui``/``demo``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

GUI_COMMANDS = ("gui", "demo")


def has_display() -> bool:
    """Whether a window can be shown: always on macOS and Windows; on Linux and the BSDs when
    an X or Wayland display is set, or Qt was told which platform to use."""
    if sys.platform in ("darwin", "win32"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _gui_options(args: list[str]) -> tuple[str, dict[str, str]] | None:
    """``(command, options)`` if ``args`` asks for the window, else None. Only --library and
    --model are understood here; anything else (``--out``, ``--help``) is the CLI's."""
    command = "gui"
    options: dict[str, str] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in GUI_COMMANDS and command == "gui" and "seen" not in options:
            command = arg
            options["seen"] = "1"
        elif arg in ("--library", "--model") and rest:
            options[arg[2:]] = rest.pop(0)
        elif arg.startswith(("--library=", "--model=")):
            key, value = arg[2:].split("=", 1)
            options[key] = value
        else:
            return None
    options.pop("seen", None)
    return command, options


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    wanted = _gui_options(args)
    if wanted is None:
        return _cli(args)
    command, options = wanted
    if not has_display():
        if command == "demo":
            print("No display: drafting the demo briefing to a Word file instead.", file=sys.stderr)
            cli_args = ["--library", options["library"]] if "library" in options else []
            cli_args.append("demo")
            if "model" in options:
                cli_args += ["--model", options["model"]]
            return _cli(cli_args)
        if not args:
            return _cli([])  # the command line's help: it is all that can run here
        print(
            "briefdesk: no display to open a window on (set DISPLAY, or use a command; see "
            "briefdesk --help).",
            file=sys.stderr,
        )
        return 2
    from desktop.compat import binding_problem
    from desktop.xcb_check import xcb_problem

    # Qt aborts the process when its X11 plugin cannot load; asked first, we can say why.
    problem = binding_problem() or xcb_problem()
    if problem:
        print(f"briefdesk: cannot open the window. {problem}", file=sys.stderr)
        return 2
    from desktop.app import run_gui  # Qt loads only when a window is wanted

    library = Path(options["library"]).expanduser() if "library" in options else None
    return run_gui(library=library, demo=command == "demo", model_choice=options.get("model"))


def _cli(args: list[str]) -> int:
    from rag.cli.main import main as cli_main

    return cli_main(args)
