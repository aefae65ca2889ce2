"""How the app looks: its icon, the standard icons it uses, and one style sheet.

The style sheet only touches BriefDesk's own widgets (by object name), so menus, tables and
dialogs keep the platform's native look. State that changes the look (a claim's check, a
selected claim, a banner's tone) is a dynamic property set with ``set_state``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from rag.api import assets_dir

UNSUPPORTED = "#b3261e"
REATTRIBUTED = "#b7791f"
HIGHLIGHT = "#ffe58f"
ACCENT = "#1f5fa8"

STYLESHEET = f"""
QLabel#paneTitle {{ font-size: 12pt; font-weight: 600; }}
QLabel#muted, QLabel#hint {{ color: #667085; }}
QLabel#briefingTitle {{ font-size: 15pt; font-weight: 600; }}
QLabel#sectionTitle {{ font-size: 12pt; font-weight: 600; }}
QLabel#sectionNote {{ color: #667085; font-style: italic; }}

QLabel#chip {{
    border-radius: 8px; padding: 1px 8px; font-size: 8pt;
    background: #e6e9ee; color: #3c4350;
}}
QLabel#chip[tone="busy"] {{ background: #dbe8fb; color: #1b4b8a; }}
QLabel#chip[tone="warn"] {{ background: #fdf0d5; color: #7a4d00; }}
QLabel#chip[tone="bad"] {{ background: #fbe1df; color: #8c1d18; }}
QLabel#chip[tone="good"] {{ background: #dff3e4; color: #1e5e31; }}

QFrame#claim {{
    border: none; border-left: 3px solid transparent; border-radius: 3px;
    padding: 3px 4px 3px 6px;
}}
QFrame#claim:hover {{ background: rgba(31, 95, 168, 0.06); }}
QFrame#claim[selected="true"] {{
    background: rgba(31, 95, 168, 0.12); border-left: 3px solid {ACCENT};
}}
QFrame#claim[check="unsupported"] {{
    background: #fdeceb; border-left: 3px solid {UNSUPPORTED};
}}
QFrame#claim[check="unsupported"] QLabel#claimText {{ color: #5c1410; }}
QFrame#claim[check="unsupported"][selected="true"] {{ background: #f9d9d6; }}
QFrame#claim[check="reattributed"] {{ border-left: 3px solid {REATTRIBUTED}; }}
QFrame#claim[check="gap"] QLabel#claimText {{ color: #4a5563; font-style: italic; }}

QToolButton#marker {{
    font-size: 8pt; font-weight: 600; padding: 0px 5px; margin: 0px;
    border: 1px solid #a9b8cc; border-radius: 7px;
    background: #eef3fa; color: #1f3b63; min-width: 10px;
}}
QToolButton#marker:hover {{ background: #d6e4f7; }}
QToolButton#marker[active="true"] {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}

QFrame#banner {{
    background: #fff7e0; border: 1px solid #ecd28b; border-radius: 6px;
}}
QFrame#banner QLabel {{ color: #4a3700; }}
QFrame#banner[tone="info"] {{ background: #eaf2fc; border-color: #b7cdea; }}
QFrame#banner[tone="info"] QLabel {{ color: #1c3557; }}
QFrame#banner[tone="error"] {{ background: #fdeceb; border-color: #f0b5b0; }}
QFrame#banner[tone="error"] QLabel {{ color: #5c1410; }}
QLabel#command {{
    font-family: monospace; background: rgba(0, 0, 0, 0.06);
    border-radius: 3px; padding: 2px 6px;
}}

QFrame#card {{
    background: palette(base); border: 1px solid #cfd6df; border-radius: 6px;
}}
QFrame#card[focused="true"] {{ border: 2px solid {ACCENT}; }}
QLabel#cardTitle {{ font-weight: 600; }}
QLabel#quoteMissing {{ color: {UNSUPPORTED}; }}

QFrame#importPanel {{
    background: palette(alternate-base); border: 1px solid #d5dbe3; border-radius: 6px;
}}
QFrame#emptyState {{ border: 2px dashed #c3ccd8; border-radius: 8px; }}
"""


def app_icon() -> QIcon:
    icon = QIcon()
    folder = assets_dir() / "icons"
    for size in (16, 32, 64, 128, 256):
        png = folder / f"briefdesk-{size}.png"
        if png.is_file():
            icon.addFile(str(png), QSize(size, size))
    return icon


def std_icon(name: str) -> QIcon:
    """One of the style's standard icons, e.g. ``std_icon("SP_MediaStop")``."""
    return QApplication.style().standardIcon(getattr(QStyle.StandardPixmap, name))


def set_state(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the style sheet selects on, and re-apply the style."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    for child in widget.findChildren(QWidget):
        style.unpolish(child)
        style.polish(child)


def apply(app: QApplication) -> None:
    app.setWindowIcon(app_icon())
    app.setStyleSheet(STYLESHEET)
