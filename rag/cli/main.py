"""The ``briefdesk`` command line: a thin client of the rag library, like the desktop app."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rag.api import (
    DEMO_QUERIES,
    DEMO_TEMPLATE,
    DEMO_TOPIC,
    BriefDeskError,
    Briefing,
    CancelToken,
    DetailsProgress,
    DetailsRead,
    Document,
    ExportOptions,
    FileDuplicate,
    FileFailed,
    FileImported,
    FileProgress,
    FileStarted,
    Hit,
    ImportFinished,
    ImportStarted,
    Settings,
    __version__,
    available_templates,
    crash_point,
    data_home,
    demo_library_dir,
    export_docx,
    get_template,
    load_settings,
    template_problems,
)

if TYPE_CHECKING:
    from rag.api import Library


class Progress:
    """A one-line progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        # sys.stderr as it is now, not as it was when this module was imported (a test
        # runner, or an embedding app, may have replaced it since).
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._shown = False

    def show(self, done: int, total: int, label: str) -> None:
        if not self.live or total <= 0:
            return
        width = 24
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()
            self._shown = False

    def line(self, text: str) -> None:
        """A permanent line printed above the bar."""
        self.clear()
        print(text, file=self.stream)


def _settings(args: argparse.Namespace) -> Settings:
    """Settings with this command line's overrides (server addresses) applied."""
    settings = load_settings()
    if getattr(args, "chroma_server", None):
        settings.library.server = args.chroma_server
    if getattr(args, "local_library", False):
        settings.library.server = ""
    if getattr(args, "library_name", None):
        settings.library.name = args.library_name
    if getattr(args, "model_server", None):
        settings.model.server = args.model_server
    if getattr(args, "local_model", False):
        settings.model.server = ""
    return settings


def _open(args: argparse.Namespace) -> Library:
    from rag.api import open_library  # chromadb and onnxruntime load only when needed

    lib = open_library(args.library, _settings(args))
    if lib.location != str(lib.folder):
        print(f"Shared library: {lib.location}", file=sys.stderr)
    for notice in lib.notices:
        print(f"note: {notice}", file=sys.stderr)
    return lib


def _doc_line(doc: Document) -> str:
    extent = f"{doc.pages} pp." if doc.pages else f"{doc.chars:,} chars"
    if doc.ocr_confidence is not None:
        extent += f", OCR {doc.ocr_confidence:.0%}"
    who = ", ".join(x for x in (doc.publisher, doc.published) if x)
    return (
        f"{doc.id[:10]}  {doc.title[:60]}"
        + (f" ({who})" if who else "")
        + f"  [{doc.kind}, {extent}]"
    )


