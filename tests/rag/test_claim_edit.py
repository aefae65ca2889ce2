"""An edited claim is checked again, against the passages it cites, with the real checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.briefs.briefing import Citation, Claim
from rag.checking.verdict import SupportCheck
from rag.cli.demo import demo_library_dir
from rag.core.types import Locator
from rag.drafting.claim_edit import REMOVED_SOURCE, recheck_claim
from rag.indexing.library import Library


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-lib")
    with Library.open(folder) as lib:
        list(lib.import_paths([demo_library_dir()]))
    return folder


@pytest.fixture
def lib(demo_folder: Path):
    with Library.open(demo_folder) as library:
        yield library


def claim_citing(lib: Library, phrase: str) -> Claim:
    hit = next(h for h in lib.search(phrase, k=5) if phrase in " ".join(h.passage.text.split()))
    citation = Citation(
        passage_id=hit.passage.id,
        doc_id=hit.document.id,
        locator=hit.passage.locator,
        quote="",
        doc_title=hit.document.title,
        publisher=hit.document.publisher,
        published=hit.document.published,
    )
    return Claim("c1", "placeholder", [citation], SupportCheck.unchecked())


def test_an_edit_that_breaks_a_name_is_flagged_and_a_good_one_supported(lib: Library) -> None:
    claim = claim_citing(lib, "the first time the unreliable entity list")
    text = (
        "Lin Haoran said it was the first time the unreliable entity list had been used "
        "against an AI model developer."
    )
    good = recheck_claim(lib, claim, text)
    assert good.check.status == "supported" and good.edited
    assert "first time" in good.citations[0].quote
    other = recheck_claim(
        lib, claim, "Industry groups in Washington urged the administration to clarify how "
        "the rule treats subsidiaries of U.S. companies abroad.",
    )  # fmt: skip
    assert "Industry groups" in other.citations[0].quote  # the quote follows the new words
    bad = recheck_claim(lib, good, text.replace("Lin Haoran", "Wang Jianguo"))
    assert bad.check.status == "unsupported"
    assert bad.citations[0].passage_id == claim.citations[0].passage_id  # never moved


def test_a_claim_whose_source_was_removed_is_unsupported(lib: Library) -> None:
    claim = claim_citing(lib, "the first time the unreliable entity list")
    gone = Citation("nope:0", "nope", Locator(), "", "Removed", "", "")
    claim.citations.append(gone)
    checked = recheck_claim(lib, claim, "Lin Haoran called it a first for the entity list.")
    assert checked.check.status == "unsupported"
    assert checked.check.reasons[0] == REMOVED_SOURCE
