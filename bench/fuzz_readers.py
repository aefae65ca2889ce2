"""Fuzz each reader with mutated copies of valid files, through the real isolated read path.

Run: ``.venv/bin/python bench/fuzz_readers.py [--seconds 60] [--readers pdf,docx,html,txt,md]
[--seed 1] [--timeout 10] [--out fuzz-failures]``

For each reader, valid seed files are built in memory (PDF with fpdf2, compressed and not;
DOCX with python-docx; HTML, text and Markdown by hand) and mutated for ``--seconds``: bit
flips, overwritten, deleted, duplicated and inserted spans, truncation, format tokens spliced
in or repeated, and for DOCX also corruption of one zip member's XML, of its compressed bytes
and of the zip directory's fields. Each input goes through ``rag.reading.isolation.read_isolated``,
exactly as an import does, and the outcome is counted:

  ok         read successfully
  refused    ReadError with a reason the reader wrote for it
  generic    ReadError whose reason names a Python exception ("damaged Word file: ValueError:
             ..."): handled, but a parser failure nobody worded a reason for
  hang       over the time limit; oom: over the memory limit; crash: the worker died
  escaped    any exception other than ReadError (must never happen)

Inputs that hang, exhaust memory, crash or escape are saved under ``--out`` for replay. Exit
status 1 if there was any. Random but reproducible: the same ``--seed`` gives the same inputs.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.core.errors import ReadError  # noqa: E402
from rag.reading import isolation  # noqa: E402

SEED_ARTICLES = ROOT / "tests" / "data" / "articles"
MAX_BYTES = 50 * 1024 * 1024
EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "txt": ".txt", "md": ".md"}
# A reason that names a Python exception: the reader's catch-all caught something unforeseen.
GENERIC = re.compile(r"\b(?:[A-Z]\w*(?:Error|Exception)|BadZipFile)\b")

# fmt: off
TOKENS: dict[str, list[bytes]] = {
    "pdf": [
        b'obj', b'endobj', b'stream\n', b'endstream', b'<<', b'>>', b'[', b']', b' 0 R',
        b'/Length 99999999', b'/Kids [2 0 R]', b'/Parent 1 0 R', b'/Filter /FlateDecode',
        b'/Filter /LZWDecode', b'/Filter [/ASCIIHexDecode /FlateDecode]', b'/Count -1',
        b'/Type /Pages', b'BT', b'ET', b'Tj', b'TJ', b'Tf', b'Do', b'q', b'Q', b'(', b')', b'\\',
        b'xref', b'trailer', b'startxref', b'%%EOF', b'/Encrypt', b'/ObjStm',
        b'99999999999999999999', b'-1', b'3.4e38',
    ],
    "docx": [
        b'<w:p>', b'</w:p>', b'<w:r>', b'<w:t>', b'</w:t>', b'<w:tbl>', b'<w:tc>',
        b'<w:txbxContent>', b'<mc:Fallback>', b'&amp;', b'&#0;', b'&#x110000;', b'<![CDATA[',
        b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", b'&e;', b'w:val="',
        b'<w:pStyle w:val="Heading1"/>', b'xmlns:w=', b'\xff\xfe', b'<?xml',
    ],
    "html": [
        b'<div>', b'</div>', b'<article>', b'</article>', b'<main>', b'<p>', b'</p>', b'<script>',
        b'</script>', b'<!--', b'-->', b'<![CDATA[', b'&#x10FFFF;', b'&#0;', b'&amp',
        b'<meta charset=utf-16>', b'<meta charset=bogus>', b'<title>', b'<br>', b'<svg>',
        b' hidden ', b' style="display:none"', b'<h1>', b'<', b'>', b'\x00',
        b"<time datetime='9999-99-99'>", b'<meta property="og:title" content="',
    ],
    "txt": [
        b'\n', b'\n\n', b'\r', b'\f', b'\x00', b'\xef\xbb\xbf', b'\xff\xfe', b'Title: ',
        b'Date: 31/31/2026', b'- ', b'1. ', b'\xe2\x80\x94', b'\xc3', b'\t',
        b' ' * 200,
    ],
    "md": [
        b'**', b'__', b'*', b'_', b'`', b'```', b'~~~', b'# ', b'###### ', b'[', b'](', b']',
        b'![', b'<', b'>', b'---\n', b'===\n', b'|', b'| --- |', b'\\', b'> ', b'\n', b'<br>',
        b'<!--', b'-->', b'title: x\n',
    ],
}
# fmt: on


# --- seeds ------------------------------------------------------------------------------------


def article() -> str:
    files = sorted(SEED_ARTICLES.glob("*.txt")) if SEED_ARTICLES.is_dir() else []
    if files:
        return files[0].read_text(encoding="utf-8")[:6000]
    sentence = "The rule restricts exports of advanced chips and model weights to listed firms. "
    return "Title: Export rule\nDate: 2026-03-01\n\n" + (sentence * 8 + "\n\n") * 6


def pdf_seeds() -> list[bytes]:
    from fpdf import FPDF

    seeds = []
    for compress in (False, True):
        pdf = FPDF()
        pdf.set_compression(compress)
        pdf.set_title("Interim Final Rule")
        pdf.set_author("Policy Desk")
        pdf.set_font("Helvetica", size=11)
        for page in range(3):
            pdf.add_page()
            text = article()[:900].encode("latin-1", "replace").decode("latin-1")  # core font
            pdf.multi_cell(0, 6, f"Page {page + 1}. {text}")
        seeds.append(bytes(pdf.output()))
    return seeds


def docx_seeds() -> list[bytes]:
    import docx

    document = docx.Document()
    document.core_properties.title = "Allied Responses"
    document.core_properties.author = "Jane Analyst"
    document.add_paragraph("Allied Responses", style="Title")
    document.add_paragraph("Outlook", style="Heading 1")
    for paragraph in article().split("\n\n")[:6]:
        document.add_paragraph(paragraph.strip() or "Empty.")
    table = document.add_table(rows=2, cols=2)
    for n, cell in enumerate(table._cells):
        cell.text = f"Cell {n} of the measures table"
    out = io.BytesIO()
    document.save(out)
    return [out.getvalue()]


def html_seeds() -> list[bytes]:
    paragraphs = "".join(f"<p>{p.strip()}</p>" for p in article().split("\n\n")[:6])
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Chip rule | Wire</title>'
        '<meta property="og:site_name" content="Wire">'
        '<meta property="article:published_time" content="2026-03-01T08:00:00Z"></head>'
        '<body><nav><a href="/">Home</a></nav><article><h1>Chip rule</h1>'
        f'{paragraphs}<div style="display:none">hidden</div></article>'
        "<footer>Copyright</footer></body></html>"
    )
    return [page.encode("utf-8")]


def text_seeds() -> list[bytes]:
    return [article().encode("utf-8")]


def md_seeds() -> list[bytes]:
    body = article()
    text = (
        "---\ntitle: Export rule\ndate: 2026-03-01\n---\n\n# Export rule\n\n"
        + body[:1500]
        + "\n\n## Measures\n\n- **Chips**: *restricted* under [the rule](http://x)\n"
        "- `code span` and __bold__\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n"
    )
    return [text.encode("utf-8")]


SEEDS: dict[str, Callable[[], list[bytes]]] = {
    "pdf": pdf_seeds,
    "docx": docx_seeds,
    "html": html_seeds,
    "txt": text_seeds,
    "md": md_seeds,
}


# --- mutations ----------------------------------------------------------------------------------


def flip_bits(rng: random.Random, data: bytes, kind: str) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def overwrite(rng: random.Random, data: bytes, kind: str) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at + 64 :]


def delete_span(rng: random.Random, data: bytes, kind: str) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, max(1, len(data) // 8)) :]


def duplicate_span(rng: random.Random, data: bytes, kind: str) -> bytes:
    at = rng.randrange(len(data))
    span = data[at : at + rng.randint(1, 4096)]
    to = rng.randrange(len(data))
    return data[:to] + span * rng.randint(1, 8) + data[to:]


def truncate(rng: random.Random, data: bytes, kind: str) -> bytes:
    return data[: rng.randrange(1, len(data))]


def splice_token(rng: random.Random, data: bytes, kind: str) -> bytes:
    at = rng.randrange(len(data) + 1)
    token = rng.choice(TOKENS[kind])
    return data[:at] + token * rng.choice((1, 1, 1, 2, 10, 100, 1000)) + data[at:]


GENERIC_MUTATIONS = [flip_bits, overwrite, delete_span, duplicate_span, truncate, splice_token]


def docx_member(rng: random.Random, data: bytes, kind: str) -> bytes:
    """Mutate one member's uncompressed bytes (mostly XML), or drop it, and zip it up again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as old:
            members = [(info.filename, old.read(info.filename)) for info in old.infolist()]
    except Exception:
        return flip_bits(rng, data, kind)
    victim = rng.randrange(len(members))
    name, content = members[victim]
    if rng.random() < 0.1:
        del members[victim]
    elif rng.random() < 0.1:
        members.append((name, content))  # the same name twice
    elif content:
        members[victim] = (name, rng.choice(GENERIC_MUTATIONS)(rng, content, kind))
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        warnings.simplefilter("ignore")  # "Duplicate name": intended
        for member_name, member in members:
            new.writestr(member_name, member)
    return out.getvalue()


