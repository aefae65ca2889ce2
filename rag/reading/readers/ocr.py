"""Recognise the text in a page image, offline: RapidOCR running PP-OCRv4 on onnxruntime.

The models (detection, recognition, angle classifier; Chinese and English) come inside the
rapidocr-onnxruntime wheel, so nothing is ever downloaded. RapidOCR imports OpenCV (cv2), and
the opencv-python wheel carries Qt libraries of its own that must never meet PySide6's: this
module is imported only by readers, which run in the isolated reader worker process
(rag.reading.isolation), never in the desktop app's process. Tests check that.

Settings, measured on a 2-core machine (BENCHMARKS.md has the figures):
- onnxruntime uses 2 intra-op threads: by default it sizes its pool to every core it can see,
  which on a shared machine only adds contention.
- Detection sees the page scaled so that its longer side is ``_DETECT_SIDE`` pixels (RapidOCR's
  default scales the *shorter* side up to at least 736, i.e. detects on the full 200-dpi page);
  recognition still reads each line from the full-resolution page, so accuracy holds.
- The angle classifier runs only when a page reads badly without it: scans are upright far
  more often than not, and a page read upside down scores low confidence.
- Each detected line is narrowed to ``_SQUEEZE`` of its width before recognition. The
  recogniser (trained mostly on Chinese, where lines have no spaces) drops narrow word spaces
  of Latin text ("weretightenedinJanuary2026."): on 11-pt DejaVu Sans at 200 dpi, 169 of
  about 400 spaces on a page went missing as is, about 75 narrowed to 0.65 (character accuracy
  0.916 -> 0.968, every other character right either way). Fewer columns to read: faster too.
- Lines are recognised one at a time (batch size 1): in a batch each line is padded to the
  widest, and the padding changed which spaces were kept.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from rag.core.errors import ReadError
from rag.core.types import LOW_CONFIDENCE
from rag.reading.readers.layout import TextBox, reading_order

__all__ = ["LOW_CONFIDENCE", "OCR_DPI", "RecognisedPage", "recognise"]

log = logging.getLogger(__name__)

OCR_DPI = 200  # PDF pages are rendered at this resolution for recognition
_RETRY_WITH_ANGLES = 0.85  # below this, read the page again with the angle classifier
_DETECT_SIDE = 960
_MIN_SCORE = 0.3  # boxes below this are noise; those between it and the floor are kept, flagged
_SQUEEZE = 0.65  # measured: 0.8 and 0.55 drop more spaces; 0.5 loses letters

_SETTINGS: dict[str, Any] = {
    "intra_op_num_threads": 2,
    "inter_op_num_threads": 1,
    "det_limit_type": "max",
    "det_limit_side_len": _DETECT_SIDE,
    "rec_batch_num": 1,
    "text_score": _MIN_SCORE,
    "use_cls": False,
}


@dataclass(frozen=True, slots=True)
class RecognisedPage:
    lines: list[str]  # in reading order; "" between paragraphs and columns
    confidence: float | None  # mean recognition confidence, weighted by characters; None: no text

    @property
    def low(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


_ENGINE: Any = None

# Around loading the engine. The reader worker sets this to lift its memory limit for the
# load: the engine's code and models (about 750 MB of address space, most of it mapped
# libraries) are a fixed cost of the program, not of the file being read, and the limit that
# follows is the file's allowance on top of them.
engine_loading: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext


def recognise(image: Any) -> RecognisedPage:
    """The text of ``image`` (a PIL image) in reading order, with its confidence."""
    import numpy as np

    pixels = np.asarray(image.convert("L"))
    boxes = _boxes(pixels, angles=False)
    page = _page(boxes)
    if page.confidence is not None and page.confidence < _RETRY_WITH_ANGLES:
        retried = _page(_boxes(pixels, angles=True))
        if (retried.confidence or 0.0) > page.confidence:
            page = retried
    return page


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        with engine_loading():
            from rapidocr_onnxruntime import RapidOCR  # imports cv2: reader worker only

            engine = RapidOCR(**_SETTINGS)
            engine.text_rec = _Narrowed(engine.text_rec, _SQUEEZE)
            _ENGINE = engine
    return _ENGINE


class _Narrowed:
    """The recogniser, given each line image narrowed to ``factor`` of its width."""

    def __init__(self, recogniser: Any, factor: float) -> None:
        self._recogniser = recogniser
        self._factor = factor

    def __call__(self, images: Any, *args: Any, **kwargs: Any) -> Any:
        import cv2  # the reader worker only, like all of this module's engine

        if isinstance(images, list):
            images = [self._narrow(image, cv2) for image in images]
        return self._recogniser(images, *args, **kwargs)

    def _narrow(self, image: Any, cv2: Any) -> Any:
        height, width = image.shape[:2]
        if width < 8:
            return image
        size = (max(1, round(width * self._factor)), height)
        return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)


def _boxes(pixels: Any, *, angles: bool) -> list[TextBox]:
    engine = _engine()
    try:
        result, _ = engine(pixels, use_cls=angles)
    except MemoryError:
        raise
    except Exception as exc:
        # onnxruntime reports a failed allocation (the memory limit) as a RuntimeException
        # that mentions std::bad_alloc: it is a memory problem, reported as one.
        if "bad_alloc" in str(exc) or "bad_alloc" in str(exc.__cause__):
            raise MemoryError("text recognition ran out of memory") from exc
        log.warning("text recognition failed", exc_info=True)
        raise ReadError("text recognition failed on a page image") from exc
    boxes = []
    for points, text, score in result or []:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        boxes.append(TextBox(min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return boxes


def _page(boxes: list[TextBox]) -> RecognisedPage:
    chars = sum(len(b.text.strip()) for b in boxes)
    if not chars:
        return RecognisedPage([], None)
    confidence = sum(b.score * len(b.text.strip()) for b in boxes) / chars
    return RecognisedPage(reading_order(boxes), round(confidence, 3))
