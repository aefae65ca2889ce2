"""PNG, JPEG and TIFF: a scanned page as an image file, read by text recognition.

An image is page 1; each frame of a multi-page TIFF (how fax and scanner software save a
document) is a page of its own. Pillow opens the file under its decompression-bomb guard, so a
small file that declares an enormous image is refused before it is decoded.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Generator

from rag.core.errors import ReadError
from rag.core.types import Block, CancelToken, DocumentMeta, Locator, ParsedDocument, ReadProgress
from rag.reading.readers.pdf import _paragraphs
from rag.reading.readers.running_lines import drop_running_lines
from rag.reading.readers.scans import ScanNotes, recognise_image

__all__ = ["read_image_steps"]

log = logging.getLogger(__name__)

_MAX_PIXELS = 60_000_000  # per frame: an A3 page at 600 dpi is 70 MP; a fax page at 200 dpi 4 MP
_MAX_FRAMES = 2000
NO_TEXT = "no text recognised in the image"


def read_image_steps(
    data: bytes, cancel: CancelToken | None = None
) -> Generator[ReadProgress, None, ParsedDocument]:
    """Recognise each frame, yielding progress per page; stops between pages when cancelled."""
    image = _open(data)
    frames = min(getattr(image, "n_frames", 1) or 1, _MAX_FRAMES)
    scans = ScanNotes()
    pages: list[list[str]] = []
    for number in range(1, frames + 1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        frame = _frame(image, number)
        pages.append(scans.record(number, recognise_image(frame)))
        yield ReadProgress(number, frames)
    blocks: list[Block] = []
    for number, lines in enumerate(drop_running_lines(pages), start=1):
        locator = Locator(page=number, confidence=scans.confidence.get(number))
        blocks.extend(Block(text=p, locator=locator) for p in _paragraphs("\n".join(lines)))
    if not blocks:
        raise ReadError(NO_TEXT)
    return ParsedDocument(
        kind="image", meta=DocumentMeta(), blocks=blocks, pages=frames,
        ocr_confidence=scans.mean_confidence(), notes=scans.notes(),
    )  # fmt: skip


def _open(data: bytes) -> object:
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = _MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.size  # noqa: B018 - the header is parsed lazily; fail here, not later
        return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ReadError(
            f"the image is too large to read (over {_MAX_PIXELS // 1_000_000} megapixels)"
        ) from exc
    except UnidentifiedImageError as exc:
        raise ReadError("not an image file, or an image format that cannot be read") from exc


def _frame(image: object, number: int) -> object:
    try:
        image.seek(number - 1)  # type: ignore[attr-defined]
        frame = image.copy()  # type: ignore[attr-defined]
        frame.load()
    except (OSError, EOFError, ValueError) as exc:
        log.debug("image frame %d unreadable", number, exc_info=True)
        raise ReadError(f"damaged image: page {number} could not be decoded") from exc
    w, h = frame.size
    if w * h > _MAX_PIXELS:
        raise ReadError(f"page {number} is too large to read")
    return frame
