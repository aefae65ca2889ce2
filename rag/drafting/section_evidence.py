"""Evidence for each section, from the whole library, as facts each given to one section.

Every section retrieves its own passages (the topic, and the topic with each of its query
hints), so a six-section briefing reads far more of the library than one shared pool would.
The passages are split into sentences, filtered (``fact_filter``), embedded once, and
clustered into facts (``facts``). Each fact is then given to the one section it serves best
(closest to that section's queries among the sections that retrieved it), so that no fact is
stated in two sections. Facts in which sources disagree are kept for the disagreements
section; facts saying something is not known go to the gaps section; only facts with an
event date go to a timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rag.briefs.templates import SectionSpec, Template
from rag.core.types import Hit
from rag.drafting.event_dates import has_event_date
from rag.drafting.fact_disagreements import FactDisagreement, find_fact_disagreements
from rag.drafting.facts import Fact, candidate_sentences, cluster_facts
from rag.drafting.gaps import states_a_gap
from rag.drafting.sufficiency import Judgement, NameEvidence, focal_names, judge, pervasive

if TYPE_CHECKING:
    from rag.indexing.library import Library

HITS_PER_QUERY = 6
# Facts shown to the model for a section: enough to choose from, few enough to keep the
# prompt short (each is one sentence, about 30 tokens).
MAX_FACTS = 12
FACTS_PER_CLAIM = 2
# Kinds whose facts come from retrieval; the bottom line sums up the others' claims.
_FACT_KINDS = ("claims", "timeline", "gaps", "disagreements")


@dataclass
class BriefingEvidence:
    topic_vec: np.ndarray
    facts: list[Fact]  # every fact found, most relevant first
    by_section: dict[str, list[Fact]]  # the facts each section may be written from
    conflicts: list[FactDisagreement]
    judgement: Judgement
    passages: int  # distinct passages the facts come from
    query_vecs: dict[str, np.ndarray] = field(default_factory=dict)

    def sufficient(self, key: str) -> bool:
        return self.judgement.sufficient and bool(self.by_section.get(key))


def section_queries(topic: str, spec: SectionSpec) -> list[str]:
    return [f"{topic}. {hint}" for hint in spec.queries] or [f"{topic}. {spec.title}"]


def gather(
    library: Library,
    topic: str,
    template: Template,
    *,
    doc_ids: Sequence[str] | None = None,
    hits_per_query: int = HITS_PER_QUERY,
) -> BriefingEvidence:
    specs = [s for s in template.sections if s.kind in _FACT_KINDS]
    queries = [(s.key, q) for s in specs for q in section_queries(topic, s)]
    # One embedding call for the topic and every query instead of one per search.
    qvecs = library.embedder.embed([topic, *(q for _, q in queries)])
    topic_vec = qvecs[0]
    found: dict[str, set[str]] = {}  # passage id -> sections that retrieved it
    hits: dict[str, Hit] = {}
    order: list[str] = []
    # Two passages a document per query at most: a briefing draws on the whole library, and
    # search itself no longer caps documents (a long rule may fill a search pane).
    for hit in library.search(
        topic, hits_per_query * 2, doc_ids=doc_ids, vector=topic_vec, per_document=2
    ):
        hits.setdefault(hit.passage.id, hit)
        order.append(hit.passage.id)
        found.setdefault(hit.passage.id, set())
    per_section_vecs: dict[str, list[np.ndarray]] = {s.key: [] for s in specs}
    for (key, query), vec in zip(queries, qvecs[1:], strict=True):
        per_section_vecs[key].append(vec)
        for hit in library.search(
            query, hits_per_query, doc_ids=doc_ids, vector=vec, per_document=2
        ):
            if hit.passage.id not in hits:
                hits[hit.passage.id] = hit
                order.append(hit.passage.id)
            found.setdefault(hit.passage.id, set()).add(key)
    # The topic's own hits serve every section that did not find them itself.
    every = {s.key for s in specs}
    found = {pid: keys or set(every) for pid, keys in found.items()}

    sentences = candidate_sentences(hits[pid] for pid in dict.fromkeys(order))
    vectors = (
        library.embedder.embed([s.text for s in sentences])
        if sentences
        else np.zeros((0, len(topic_vec)))
    )
    relevance = vectors @ topic_vec if len(sentences) else np.zeros(0)
    ranked = sorted(range(len(sentences)), key=lambda i: -float(relevance[i]))
    facts = cluster_facts(
        [sentences[i] for i in ranked],
        vectors[ranked] if ranked else vectors,
        [found[sentences[i].passage_id] for i in ranked],
    )
    passage_vecs = library.store.embeddings_by_ids(list(hits))
    names = NameEvidence(focal_names(topic), library.embedder.embed, topic_vec)
    found_text: dict[str, str] = {}
    for hit in hits.values():
        found_text[hit.document.id] = found_text.get(hit.document.id, "") + "\n" + hit.passage.text
    judgement = judge(
        facts, names, topic_vec, passage_vecs, pervasive(names.names, found_text)
    )
    usable = {f.id for f in judgement.grounded}

    query_vecs = {k: np.vstack(v) for k, v in per_section_vecs.items() if v}
    by_section: dict[str, list[Fact]] = {s.key: [] for s in specs}
    disagreement_keys = [s.key for s in specs if s.kind == "disagreements"]
    conflicts = find_fact_disagreements(
        [f for f in facts if f.id in usable], limit=12, passage_vecs=passage_vecs
    )
    reserved: set[str] = set()
    if disagreement_keys:
        for d in conflicts:
            reserved |= {d.first.id, d.second.id}
            for f in (d.first, d.second):
                if f not in by_section[disagreement_keys[0]]:
                    by_section[disagreement_keys[0]].append(f)
    gap_keys = [s.key for s in specs if s.kind == "gaps"]
    writers = [s for s in specs if s.kind in ("claims", "timeline")]
    for fact in facts:
        if fact.id not in usable or fact.id in reserved:
            continue
        if gap_keys and states_a_gap(fact):
            by_section[gap_keys[0]].append(fact)
            continue
        dated = has_event_date(fact.text, fact.members[0].hit.document.published)
        eligible = [
            s for s in writers if s.kind != "timeline" or dated
        ]
        # Prefer the sections whose own retrieval found it: they asked for it.
        asked = [s for s in eligible if s.key in fact.sections] or eligible
        if not asked:
            continue
        best = max(asked, key=lambda s: float(np.max(query_vecs[s.key] @ fact.vector)))
        by_section[best.key].append(fact)
    for spec in writers:
        vecs = query_vecs[spec.key]
        pool = by_section[spec.key]
        pool.sort(
            key=lambda f: -(float(np.max(vecs @ f.vector)) + float(f.vector @ topic_vec))
        )
        limit = min(MAX_FACTS, max(4, spec.claims * FACTS_PER_CLAIM))
        by_section[spec.key] = pool[:limit]
    for key in gap_keys:
        by_section[key] = by_section[key][:MAX_FACTS]
    passages = len({m.passage_id for f in facts if f.id in usable for m in f.members})
    return BriefingEvidence(
        topic_vec=topic_vec,
        facts=[f for f in facts if f.id in usable],
        by_section=by_section,
        conflicts=[d for d in conflicts if disagreement_keys],
        judgement=judgement,
        passages=passages,
        query_vecs=query_vecs,
    )
