"""Sentence embeddings from the all-MiniLM-L6-v2 ONNX files, fully offline.

Chroma's own ``ONNXMiniLM_L6_V2`` downloads the model on first use and pads every input to 256
tokens. This runs the same model and the same pooling from files already on disk, and pads
each batch only to its longest input (after sorting by length), which is most of the cost.

Measured with ``python -m bench`` (BENCHMARKS.md): batches of 8 sorted inputs waste almost no
padding and ran faster than 32; onnxruntime's worker threads spin while idle by default, which
on a shared 2-core machine burns the CPU the other thread (or the user's apps) needs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# onnxruntime would otherwise log telemetry on some platforms: nothing leaves the machine.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

import onnxruntime as ort
from tokenizers import Tokenizer

from rag.core.errors import ModelMissingError
from rag.core.paths import command_name
from rag.models.cpu import physical_cores

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
MAX_TOKENS = 256  # what the model was trained with; longer inputs are truncated, as in Chroma
REQUIRED_FILES = ("model.onnx", "tokenizer.json")
BATCH_SIZE = 8  # inputs per onnxruntime call, sorted by length: padding stays near zero


class Embedder:
    """Turns texts into unit-length float32 vectors. Thread-safe; one instance per process."""

    def __init__(
        self, model_dir: Path, *, batch_size: int = BATCH_SIZE, threads: int | None = None
    ):
        onnx_dir = model_dir / "onnx"
        missing = [f for f in REQUIRED_FILES if not (onnx_dir / f).is_file()]
        if missing:
            raise ModelMissingError(
                f"The embedding model is incomplete in {onnx_dir} (missing {', '.join(missing)}).",
                f"{command_name()} models install --embedding",
            )
        if hasattr(ort, "disable_telemetry_events"):
            ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread per physical core (hyper-threads slow matrix work down), and no spinning:
        # a spinning thread holds its core between batches while reading and saving run.
        options.intra_op_num_threads = threads or physical_cores()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(onnx_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(onnx_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; the result has one row per text, in the given order."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            idx = order[start : start + self._batch_size]
            out[idx] = self._run([encodings[i].ids for i in idx])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def _run(self, batch_ids: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch_ids)
        input_ids = np.zeros((len(batch_ids), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(batch_ids):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        with self._lock:
            hidden = self._session.run(None, feeds)[0]
        # Mean pooling over real tokens, then L2 normalisation, as sentence-transformers does.
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_shared: dict[Path, Embedder] = {}
_shared_lock = threading.Lock()


def get_embedder(model_dir: Path) -> Embedder:
    """One embedder per model folder per process: loading it costs a few hundred ms."""
    key = model_dir.resolve()
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(key)
        return _shared[key]
