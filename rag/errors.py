"""Errors that reach the user. Each carries a message written for an analyst, not a developer."""

from __future__ import annotations


class BriefDeskError(Exception):
    """Base of every error BriefDesk reports to a user."""


class ReadError(BriefDeskError):
    """A file could not be read into text; the message is the one-line reason shown for it."""


class ModelMissingError(BriefDeskError):
    """A model file is not installed; the message says exactly what to run."""


class LibraryError(BriefDeskError):
    """The library folder cannot be opened or written."""


class Cancelled(BriefDeskError):
    """Long work was stopped at the user's request."""
