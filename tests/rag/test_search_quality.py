"""Search finds what a question needs, through the real path: files built here, the real
readers, the real embedding model, real Chroma and SQLite.

Each test names the feature it depends on: stemming, exact figures and codes, acronyms and
their long forms, a year in the question, several passages from the one long document that
answers.
"""

from __future__ import annotations

import pytest
from filemakers import make_pdf

from rag.core.demo import DEMO_QUERIES
from rag.core.types import Hit
from rag.indexing.library import Library
from rag.reading.ingest import ImportFinished

NEWS = {
    "blacklist_a.txt": (
        "Title: Beijing lists firms\nDate: 2025-02-03\n\n"
        "In its announcement the ministry added 28 American firms to the unreliable entity "
        "list, barring them from buying dual-use items."
    ),
    "blacklist_b.txt": (
        "Title: Second listing\nDate: 2025-03-04\n\n"
        "Beijing added 56 American defence companies to its blacklist on Tuesday."
    ),
    "blacklist_c.txt": (
        "Title: Third listing\nDate: 2025-04-05\n\n"
        "In its announcement the ministry added 12 American firms to the unreliable entity "
        "list, barring them from buying dual-use items."
    ),
    "stems.txt": (
        "Title: Shipping notes\nDate: 2025-05-01\n\n"
        "Regulators restricted shipments of germanium wafers after inspectors discovered "
        "mislabelled consignments at the border."
    ),
    "bis_cloud.txt": (
        "Title: Screening guidance\nDate: 2025-06-01\n\n"
        "The Bureau of Industry and Security told hyperscalers to screen foreign customers "
        "who rent large clusters of accelerators."
    ),
    "cloud_chatter.txt": (
        "Title: Conference notes\nDate: 2025-06-02\n\n"
        "Cloud operators expect demand for accelerators to keep rising, analysts at the "
        "conference say."
    ),
    "mofcom_magnets.txt": (
        "Title: Magnet licences\nDate: 2025-07-01\n\n"
        "MOFCOM announced that exporters of rare earth magnets must apply for licences."
    ),
}

# Three reports a year on semiconductor tariffs, alike but for their year.
YEARLY = {
    year: [
        f"Semiconductor tariff review, part {n}: officials weighed tariffs on imported chips, "
        f"the effect on equipment makers and the reaction of trading partners. "
        f"Section {n} of this review covers {topic}."
        for n, topic in enumerate(("memory chips", "logic chips", "packaging"), start=1)
    ]
    for year in ("2023", "2024", "2025")
}

RULE_PAGES = [
    "Background. This interim final rule revises the Export Administration Regulations. It "
    "follows public comments received on earlier advanced computing rules.",
    "Foundry due diligence, customer identity. A foundry must verify the identity and address "
    "of every customer that orders advanced logic wafers at 16 nanometres or below before "
    "fabrication begins, and must refuse an order when the customer cannot be verified.",
    "Foundry due diligence, records. A foundry must keep the due diligence records for each "
    "advanced logic order for five years and produce them within 30 days when the Department "
    "asks for them.",
    "Foundry due diligence, designs. A foundry must screen each advanced logic design against "
    "the approved integrated circuit designer list and must not fabricate a design from a "
    "designer absent from that list without a licence.",
    "Definitions. In this part, wafer means a thin slice of semiconductor material; "
    "nanometre refers to the node name used by the industry.",
]

