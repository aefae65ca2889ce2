"""Reading a GGUF model file's header: name, architecture, context length, chat template.

Standard library only, and no weights are loaded, so the settings page and ``briefdesk models``
can describe a model file without llama.cpp.
"""

from __future__ import annotations

import functools
import mmap
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rag.core.errors import BriefDeskError, ModelMissingError
from rag.core.paths import command_name

__all__ = ["GGUF_MAGIC", "GGUFInfo", "SkippedArray", "read_gguf_info"]

# The first four bytes of every GGUF file.
GGUF_MAGIC = b"GGUF"
_SUPPORTED_VERSIONS = (2, 3)  # version 1 is no longer loaded by llama.cpp either
# Arrays longer than this (tokenizer vocabularies, merges) are skipped, not decoded.
_KEEP_ARRAY_MAX = 64
_MAX_KV_COUNT = 1_000_000  # far above any real file; a larger count means a damaged header

_T_STRING = 8
_T_ARRAY = 9
# GGUF value type -> struct format of its scalar encoding (little-endian).
_SCALAR_FORMATS: dict[int, str] = {
    0: "<B",  # uint8
    1: "<b",  # int8
    2: "<H",  # uint16
    3: "<h",  # int16
    4: "<I",  # uint32
    5: "<i",  # int32
    6: "<f",  # float32
    7: "<?",  # bool
    10: "<Q",  # uint64
    11: "<q",  # int64
    12: "<d",  # float64
}
_TYPE_NAMES: dict[int, str] = {
    0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32", 5: "int32", 6: "float32",
    7: "bool", 8: "string", 9: "array", 10: "uint64", 11: "int64", 12: "float64",
}  # fmt: skip

# llama.cpp's ``enum llama_ftype`` (general.file_type): the quantisation of most tensors.
_FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
    38: "MXFP4_MOE",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SkippedArray:
    """Stands in the metadata for an array too long to be worth decoding (e.g. the vocabulary)."""

    item_type: str
    length: int


@dataclass(frozen=True, slots=True)
class GGUFInfo:
    """What a GGUF file says about itself, read from its header without loading the weights."""

    path: Path
    name: str  # general.name, or the file name without extension
    architecture: str  # general.architecture, e.g. "llama", "qwen2"
    context_length: int | None  # <architecture>.context_length: the training context
    chat_template: str | None  # tokenizer.chat_template (Jinja)
    file_size: int  # bytes
    quantization: str | None  # from general.file_type, e.g. "Q4_K_M"
    version: int  # GGUF format version
    tensor_count: int
    # Every key/value of the header; arrays over 64 items appear as SkippedArray.
    metadata: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)


class _Truncated(Exception):  # an internal signal, turned into a BriefDeskError
    pass


class _Cursor:
    """Walks a GGUF header held in a memory map; every read is bounds-checked."""

    def __init__(self, buf: mmap.mmap) -> None:
        self.buf = buf
        self.size = len(buf)
        self.pos = 0

    def unpack(self, fmt: str) -> Any:
        n = struct.calcsize(fmt)
        if self.pos + n > self.size:
            raise _Truncated
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > self.size:
            raise _Truncated
        self.pos += n

    def string(self) -> str:
        n = self.unpack("<Q")
        start = self.pos
        self.skip(n)
        return self.buf[start : self.pos].decode("utf-8", errors="replace")

    def value(self, vtype: int) -> object:
        if vtype in _SCALAR_FORMATS:
            return self.unpack(_SCALAR_FORMATS[vtype])
        if vtype == _T_STRING:
            return self.string()
        if vtype == _T_ARRAY:
            return self.array()
        raise _BadHeader(f"unknown value type {vtype}")

    def array(self) -> object:
        item_type = self.unpack("<I")
        count = self.unpack("<Q")
        min_item = (
            struct.calcsize(_SCALAR_FORMATS[item_type]) if item_type in _SCALAR_FORMATS else 8
        )
        if count * min_item > self.size - self.pos:
            raise _Truncated  # also catches absurd counts before looping over them
        if count <= _KEEP_ARRAY_MAX:
            return [self.value(item_type) for _ in range(count)]
        self.skip_items(item_type, count)
        return SkippedArray(_TYPE_NAMES.get(item_type, str(item_type)), count)

    def skip_items(self, item_type: int, count: int) -> None:
        if item_type in _SCALAR_FORMATS:
            self.skip(count * struct.calcsize(_SCALAR_FORMATS[item_type]))
        elif item_type == _T_STRING:
            self._skip_strings(count)
        else:  # arrays of arrays: rare, walk them one by one
            for _ in range(count):
                self.value(item_type)

    def _skip_strings(self, count: int) -> None:
        # A vocabulary holds 50k-250k strings: a tight local loop keeps this to tens of ms.
        buf, pos, size, unpack_from = self.buf, self.pos, self.size, struct.unpack_from
        for _ in range(count):
            if pos + 8 > size:
                raise _Truncated
            pos += 8 + unpack_from("<Q", buf, pos)[0]
        if pos > size:
            raise _Truncated
        self.pos = pos


