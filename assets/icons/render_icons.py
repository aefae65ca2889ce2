"""Render assets/icons/briefdesk.svg to PNGs (16-256 px) with PySide6's QSvgRenderer.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python assets/icons/render_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "briefdesk.svg"
SIZES = (16, 32, 64, 128, 256)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {SVG}")
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        out = HERE / f"briefdesk-{size}.png"
        if not image.save(str(out), "PNG"):
            raise SystemExit(f"could not write {out}")
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