def cmd_import(args: argparse.Namespace) -> int:
    progress = Progress()
    cancel = CancelToken()
    result: ImportFinished | None = None
    with _open(args) as lib:
        try:
            for ev in lib.import_paths([Path(p) for p in args.paths], cancel):
                match ev:
                    case ImportStarted(total=total, skipped=skipped):
                        note = f" ({skipped} files of other types skipped)" if skipped else ""
                        progress.line(f"Importing {total} file{'s' * (total != 1)}{note}")
                    case FileStarted(index=i, total=n, path=p):
                        progress.show(i - 1, n, p.name)
                    case FileProgress(index=i, total=n, path=p, stage="reading", done=d, of=of):
                        progress.show(i - 1, n, f"{p.name}: reading page {d} of {of}")
                    case FileProgress(index=i, total=n, path=p, stage=stage, done=d, of=of):
                        progress.show(i - 1, n, f"{p.name}: {stage} {d}/{of}")
                    case FileImported(path=p, document=doc):
                        progress.line(f"imported   {p}  ->  {doc.title} ({doc.passages} passages)")
                        for note in doc.notes:  # OCR, low confidence, a repaired file
                            progress.line(f"           note: {note}")
                        crash_point("cli.acknowledged")
                    case FileDuplicate(path=p, document=doc):
                        progress.line(f"duplicate  {p}  (already in the library as {doc.title!r})")
                    case FileFailed(path=p, reason=reason):
                        progress.line(f"failed     {p}: {reason}")
                    case ImportFinished():
                        result = ev
        except KeyboardInterrupt:
            cancel.cancel()
            progress.line("Cancelled: the file in progress was not imported.")
            return 130
    progress.clear()
    assert result is not None
    print(
        f"{len(result.imported)} imported, {len(result.duplicates)} duplicate, "
        f"{len(result.failed)} failed" + (f", {result.skipped} skipped" if result.skipped else "")
    )
    return 1 if result.failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        docs = lib.documents()
    if not docs:
        print("The library is empty. Add files with: briefdesk import PATH ...")
        return 0
    for doc in docs:
        print(_doc_line(doc))
    print(f"{len(docs)} document{'s' * (len(docs) != 1)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        doc = lib.document(args.id)
        passages = lib.passages(doc.id)
    for label, value in (
        ("Title", doc.title), ("Publisher", doc.publisher), ("Published", doc.published),
        ("Author", doc.author), ("File", doc.filename), ("Kind", doc.kind),
        ("Pages", doc.pages or ""), ("Passages", doc.passages), ("Imported", doc.imported_at),
        ("Id", doc.id), ("Stored copy", doc.stored_path),
        ("OCR", f"mean confidence {doc.ocr_confidence:.0%}" if doc.ocr_confidence else ""),
    ):  # fmt: skip
        if value != "":
            print(f"{label + ':':<12} {value}")
    for note in doc.notes:
        print(f"{'Note:':<12} {note}")
    if args.passages:
        for p in passages:
            recognised = p.locator.confidence
            scan = f"  (recognised from a scan, {recognised:.0%})" if recognised is not None else ""
            print(f"\n[{p.ordinal}] {p.locator.label()}{scan}")
            print(textwrap.indent(textwrap.fill(p.text, 96), "    "))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    changes = {
        k: v
        for k, v in (
            ("title", args.title), ("publisher", args.publisher),
            ("published", args.published), ("author", args.author),
        )
        if v is not None
    }  # fmt: skip
    with _open(args) as lib:
        doc = lib.update_document(args.id, **changes)
    print(_doc_line(doc))
    return 0


def cmd_reread(args: argparse.Namespace) -> int:
    progress = Progress()
    cancel = CancelToken()
    found: DetailsRead | None = None
    with _open(args) as lib:
        ids = [lib.document(i).id for i in args.ids] if args.ids else None
        try:
            for ev in lib.read_details_again(ids, cancel):
                match ev:
                    case DetailsProgress(index=i, total=n, title=title, page=page, pages=pages):
                        step = f": reading page {page} of {pages}" if pages else ""
                        progress.show(i - 1, n, f"{title[:60]}{step}")
                    case DetailsRead():
                        found = ev
        except KeyboardInterrupt:
            cancel.cancel()
            progress.line("Cancelled: nothing was changed.")
            return 130
        progress.clear()
        assert found is not None
        for doc, reason in found.failed:
            print(f"failed     {doc.title}: {reason}")
        for doc in found.unavailable:
            print(f"not here   {doc.title}: its original is on the computer that imported it")
        for change in found.changes:
            print(f"{change.title[:50]}: {change.field} {change.old!r} -> {change.new!r}")
        n = len(found.changes)
        details = f"{n} detail{'s' * (n != 1)}"
        if not n:
            read = f"{found.read} document{'s' * (found.read != 1)}"
            print(f"{read} read again; every detail reads as before.")
        elif not args.apply:
            print(f"{details} read differently. Apply them with --apply.")
        else:
            sources = found.date_sources()
            for doc_id, changes in found.by_document().items():
                lib.update_document(doc_id, date_source=sources.get(doc_id), **changes)
            print(f"{details} updated.")
    return 1 if found.failed else 0


def cmd_remove(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        doc = lib.remove_document(args.id)
    print(f"removed {doc.title!r}")
    return 0


def print_hits(hits: Sequence[Hit], width: int = 96) -> None:
    for n, hit in enumerate(hits, start=1):
        print(f"{n}. {hit.citation_label()}")
        snippet = " ".join(hit.passage.text.split())
        if len(snippet) > 400:
            snippet = snippet[:400].rsplit(" ", 1)[0] + " …"
        print(textwrap.indent(textwrap.fill(snippet, width), "   "))
        print()


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        hits = lib.search(
            " ".join(args.query), args.k, date_from=args.since, date_to=args.until,
            doc_ids=[lib.document(d).id for d in args.doc] if args.doc else None,
        )  # fmt: skip
    if not hits:
        print("No passages match.")
        return 0
    print_hits(hits)
    return 0


def _export_options(args: argparse.Namespace) -> ExportOptions:
    settings = load_settings().export
    return ExportOptions(
        author=args.author if args.author is not None else settings.author,
        marking=args.marking if args.marking is not None else settings.marking,
        citation_style=args.citations or settings.citation_style,
        unsupported=args.unsupported or settings.unsupported,
    )


def _run_draft(
    args: argparse.Namespace,
    lib: Library,
    topic: str,
    template_id: str,
    model_choice: str | None,
    only: list[str] | None,
    briefing: Briefing | None = None,
) -> Briefing:
    from rag.api import (
        ClaimAdded,
        DraftFinished,
        DraftStarted,
        SectionDone,
        SectionRevised,
        SectionStarted,
        open_chat_model,
    )
    from rag.api import draft as run_draft

    template = get_template(template_id)
    settings = _settings(args)
    if settings.model.server:
        print(f"Using the model server at {settings.model.server} ...", file=sys.stderr)
    else:
        print(f"Loading the model ({model_choice or settings.model.model}) ...", file=sys.stderr)
    model = open_chat_model(model_choice, settings)
    cancel = CancelToken()
    result: Briefing | None = None
    try:
        for ev in run_draft(
            lib, model, template, topic, briefing=briefing, sections=only, cancel=cancel,
            settings=settings.draft_settings(model.name, model.n_ctx),
        ):  # fmt: skip
            match ev:
                case DraftStarted(sources=n):
                    print(f"Drafting {template.name!r} from {n} passages", file=sys.stderr)
                case SectionStarted(index=i, total=n, section=section):
                    print(f"[{i}/{n}] {section.title}", file=sys.stderr)
                case ClaimAdded(claim=claim):
                    flag = "  (unsupported)" if claim.check.unsupported else ""
                    print(f"      - {claim.text[:110]}{flag}", file=sys.stderr)
                    crash_point("cli.claim_shown")
                case SectionDone(section=section) if section.note:
                    print(f"      {section.note}", file=sys.stderr)
                case SectionRevised(section=section):
                    print(f"      (a fuller claim took the place of one in {section.title})",
                          file=sys.stderr)  # fmt: skip
                case DraftFinished(briefing=b):
                    result = b
    except KeyboardInterrupt:
        cancel.cancel()
        raise
    assert result is not None
    return result


def _summary(b: Briefing) -> str:
    s = b.stats
    return (
        f"{s.get('sections', 0)} sections, {s.get('claims', 0)} claims, "
        f"{s.get('citations', 0)} citations, {s.get('unsupported', 0)} unsupported; "
        f"{s.get('seconds', 0):.0f} s; prompt tokens {s.get('prompt_tokens_sent', 0)} sent, "
        f"{s.get('prompt_tokens_evaluated', 0)} evaluated"
    )


def cmd_draft(args: argparse.Namespace) -> int:
    with _open(args) as lib:
        briefing = _run_draft(args, lib, args.topic, args.template, args.model, None)
    print(f"Briefing {briefing.id}: {_summary(briefing)}")
    if briefing.stats.get("cancelled"):
        print("Drafting was cancelled; what was drafted is saved.", file=sys.stderr)
    if args.out:
        out = export_docx(briefing, Path(args.out), options=_export_options(args))
        print(f"Exported to {out}")
    return 0


def cmd_redraft(args: argparse.Namespace) -> int:
    from rag.api import briefing_path

    with _open(args) as lib:
        briefing = Briefing.load(briefing_path(lib, _briefing_id(lib, args.id)))
        briefing = _run_draft(
            args, lib, briefing.topic, briefing.template_id, args.model, args.section, briefing
        )
    print(f"Briefing {briefing.id}: {_summary(briefing)}")
    return 0


def _briefing_id(lib: Library, prefix: str) -> str:
    from rag.api import list_briefings

    matches = [b.id for b in list_briefings(lib) if b.id.startswith(prefix)]
    if len(matches) != 1:
        raise BriefDeskError(
            f"No saved briefing {prefix!r}." if not matches else f"{prefix!r} is ambiguous."
        )
    return matches[0]


def cmd_briefings(args: argparse.Namespace) -> int:
    from rag.api import list_briefings

    with _open(args) as lib:
        found = list_briefings(lib)
    if not found:
        print('No briefings yet. Draft one with: briefdesk draft --topic "..."')
    for b in found:
        print(f"{b.id[:8]}  {b.updated[:16]}  {b.template_name:<20} {b.topic[:60]}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from rag.api import briefing_path

    with _open(args) as lib:
        briefing = Briefing.load(briefing_path(lib, _briefing_id(lib, args.id)))
    out = export_docx(briefing, Path(args.out), options=_export_options(args))
    print(f"Exported to {out}")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    for t in available_templates():
        origin = "built-in" if t.builtin else f"yours: {t.source}"
        print(f"{t.id:<18} {t.name} ({len(t.sections)} sections, {origin})")
    for problem in template_problems():
        print(f"skipped: {problem}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The README's main job: the demo library, a search, and the demo briefing in Word."""
    demo = demo_library_dir()
    print(f"Demo library: importing {demo}")
    args.paths = [str(demo)]
    status = cmd_import(args)
    if status:
        return status
    print(f"\nSearch: {DEMO_QUERIES[0]}\n")
    args.query, args.k, args.since, args.until, args.doc = [DEMO_QUERIES[0]], 3, None, None, None
    cmd_search(args)
    out = Path(args.out) if args.out else data_home() / "Demo briefing.docx"
    args.topic, args.template, args.out = DEMO_TOPIC, DEMO_TEMPLATE, str(out)
    return cmd_draft(args)


def _model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        help="drafting model: default, small, a registered name or a .gguf path "
        "(default: the one in settings)",
    )


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--author", help="author in the title block (default: settings)")
    p.add_argument("--marking", help="handling marking (default: settings)")
    p.add_argument(
        "--citations", choices=("footnotes", "references"), help="Word footnotes or numbered refs"
    )
    p.add_argument(
        "--unsupported", choices=("mark", "omit"), help="mark unsupported claims or leave them out"
    )


def build_parser() -> argparse.ArgumentParser:
    from rag.cli import models as cli_models

    parser = argparse.ArgumentParser(
        prog="briefdesk",
        description="Draft cited briefings from your own documents, fully offline.",
    )
    parser.add_argument("--version", action="version", version=f"briefdesk {__version__}")
    parser.add_argument(
        "--library",
        type=Path,
        default=None,
        help="library folder (default: the one in settings, else the data folder's library)",
    )
    shared = parser.add_argument_group("servers (a shared team library, a shared model)")
    shared.add_argument(
        "--chroma-server",
        metavar="URL",
        help="use the shared library on this Chroma server, e.g. http://10.0.0.5:8000 "
        "(default: settings; --library then names this computer's copy of it)",
    )
    shared.add_argument(
        "--library-name",
        metavar="NAME",
        help="which library on the Chroma server (default: settings)",
    )
    shared.add_argument(
        "--local-library", action="store_true", help="ignore a Chroma server set in settings"
    )
    shared.add_argument(
        "--model-server",
        metavar="URL",
        help="draft with the model on this OpenAI-compatible server (llama_cpp.server or "
        "llama-server), e.g. http://10.0.0.5:8080 (default: settings)",
    )
    shared.add_argument(
        "--local-model", action="store_true", help="ignore a model server set in settings"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import files and folders (recursively)")
    p.add_argument("paths", nargs="+", help="files or folders (PDF, DOCX, HTML, TXT, Markdown)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("list", help="list the library's documents")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show one document's details")
    p.add_argument("id", help="document id (the first characters are enough)")
    p.add_argument("--passages", action="store_true", help="print every passage with its locator")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("edit", help="correct a document's title, publisher, date or author")
    p.add_argument("id", help="document id (the first characters are enough)")
    p.add_argument("--title")
    p.add_argument("--publisher")
    p.add_argument("--published", help="publication date, YYYY-MM-DD")
    p.add_argument("--author")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser(
        "reread",
        help="read documents again for their title, publisher, date, author and address "
        "(after an update to BriefDesk's readers)",
    )
    p.add_argument("ids", nargs="*", help="document ids (default: every document)")
    p.add_argument("--apply", action="store_true", help="apply the details read differently")
    p.set_defaults(func=cmd_reread)

    p = sub.add_parser("remove", help="remove a document and everything derived from it")
    p.add_argument("id", help="document id (the first characters are enough)")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("search", help="search the library (keywords and meaning combined)")
    p.add_argument("query", nargs="+", help="what to look for")
    p.add_argument("-k", type=int, default=5, help="how many passages to show (default 5)")
    p.add_argument("--since", help="only documents published on or after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only documents published on or before this date")
    p.add_argument("--doc", action="append", help="only this document (repeatable)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("draft", help="draft a cited briefing and (with --out) export it to Word")
    p.add_argument("--topic", required=True, help="what the briefing is about")
    p.add_argument("--template", default="situation-brief", help="template id (see: templates)")
    _model_option(p)
    p.add_argument("--out", help="write the briefing to this .docx file")
    _export_arguments(p)
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("redraft", help="draft one or more sections of a saved briefing again")
    p.add_argument("id", help="briefing id (the first characters are enough)")
    p.add_argument("--section", action="append", required=True, help="section key (repeatable)")
    _model_option(p)
    p.set_defaults(func=cmd_redraft)

    p = sub.add_parser("briefings", help="list saved briefings")
    p.set_defaults(func=cmd_briefings)

    p = sub.add_parser("export", help="export a saved briefing to Word")
    p.add_argument("id", help="briefing id (the first characters are enough)")
    p.add_argument("--out", required=True, help="the .docx file to write")
    _export_arguments(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("templates", help="list briefing templates")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser(
        "demo", help="import the demo documents, search them and draft the demo briefing"
    )
    _model_option(p)
    p.add_argument("--out", help="where to write the demo briefing (.docx)")
    _export_arguments(p)
    p.set_defaults(func=cmd_demo)

    cli_models.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except BriefDeskError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("briefdesk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
