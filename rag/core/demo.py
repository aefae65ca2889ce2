"""The demo: a small fictional library and the briefing the README's main command drafts.

One place for it, because the command line and the desktop app both open the demo and must
agree on what it is.
"""

from __future__ import annotations

from pathlib import Path

from rag.core.paths import assets_dir

DEMO_TOPIC = "U.S. controls on frontier AI models and China's response"
DEMO_TEMPLATE = "situation-brief"
DEMO_QUERIES = (
    "Which companies did China add to its blacklist?",
    "export controls on AI model weights",
)


def demo_library_dir() -> Path:
    """The demo's source documents (assets/demo/library; see assets/demo/FACTS.md)."""
    return assets_dir() / "demo" / "library"