# (offset, width) of the fields worth corrupting in a central-directory entry and in the
# end-of-central-directory record.
_CENTRAL_FIELDS = ((8, 2), (10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (42, 4))
_END_FIELDS = ((8, 2), (10, 2), (12, 4), (16, 4), (20, 2))


def docx_directory(rng: random.Random, data: bytes, kind: str) -> bytes:
    """Corrupt a size, offset, count or length field of the zip's directory."""
    records = [m.start() for m in re.finditer(rb"PK\x01\x02|PK\x05\x06", data)]
    if not records:
        return flip_bits(rng, data, kind)
    at = rng.choice(records)
    offset, width = rng.choice(_CENTRAL_FIELDS if data[at + 3] == 2 else _END_FIELDS)
    top = (1 << (8 * width)) - 1
    value = rng.choice((0, 1, 0xFF, 0xFFFF, top, rng.randrange(top + 1))) & top
    out = bytearray(data)
    out[at + offset : at + offset + width] = value.to_bytes(width, "little")
    return bytes(out)


def mutations(kind: str) -> list[Callable[[random.Random, bytes, str], bytes]]:
    if kind == "docx":
        return [*GENERIC_MUTATIONS, docx_member, docx_member, docx_member, docx_directory]
    return GENERIC_MUTATIONS


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    generic: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0


def classify(reason: str) -> str:
    if reason.startswith("took longer than"):
        return "hang"
    if reason.startswith("needed more than"):
        return "oom"
    if reason.startswith(("the file reader crashed", "the file reader stopped", "could not start")):
        return "crash"
    if GENERIC.search(reason):
        return "generic"
    return "refused"


def fuzz(kind: str, seconds: float, rng: random.Random, timeout: float, out: Path) -> Tally:
    seeds = SEEDS[kind]()
    tally = Tally()
    strategies = mutations(kind)
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{kind}-") as tmp:
        path = Path(tmp) / f"input{EXTENSIONS[kind]}"
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            data = rng.choice(seeds)
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                if len(data) < 2:  # every mutation needs something to cut and splice
                    data += rng.randbytes(2)
                data = rng.choice(strategies)(rng, data, kind)
            data = data or b"\0"  # an empty file is refused before any parser; keep a byte
            path.write_bytes(data)
            start = time.monotonic()
            try:
                isolation.read_isolated(path, max_bytes=MAX_BYTES, timeout=timeout)
                outcome = "ok"
            except ReadError as exc:
                reason = str(exc)
                outcome = classify(reason)
                tally.reasons[re.sub(r"\d+", "N", reason)[:90]] += 1
                if outcome == "generic":
                    tally.generic[GENERIC.findall(reason)[0]] += 1
            except Exception as exc:  # read_isolated promises ReadError only
                outcome = "escaped"
                print(f"  escaped: {type(exc).__name__}: {exc}", file=sys.stderr)
            tally.slowest = max(tally.slowest, time.monotonic() - start)
            tally.counts[outcome] += 1
            if outcome in ("hang", "oom", "crash", "escaped"):
                out.mkdir(parents=True, exist_ok=True)
                saved = out / f"{kind}-{outcome}-{tally.counts[outcome]}{EXTENSIONS[kind]}"
                saved.write_bytes(data)
                print(f"  {outcome}: saved {saved}", file=sys.stderr)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per reader")
    parser.add_argument("--readers", default=",".join(SEEDS), help="comma-separated kinds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="per input, seconds")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args(argv)
    bad = 0
    columns = ("ok", "refused", "generic", "hang", "oom", "crash", "escaped")
    print(f"seed {args.seed}, {args.seconds:g} s per reader, {args.timeout:g} s per input")
    print(f"{'reader':7}{'inputs':>8}" + "".join(f"{c:>9}" for c in columns) + f"{'slowest':>10}")
    for kind in args.readers.split(","):
        tally = fuzz(
            kind, args.seconds, random.Random(f"{args.seed}-{kind}"), args.timeout, args.out
        )
        total = sum(tally.counts.values())
        cells = "".join(f"{tally.counts[c]:>9}" for c in columns)
        print(f"{kind:7}{total:>8}{cells}{tally.slowest:>9.2f}s", flush=True)
        for reason, count in tally.reasons.most_common(4):
            print(f"         {count:>6} x {reason}")
        if tally.generic:
            print(f"         unanticipated parser errors: {dict(tally.generic.most_common(6))}")
        bad += sum(tally.counts[c] for c in ("hang", "oom", "crash", "escaped"))
    isolation.shutdown_workers()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
