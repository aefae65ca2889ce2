"""BriefDesk's desktop application (PySide6), a client of the ``rag`` package."""
