"""Errors that reach the user. Each carries a message written for an analyst, not a developer."""

from __future__ import annotations


class BriefDeskError(Exception):
    """Base of every error BriefDesk reports to a user."""


class ReadError(BriefDeskError):
    """A file could not be read into text; the message is the one-line reason shown for it."""


class ModelMissingError(BriefDeskError):
    """A model file is not installed; the message says exactly what to run.

    Its parts are kept apart for a window that shows the command in a box of its own: ``lead``
    says what is wrong, ``command`` fixes it (may be empty), ``note`` follows on its own line.
    """

    def __init__(self, lead: str, command: str = "", *, after: str = "", note: str = "") -> None:
        self.lead, self.command, self.note = lead, command, note
        message = f"{lead} Run: {command}{after}" if command else lead
        super().__init__(f"{message}\n{note}" if note else message)


class LibraryError(BriefDeskError):
    """The library folder cannot be opened or written."""


class Cancelled(BriefDeskError):
    """Long work was stopped at the user's request."""
