"""The import baseline: stock chromadb, embedding through its own ``ONNXMiniLM_L6_V2`` class.

Chroma's class downloads its model on first use; nothing may download here, so the class is
pointed at the same model files BriefDesk uses (its ``DOWNLOAD_PATH``), laid out the way the
class expects after its own download. Everything else is Chroma's default: its tokenizer
settings (padding every input to 256 tokens), its batch size, its session options and
``collection.add`` with documents, which embeds them through the class.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

logging.getLogger("chromadb.telemetry.product.posthog").setLevel(logging.CRITICAL)

import chromadb  # noqa: E402
from chromadb.config import Settings  # noqa: E402
from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2  # noqa: E402

CHECKED_FILES = (
    "config.json", "model.onnx", "special_tokens_map.json", "tokenizer_config.json",
    "tokenizer.json", "vocab.txt",
)  # fmt: skip


def stock_embedding_function(model_dir: Path, scratch: Path) -> Any:
    """Chroma's own class, reading BriefDesk's provisioned MiniLM files instead of downloading."""
    ef = ONNXMiniLM_L6_V2(preferred_providers=["CPUExecutionProvider"])
    root = scratch / "chroma-onnx"
    target = root / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME
    target.mkdir(parents=True, exist_ok=True)
    source = model_dir / "onnx"
    for name in os.listdir(source):
        if not (target / name).exists():
            (target / name).symlink_to(source / name)
    # The class checks that these exist before it would download; it reads only model.onnx and
    # tokenizer.json (its padding and truncation are set in code), so empty stand-ins do.
    for name in CHECKED_FILES:
        if not (target / name).exists():
            (target / name).write_text("{}" if name.endswith(".json") else "")
    ef.DOWNLOAD_PATH = root
    return ef


def stock_collection(folder: Path, ef: Any) -> Any:
    client = chromadb.PersistentClient(
        path=str(folder), settings=Settings(anonymized_telemetry=False)
    )
    return client.create_collection("baseline", embedding_function=ef)
