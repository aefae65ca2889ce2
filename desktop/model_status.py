"""Is the drafting model the settings name actually there? If not, what to tell the analyst.

Cheap file checks only (no model is loaded), so this may run on the GUI thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import provision
from rag.errors import BriefDeskError
from rag.settings import Settings

_COMMAND = re.compile(r"Run: (briefdesk [^,\n]+?)(?:,|\.?$)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ModelProblem:
    message: str
    command: str  # the command that fixes it, if there is one

    @property
    def lead(self) -> str:
        """What is wrong: the message up to its command."""
        return self.message.partition(" Run:")[0] if self.command else self.message

    @property
    def note(self) -> str:
        """What the message says after its command (how to install without internet)."""
        if not self.command:
            return ""
        return self.message.partition(" Run:")[2].partition("\n")[2].strip()


def model_problem(settings: Settings) -> ModelProblem | None:
    if settings.model.server:
        return None  # the server has its model; whether it answers is seen when drafting
    try:
        provision.gguf_path(settings.model.model)
    except BriefDeskError as exc:
        message = str(exc)
        found = _COMMAND.search(message)
        return ModelProblem(message, found.group(1).strip() if found else "")
    return None


def role_installed(role: str) -> bool:
    try:
        provision.gguf_path(role)
    except BriefDeskError:
        return False
    return True