OTHER_RULES = {
    "gallium.txt": (
        "Title: Gallium notice\nDate: 2025-08-01\n\n"
        "Exporters of gallium and germanium must file end-user certificates; the ministry "
        "reviews each application within 45 working days."
    ),
    "distillation.txt": (
        "Title: Distillation pact\nDate: 2025-08-02\n\n"
        "Laboratories that sign the pact agree not to train models on the outputs of "
        "another laboratory's frontier model without permission."
    ),
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    docs = tmp_path_factory.mktemp("docs")
    for name, text in {**NEWS, **OTHER_RULES}.items():
        (docs / name).write_text(text + "\n", encoding="utf-8")
    for year, parts in YEARLY.items():
        for n, part in enumerate(parts, start=1):
            (docs / f"tariffs_{year}_{n}.txt").write_text(
                f"Title: Tariff review\nDate: {year}-03-0{n}\n\n{part}\n", encoding="utf-8"
            )
    make_pdf(docs / "foundry_rule.pdf", RULE_PAGES, title="Foundry Due Diligence Rule")
    folder = tmp_path_factory.mktemp("library")
    with Library.open(folder) as lib:
        events = list(lib.import_paths([docs]))
    finished = events[-1]
    assert isinstance(finished, ImportFinished) and not finished.failed, finished
    lib = Library.open(folder)
    yield lib
    lib.close()


def _files(hits: list[Hit]) -> list[str]:
    return [h.document.filename for h in hits]


def test_a_figure_in_the_question_ranks_its_passage_first(library: Library) -> None:
    # Two listings share most of the question's words; the one with the question's figure
    # shares few of them. Only the exact number says which one answers.
    hits = library.search("Which announcement added 56 American firms to the entity list?", k=3)
    assert _files(hits)[0] == "blacklist_b.txt"
    hits = library.search("Which announcement added 12 American firms to the entity list?", k=3)
    assert _files(hits)[0] == "blacklist_c.txt"


def test_different_word_forms_find_the_passage(library: Library) -> None:
    # The passage says "restricted shipments ... discovered mislabelled consignments"; the
    # question "restricting", "shipment", "discovering", "consignment".
    hits = library.search("restricting a shipment after discovering consignment", k=3)
    assert hits[0].document.filename == "stems.txt"
    assert hits[0].keyword_rank == 1  # found by the keyword half, through the word stems


def test_a_verb_form_the_stemmer_keeps_apart_still_finds_the_passage(library: Library) -> None:
    # Porter stems "added" to "ad" but "add" to "add": asked which firms the ministry would
    # "add", the stemmed search must still find the listings that say it "added" them.
    ids = [pid for pid, _ in library.store.keyword_scores(["add"], 10, stemmed=True)]
    passages = library.store.passages_by_ids(ids)
    docs = library.store.documents_by_ids(p.doc_id for p in passages.values())
    found = {docs[p.doc_id].filename for p in passages.values()}
    assert {"blacklist_a.txt", "blacklist_b.txt", "blacklist_c.txt"} <= found


def test_an_acronym_meets_its_long_form_and_back(library: Library) -> None:
    # The passage spells out the Bureau and shares no other word with the question, which
    # says BIS; another passage shares its plain words ("cloud", "say").
    hits = library.search("What did BIS say to cloud providers?", k=3)
    bis = next(h for h in hits[:2] if h.document.filename == "bis_cloud.txt")
    assert bis.keyword_rank is not None  # the keyword half knows the long form
    hits = library.search("Ministry of Commerce licences for magnets", k=3)
    assert hits[0].document.filename == "mofcom_magnets.txt"


def test_a_year_in_the_question_narrows_results_to_that_year(library: Library) -> None:
    hits = library.search("semiconductor tariff review in 2024", k=3)
    assert [h.document.published[:4] for h in hits] == ["2024"] * 3
    hits = library.search("semiconductor tariff review of 2023 on memory chips", k=3)
    assert hits[0].document.published[:4] == "2023"
    assert "memory chips" in hits[0].passage.text


def test_the_long_document_that_answers_holds_three_of_the_top_five(library: Library) -> None:
    hits = library.search("What due diligence must a foundry perform on advanced logic?", k=5)
    from_rule = [h for h in hits if h.document.filename == "foundry_rule.pdf"]
    pages = sorted(h.passage.locator.page for h in from_rule)
    assert {2, 3, 4} <= set(pages), _files(hits)


def test_the_demo_search_ranks_a_listing_first(demo_folder) -> None:
    # The first search the README's command shows. Its verb "add" stood only in a blog's
    # "add invisible watermarks", so BM25 ranked that blog first over the wire that says
    # China "added" 31 companies to its list.
    with Library.open(demo_folder) as lib:
        hits = lib.search(DEMO_QUERIES[0], k=3)
    assert "blacklist" in hits[0].document.title.lower()
    assert "added 31 U.S. companies" in hits[0].passage.text or "28 U.S. companies" in (
        hits[0].passage.text
    )
