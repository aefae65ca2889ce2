"""The drafting model on a real model server (``python -m llama_cpp.server`` with the small
model on 127.0.0.1), and a whole briefing drafted through a Chroma server and that model server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import ServerProcess, chroma_server, free_port, model_server, small_model_path

from rag.drafting import ClaimAdded, DraftFinished, draft
from rag.errors import BriefDeskError
from rag.library import Library
from rag.llm_remote import ModelServerError, RemoteModel
from rag.model_choice import open_chat_model
from rag.settings import Settings
from rag.templates import get_template
from rag.types import CancelToken

QUICK_TEMPLATE = """\
name = "Quick test"
purpose = "Two short sections, for tests."

[[sections]]
key = "developments"
title = "Key developments"
claims = 1
queries = ["blacklist of U.S. companies"]
instruction = "State the main development in one sentence."

[[sections]]
key = "outlook"
title = "Outlook"
claims = 1
queries = ["what comes next"]
instruction = "Say what may come next, in one sentence."
"""

SCHEMA = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "sources": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "integer", "enum": [1, 2, 3]},
                    },
                },
                "required": ["text", "sources"],
            },
        }
    },
    "required": ["claims"],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with model_server(tmp_path_factory.mktemp("model-server")) as running:
        yield running


def messages(task: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You write short factual claims as JSON."},
        {"role": "user", "content": task},
    ]


def test_the_server_model_streams_json_within_the_schema(server: ServerProcess) -> None:
    model = RemoteModel(server.url)
    assert model.name == small_model_path().stem  # the id the server gives its model file
    assert model.n_ctx >= 4096
    assert 1 <= model.count_tokens("Export controls on AI chips.") <= 12
    pieces: list[str] = []
    done = model.chat(
        messages("Sources 1-3 are about chip export controls. Write one claim citing them."),
        schema=SCHEMA, max_tokens=200, on_text=pieces.append,
    )  # fmt: skip
    assert len(pieces) > 1 and "".join(pieces) == done.text
    if done.finish_reason == "stop":
        data = json.loads(done.text)
        assert data["claims"]
        for claim in data["claims"]:
            assert set(claim["sources"]) <= {1, 2, 3}  # the grammar kept the citations real
    assert done.stats.prompt_tokens_sent > 10
    assert done.stats.completion_tokens > 0
    assert done.stats.first_token_seconds is not None


def test_cancelling_a_server_call(server: ServerProcess) -> None:
    model = RemoteModel(server.url)
    cancel = CancelToken()
    gen = model.stream(messages("Write a long essay on export controls."), max_tokens=400,
                       cancel=cancel)  # fmt: skip
    first = next(gen)
    assert first
    cancel.cancel()
    with pytest.raises(StopIteration) as stop:
        next(gen)
    done = stop.value.value
    assert done.cancelled and done.finish_reason == "cancelled"
    # The server is free again at once for the next call.
    again = model.chat(messages("Say OK."), max_tokens=5)
    assert again.text


def test_an_unreachable_model_server_is_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ModelServerError, match=f"Cannot reach the model server at {url}"):
        RemoteModel(url)
    settings = Settings()
    settings.model.server = url
    with pytest.raises(BriefDeskError, match=url):
        open_chat_model(None, settings)


def test_drafting_through_a_chroma_server_and_a_model_server(
    server: ServerProcess, seeds_dir: Path, tmp_path: Path
) -> None:
    from rag import paths

    templates = paths.user_templates_dir()
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "quick.toml").write_text(QUICK_TEMPLATE, encoding="utf-8")
    settings = Settings()
    settings.model.server = server.url
    with chroma_server(tmp_path / "chroma") as chroma:
        settings.library.server = chroma.url
        settings.library.name = "drafting"
        with Library.open(settings=settings) as lib:
            list(lib.import_paths([seeds_dir]))
            model = open_chat_model(None, settings)
            assert isinstance(model, RemoteModel)
            topic = "China's blacklist of U.S. companies"
            events = list(draft(lib, model, get_template("quick"), topic))
            briefing = next(e.briefing for e in events if isinstance(e, DraftFinished))
            claims = [e.claim for e in events if isinstance(e, ClaimAdded)]
            assert claims, [s.note for s in briefing.sections]
            for claim in claims:
                for c in claim.citations:
                    passage = lib.passage(c.passage_id)
                    assert passage is not None and passage.doc_id == c.doc_id
            assert briefing.stats["prompt_tokens_sent"] > 0
            # The briefing is saved on this computer, beside its copy of the shared library.
            assert (lib.folder / "briefings").is_dir()
