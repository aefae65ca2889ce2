"""Scans: pages/s, peak memory and character accuracy of importing a scanned PDF, beside the
same document with a text layer (``python -m bench.phase_ocr``).

The benchmark writes its own document: known sentences printed on letter pages at 200 dpi
(DejaVu Sans when the machine has it, else PIL's built-in font, so that a fresh machine runs
it too), saved once as an image-only PDF (a scan) and once as a PDF with a text layer. Both
are imported through the library, reader worker and all. Accuracy compares the text the
library stored for the scan with the known text, page by page (1 - edit distance / length).
It also reads one page with RapidOCR's default settings and with BriefDesk's, in the same
run, since a shared machine's speed changes from minute to minute.
"""

from __future__ import annotations

import random
import textwrap
import threading
import time
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from bench.common import Stopwatch, figure, peak_rss_mb, phase_args, write_result
from rag.indexing.library import Library
from rag.reading import isolation
from rag.reading.ingest import FileFailed, FileImported

DPI = 200
PAGE_PX = (int(8.5 * DPI), int(11 * DPI))
FONT_PT = 11
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_VOCABULARY = (
    "export controls on advanced computing chips entity list license requirement semiconductor "
    "frontier model weights diffusion rule retaliation gallium germanium restrictions Commerce "
    "Department Bureau of Industry and Security foreign direct product data center validated "
    "end user allies tier countries threshold performance density compute the a of to in for "
    "with by from which that were was has have been will March 2026 15 percent billion"
).split()


def known_pages(count: int, seed: int = 7) -> list[list[str]]:
    """``count`` pages of printed lines: sentences from a fixed vocabulary, in paragraphs."""
    rng = random.Random(seed)
    pages = []
    for _ in range(count):
        lines: list[str] = []
        while len(lines) < 40:
            words = [rng.choice(_VOCABULARY) for _ in range(rng.randint(40, 80))]
            paragraph = " ".join(words)
            paragraph = paragraph[0].upper() + paragraph[1:] + "."
            lines += [*textwrap.wrap(paragraph, 78), ""]
        pages.append(lines[:40])
    return pages


def _font(size_px: int) -> Any:
    from PIL import ImageFont

    if _DEJAVU.exists():
        return ImageFont.truetype(str(_DEJAVU), size_px)
    return ImageFont.load_default(size=size_px)


def page_image(lines: list[str]) -> Any:
    from PIL import Image, ImageDraw

    image = Image.new("L", PAGE_PX, 255)
    draw = ImageDraw.Draw(image)
    size = round(FONT_PT * DPI / 72)
    font = _font(size)
    y = DPI  # one-inch margins
    for line in lines:
        draw.text((DPI, y), line, fill=0, font=font)
        y += round(size * 1.45)
    return image


def write_documents(folder: Path, pages: list[list[str]]) -> tuple[Path, Path]:
    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    images = [page_image(lines) for lines in pages]
    scanned = folder / "scanned.pdf"
    images[0].save(scanned, save_all=True, append_images=images[1:], resolution=DPI)
    pdf = FPDF(format="letter")
    pdf.set_font("Helvetica", size=FONT_PT)
    for lines in pages:
        pdf.add_page()
        pdf.multi_cell(0, FONT_PT * 0.5, "\n".join(lines))
    text = folder / "text-layer.pdf"
    pdf.output(str(text))
    return scanned, text


class WorkerPeak:
    """The reader workers' peak resident memory, sampled while they run (VmHWM)."""

    def __init__(self) -> None:
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            with isolation._ALL_LOCK:
                pids = [w._proc.pid for w in isolation._ALL]
            for pid in pids:
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.mb = max(self.mb, int(line.split()[1]) / 1024)
                except (OSError, ValueError):
                    pass


def _import(lib: Library, path: Path) -> tuple[float, str, list[str]]:
    doc_id, failed = "", []
    with Stopwatch() as sw:
        for event in lib.import_paths([path]):
            if isinstance(event, FileImported):
                doc_id = event.document.id
            elif isinstance(event, FileFailed):
                failed.append(event.reason)
    return sw.seconds, doc_id, failed


def character_accuracy(truth: str, text: str) -> float:
    truth, text = " ".join(truth.split()), " ".join(text.split())
    matcher = SequenceMatcher(None, truth, text, autojunk=False)
    opcodes = matcher.get_opcodes()
    edits = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in opcodes if op != "equal")
    return max(0.0, 1 - edits / max(1, len(truth)))


def one_page_settings(lines: list[str]) -> dict[str, float]:
    """Seconds for one page with RapidOCR's defaults and with BriefDesk's settings."""
    from rapidocr_onnxruntime import RapidOCR

    from rag.reading.readers import ocr

    image = page_image(lines)
    import numpy as np

    pixels = np.asarray(image.convert("RGB"))
    defaults = RapidOCR()
    ocr._engine()
    out = {}
    for name, run in (
        ("defaults", lambda: defaults(pixels)),
        ("briefdesk", lambda: ocr.recognise(image)),
    ):
        with Stopwatch() as sw:
            run()
        out[name] = sw.seconds
    return out


def main() -> None:
    args = phase_args()
    work: Path = args.work
    pages = known_pages(3 if args.quick else 20)
    scanned, text_layer = write_documents(work / "documents", pages)

    lib = Library.open(work / "library")
    lib.read_timeout_s = 600.0  # per page; a shared machine can be many times slower
    lib.embedder.embed(["warm up the session"])
    text_s, _, text_failed = _import(lib, text_layer)
    with WorkerPeak() as worker:
        scan_s, scan_id, scan_failed = _import(lib, scanned)
    accuracy = None
    if scan_id:
        passages = lib.store.passages_of(scan_id)
        scores = []
        for number, lines in enumerate(pages, start=1):
            got = " ".join(p.text for p in passages if p.locator.page == number)
            scores.append((character_accuracy(" ".join(lines), got), len(" ".join(lines))))
        accuracy = sum(s * n for s, n in scores) / sum(n for _, n in scores)
    app_rss = peak_rss_mb()
    lib.close()
    isolation.shutdown_workers()
    time.sleep(0.1)
    settings = one_page_settings(pages[0])

    n = len(pages)
    figures = [
        figure(
            f"OCR: pages/s, {n}-page scan at {DPI} dpi", n / scan_s, "pages/s",
            baseline=n / text_s, baseline_name="same text with a text layer",
            target="value>=0.333", note="reader worker, embedding and saving included",
        ),
        figure(
            "OCR: character accuracy, clean pages", accuracy, "fraction", target="value>=0.95",
            note="font: " + ("DejaVu Sans" if _DEJAVU.exists() else "PIL built-in"),
        ),
        figure(
            "OCR: peak memory of the reader worker", worker.mb, "MB", target="value<1536",
            higher_is_better=False,
        ),
        figure(
            "OCR: one page, BriefDesk settings vs RapidOCR defaults", settings["briefdesk"], "s",
            baseline=settings["defaults"], baseline_name="RapidOCR defaults",
            target="ratio<=0.6", higher_is_better=False,
        ),
    ]  # fmt: skip
    write_result(
        args.out,
        "ocr",
        figures,
        {
            "pages": n,
            "scan_s": scan_s,
            "text_layer_s": text_s,
            "accuracy": accuracy,
            "worker_peak_rss_mb": worker.mb,
            "app_peak_rss_mb": app_rss,
            "one_page_s": settings,
            "failed": scan_failed + text_failed,
        },
    )


if __name__ == "__main__":
    main()
