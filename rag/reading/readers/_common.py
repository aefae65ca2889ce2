"""Helpers every reader shares: text clean-up, text decoding, and one-line error summaries."""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator
from typing import TypeVar

from rag.core.errors import ReadError

# Characters that break search and quoting but carry no meaning in running text: soft hyphens,
# zero-width spaces and stray BOMs, plus C0/C1 control characters that some PDFs and old text
# files contain (whitespace controls are handled by str.split below).
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\x00-\x08\x0e-\x1f\x7f-\x9f]")

_SNIFF_BYTES = 8192
T = TypeVar("T")


def drain(steps: Generator[object, None, T]) -> T:
    """Run a reader's generator to the end, ignoring its progress; its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def clean(text: str) -> str:
    """Collapse every run of whitespace to one space and drop invisible characters."""
    return " ".join(_INVISIBLE.sub("", text).split())


def summarize(exc: BaseException, limit: int = 160) -> str:
    """A short single-line reason for an unexpected exception, fit for a ReadError.

    The analyst reads this, so it never names an exception class: the errors a parser raises
    on a bug or a malformed file (AttributeError, KeyError, ...) carry Python's own wording,
    which says nothing about the file; they become one plain sentence (details are logged).
    """
    if isinstance(exc, RecursionError):
        return "its structure is nested too deeply"
    if isinstance(exc, _INTERNAL):
        return _MALFORMED
    message = _CLASS_PREFIX.sub("", " ".join(str(exc).split()))
    if not message or "Traceback" in message:  # a library that put a traceback in its message
        return _MALFORMED
    return message if len(message) <= limit else message[: limit - 1] + "…"


# Errors that describe the code that failed, not the file: their messages are jargon.
_INTERNAL = (
    AttributeError, TypeError, IndexError, KeyError, ValueError, AssertionError, ArithmeticError,
    NameError, LookupError,
)  # fmt: skip
_MALFORMED = "its internal structure is invalid"
# "ValueError: ..." inside a library's message, as some wrap the error they caught.
_CLASS_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Warning)\s*:\s*)+")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode the bytes of a text file without ever failing on a stray byte.

    Order: a byte-order mark; then ``declared`` (an HTML charset) if it decodes cleanly; then
    UTF-16 when the NUL pattern says so; UTF-8 (tolerating a few stray bytes); Windows-1252
    (what "ANSI" text from Windows almost always is); Latin-1, which accepts any byte.
    Raises ReadError for data that is clearly binary.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    if declared:
        decoded = _try_decode(data, declared)
        if decoded is not None:
            return decoded
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        guess = _utf16_guess(head)
        decoded = _try_decode(data, guess) if guess else None
        if decoded is None:
            raise ReadError("binary file, not text")
        return decoded
    decoded = _try_decode(data, "utf-8")
    if decoded is None:
        decoded = _mostly_utf8(data)
    if decoded is None:
        decoded = _try_decode(data, "cp1252")
    return decoded if decoded is not None else data.decode("latin-1")


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a pasted quote from a Windows file) stays UTF-8.

    Decoding all of it as Windows-1252 would garble every accented letter to fix one quote.
    Real Windows-1252 text almost never forms valid multi-byte UTF-8 sequences.
    """
    decoded = data.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    good = sum(1 for ch in decoded if ord(ch) > 0x7F) - bad
    return decoded if good >= 4 * bad else None


def _utf16_guess(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    pairs = len(head) // 2
    if pairs == 0:
        return None
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    if odd_nuls >= 0.4 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.4 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None
