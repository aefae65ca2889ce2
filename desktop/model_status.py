"""Is the drafting model the settings name actually there? If not, what to tell the analyst.

Cheap file checks only (no model is loaded), so this may run on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.api import BriefDeskError, ModelMissingError, Settings, provision


@dataclass(frozen=True)
class ModelProblem:
    command: str  # the command that fixes it, if there is one
    lead: str  # what is wrong
    note: str  # said after the command (how to install without internet)


def model_problem(settings: Settings) -> ModelProblem | None:
    if settings.model.server:
        return None  # the server has its model; whether it answers is seen when drafting
    try:
        provision.gguf_path(settings.model.model)
    except ModelMissingError as exc:
        return ModelProblem(exc.command, exc.lead, exc.note)
    except BriefDeskError as exc:
        return ModelProblem("", str(exc), "")
    return None


def role_installed(role: str) -> bool:
    try:
        provision.gguf_path(role)
    except BriefDeskError:
        return False
    return True