class _BadHeader(Exception):
    pass


def read_gguf_info(path: Path | str) -> GGUFInfo:
    """Read a GGUF file's header metadata without loading its weights.

    Raises ModelMissingError if the file does not exist and BriefDeskError if it is not a GGUF
    file, is truncated, or uses a GGUF version llama.cpp does not load.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise _missing_file(path) from None
    except OSError as exc:
        raise BriefDeskError(f"Cannot read the model file {path}: {exc.strerror}.") from exc
    return _read_gguf_info_cached(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_gguf_info_cached(path: Path, size: int, mtime_ns: int) -> GGUFInfo:
    # Keyed on size and mtime so that a replaced file is read again.
    del mtime_ns
    if size < 4:
        raise BriefDeskError(_not_gguf_message(path))
    try:
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse_header(path, _Cursor(buf), size)
    except OSError as exc:
        raise BriefDeskError(f"Cannot read the model file {path}: {exc.strerror}.") from exc


def _parse_header(path: Path, cur: _Cursor, size: int) -> GGUFInfo:
    if cur.buf[:4] != GGUF_MAGIC:
        raise BriefDeskError(_not_gguf_message(path))
    try:
        cur.skip(4)
        version = cur.unpack("<I")
        _check_version(path, version)
        tensor_count = cur.unpack("<Q")
        kv_count = cur.unpack("<Q")
        if kv_count > _MAX_KV_COUNT:
            raise _BadHeader(f"implausible key count {kv_count}")
        metadata: dict[str, object] = {}
        for _ in range(kv_count):
            key = cur.string()
            metadata[key] = cur.value(cur.unpack("<I"))
    except _Truncated:
        raise BriefDeskError(
            f"The model file {path.name} is truncated: its GGUF header ends early. "
            "The download or copy is probably incomplete; fetch the file again."
        ) from None
    except _BadHeader as exc:
        raise BriefDeskError(
            f"The model file {path.name} has a damaged GGUF header ({exc})."
        ) from None
    return _info_from_metadata(path, metadata, version, tensor_count, size)


def _check_version(path: Path, version: int) -> None:
    if version in _SUPPORTED_VERSIONS:
        return
    if struct.unpack("<I", struct.pack(">I", version))[0] in _SUPPORTED_VERSIONS:
        raise BriefDeskError(
            f"The model file {path.name} is a big-endian GGUF file, which llama.cpp cannot "
            "load on this computer. Use the ordinary (little-endian) build of the model."
        )
    raise BriefDeskError(
        f"The model file {path.name} uses GGUF version {version}, which is not supported "
        f"(supported: {', '.join(map(str, _SUPPORTED_VERSIONS))}). Convert it with a current "
        "llama.cpp or download a newer build of the model."
    )


def _info_from_metadata(
    path: Path, metadata: dict[str, object], version: int, tensor_count: int, size: int
) -> GGUFInfo:
    arch = _str_or_none(metadata.get("general.architecture")) or ""
    ctx = metadata.get(f"{arch}.context_length")
    file_type = metadata.get("general.file_type")
    quant = None
    if isinstance(file_type, int) and not isinstance(file_type, bool):
        quant = _FILE_TYPES.get(file_type, f"type {file_type}")
    return GGUFInfo(
        path=path,
        name=_str_or_none(metadata.get("general.name")) or path.stem,
        architecture=arch,
        context_length=ctx if isinstance(ctx, int) and ctx > 0 else None,
        chat_template=_str_or_none(metadata.get("tokenizer.chat_template")),
        file_size=size,
        quantization=quant,
        version=version,
        tensor_count=tensor_count,
        metadata=MappingProxyType(metadata),  # read-only: the GGUFInfo is cached and shared
    )


def _str_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _not_gguf_message(path: Path) -> str:
    return (
        f"{path.name} is not a GGUF model file (it does not start with 'GGUF'). "
        "BriefDesk runs quantised models in the GGUF format used by llama.cpp."
    )


def _missing_file(path: Path) -> ModelMissingError:
    return ModelMissingError(
        f"The model file {path} is not there.",
        f"{command_name()} models install",
        after=" to provision the default models, or choose another GGUF file in Settings.",
    )
