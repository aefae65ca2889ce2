"""Whether a claim states a fact the briefing already states: one fact, one place.

Tests, each for a way a repeat reaches a draft: the same words (a copy), mostly the same
content words with the same figures (``same_fact``, ``restates``: a reworded copy), the same
part of the same source sentence told in other words (``same_evidence``), the same event told
from another source's sentence (``paraphrases``: "Beijing's move follows an interim final rule
issued on March 2 by BIS" after "The Chinese action answers a rule published on 2 March by the
Bureau of Industry and Security", two wire stories of one day), and a claim close in meaning to
an earlier one whatever its words (``NEAR_COSINE``, set on claims readers marked) or less close
but putting its event on the same day (``SAME_DAY_COSINE``). A claim that
states an earlier one in full and more is not dropped but takes its place (``subsumes``,
``fold_subsumed``), and a fact a stated claim already tells is not shown again (``told``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from rag.briefs.briefing import Claim
from rag.checking.actors import countries_in, is_country_word
from rag.checking.attribution import VIEW
from rag.checking.checker import content_words, hard_terms, normalise
from rag.core.vocabulary import MONTH_NAMES
from rag.drafting.ahead import looks_ahead
from rag.drafting.event_dates import event_dates
from rag.drafting.terms import missing_terms_but_year as _missing_terms
from rag.drafting.terms import same_terms
from rag.reading.chunking import split_sentences

# Content words two claims share, of all they use, from which they state the same fact (with
# the same figures): a reworded copy, not a claim that adds a new detail to the same event.
# The evaluation counts repeats by the same rule (eval/scoring.py, which imports nothing).
SAME_FACT_OVERLAP = 0.6
# A later claim whose content words are this much an earlier one's, figures included, only
# restates it (``restates``); a claim this short is left to ``same_fact``.
RESTATES_SHARE = 0.8
RESTATES_MIN_WORDS = 5
# Of the words a later claim takes from a sentence an earlier claim also cites, the share that
# lie within the stretch of that sentence the earlier claim told (or are its words) from which
# both tell the same part of it. Two facts of one sentence ("BIS published the rule on March 2
# ... that requires licences for model weights") lie mostly apart; two wordings of one fact
# lie within the same stretch, whichever of its words each picks.
SAME_EVIDENCE_SHARE = 0.75
SAME_EVIDENCE_MIN_WORDS = 3
# Two claims from different sources tell one event when they name the same names, figures
# and dates, they are this close in meaning (MiniLM cosine) and this share of the later one's
# content words (countries by any name) are the earlier one's. Below ``NEAR_COSINE`` meaning
# alone is not enough: "The controls take effect on 16 March" and "The controls cover API
# access" are fairly close and tell two facts; the shared names and words tell them apart.
PARAPHRASE_MIN_COSINE = 0.6
PARAPHRASE_MIN_SHARE = 0.45
# Two claims this close in meaning (MiniLM cosine, each without "According to X,") state one
# fact, whatever their words and details. Set on the tuning split's briefings at 1c121f7,
# whose repeats two readers marked (eval/repeats_read.py, 118 of 120 claims alike): of the
# 11 later claims this close to an earlier one, 10 were repeats (0.65: 14 of 17; 0.75: 4
# of 4); together they were 36% of the 28 repeats.
NEAR_COSINE = 0.70
# Two claims that put their events on the same day (a full date each) and are this close in
# meaning tell one event, unless the later adds a figure ("The United States on September 15,
# 2025 tightened its restrictions ..." and "On September 15, 2025, BIS released an interim
# final rule ...": cosine 0.39). Set on the tuning split's briefings, whose repeats two
# readers marked: at c6d8fc2, 5 of the 38 repeats that the rules above let through (a sixth
# is a forecast told twice, ``_near``) and none of the 273 other claims; at 1c121f7, 2 of 28
# and none else. (Two events of one day read further apart than this.)
SAME_DAY_COSINE = 0.35
# A fact is told by a claim already stated when the two are this close and the fact adds no
# name, figure or date (``told``): it is not shown to later sections.
TOLD_COSINE = NEAR_COSINE
# Two claims tell one event when the words that are rare among the briefing's evidence (a
# place, a product, a finding: "Penang", "distribution", "phrasing") are mostly shared, this
# share of the shorter claim's weight (each word weighs its inverse document frequency over
# the evidence's facts, so the topic's own words, in most of them, weigh little), and they
# are this close in meaning. Meaning alone misses another source's wording of one event
# ("The company also said it will open a distribution center in Penang, Malaysia, and that
# all shipments from it will be made under Malaysian Special Permits" after "Data center
# operators in Johor welcomed the clarity, and Corvane has chosen to open a distribution
# center in Penang that will ship only under Malaysian permits"). Set on the tuning split's
# briefings whose repeats two readers marked (1c121f7, c6d8fc2): 11 of 62 repeats, and none
# of the other claims; a share of 0.5 caught 19 but 3 claims that were not repeats.
EVENT_TERMS_SHARE = 0.6
EVENT_MIN_COSINE = 0.5
# Two claims that give the same measure of something ("18 U.S. companies", "30 days", "10^26
# operations") tell one event with fewer rare words shared: "MOFCOM adds 18 American
# companies to its Unreliable Entity List" and "China added 18 US companies to its unreliable
# entity list, barring them from ..." (0.50 of the rare words, cosine 0.63). Set on the tuning
# split's briefings whose repeats two readers marked (1c121f7, c6d8fc2): of the claims the
# rules above let through, 4 repeats and no other claim (at 0.45: 3 and none).
SAME_MEASURE_TERMS_SHARE = 0.4
# Content words of an earlier claim, names and figures aside, that a later one may lack and
# still state all of it (``subsumes``): a word of other wording, no more.
SUBSUMED_OTHER_WORDS = 1

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# A figure that measures or counts something: a number standing alone before a word or "%"
# ("18 US companies", "30 days", "10^26 operations", "4%"), not part of a code ("4A090").
_MEASURE = re.compile(r"(?<![\w.,^/-])(\d+(?:[.,]\d+)*(?:\^\d+)?)(?=%|\s+[A-Za-z])")
# Words before a number that make it a reference, not a measure ("part 774", "No. 14").
_REFERENCE = frozenset("no part parts supplement category section paragraph article item".split())
_YEAR = re.compile(r"(?:19|20)\d\d")
_MONTH_WORDS = frozenset(form for forms in MONTH_NAMES for form in forms)
_ACCORDING = re.compile(r"^According to (?:“[^”]+”|[^,]+), ")
_TOKEN = re.compile(r"[a-z0-9]+")
# A timeline entry's event date, which the engine puts before the claim.
DATED = re.compile(r"^\d{4}(?:-\d{2}){0,2} — ")


# How close two texts are in meaning (cosine of their embeddings).
Similarity = Callable[[str, str], float]


class Rarity:
    """How rare each word is among a briefing's evidence: its inverse document frequency
    over the facts' sentences, countries by any of their names (``EVENT_TERMS_SHARE``)."""

    def __init__(self, sentences: Sequence[str]) -> None:
        self._count = len(sentences)
        self._df: dict[str, int] = {}
        for sentence in sentences:
            for word in _country_words(sentence):
                self._df[word] = self._df.get(word, 0) + 1

    def weight(self, word: str) -> float:
        return math.log((self._count + 1) / (self._df.get(word, 0) + 1))

    def shared(self, a: str, b: str) -> float:
        """The rarity-weighted share of the shorter text's words that the other has too."""
        wa, wb = _country_words(a), _country_words(b)
        if not wa or not wb:
            return 0.0
        least = min(sum(map(self.weight, wa)), sum(map(self.weight, wb)))
        return sum(map(self.weight, wa & wb)) / least if least > 0 else 0.0


def repeats(
    claim: Claim,
    earlier: Sequence[Claim],
    similarity: Similarity | None = None,
    rarity: Rarity | None = None,
) -> bool:
    """Whether the briefing already states this claim's fact. A bottom line copying a claim
    of Key developments repeats it too. Without ``similarity`` paraphrases from other
    sources are not looked for; without ``rarity``, nor one event told in other words
    (``EVENT_TERMS_SHARE``)."""
    return any(
        same_fact(c.text, claim.text)
        or restates(claim.text, c.text)
        or same_evidence(claim, c)
        or (similarity is not None and _near(claim, c, similarity, rarity))
        for c in earlier
    )


def _near(new: Claim, earlier: Claim, similarity: Similarity, rarity: Rarity | None = None) -> bool:
    """Close in meaning (``NEAR_COSINE``), whoever each is given to and whatever the
    timeline's date, a paraphrase, or the same rare words (``EVENT_TERMS_SHARE``); a claim
    that states all the earlier one does, and more, is left to take its place
    (``subsumes``)."""
    if subsumes(new, earlier):
        return False
    # Timeline entries of different dates are different events, however alike their words;
    # a forecast of an event is not the report of one ("X expects BIS to add entities",
    # "BIS added 27 entities").
    if _entry_date(new.text) != _entry_date(earlier.text):
        return False
    a, b = _bare(new.text), _bare(earlier.text)
    # Both look ahead, one as a view, one with "will" ("Corvane expects China revenue to fall
    # below 4%" and "Corvane says its China revenue will fall below 4%"): one forecast.
    if bool(VIEW.search(a)) != bool(VIEW.search(b)) and not (
        looks_ahead(a, None) and looks_ahead(b, None)
    ):
        return False
    # A claim that adds a figure to the day's event ("BIS added 27 entities on March 3"
    # after "BIS listed Chinese and Singaporean firms on March 3") tells more of it: kept.
    if _same_day(a, b) and not _new_figures(a, b) and similarity(a, b) >= SAME_DAY_COSINE:
        return True
    if rarity is not None and one_event(a, b, similarity(a, b), rarity):
        return True
    return paraphrases(new.text, earlier.text, similarity) or similarity(a, b) >= NEAR_COSINE


def one_event(a: str, b: str, cosine: float, rarity: Rarity) -> bool:
    """Whether two texts at ``cosine`` tell one event by their rare words: mostly shared
    (``EVENT_TERMS_SHARE``), or fewer with the same measure of something
    (``SAME_MEASURE_TERMS_SHARE``); never when they date their events on different days."""
    if cosine < EVENT_MIN_COSINE or other_dates(a, b):
        return False
    share = rarity.shared(a, b)
    return share >= EVENT_TERMS_SHARE or (
        share >= SAME_MEASURE_TERMS_SHARE and bool(measures(a) & measures(b))
    )


def measures(text: str) -> set[str]:
    """The figures of ``text`` that measure or count something (``_MEASURE``), without
    thousands separators: no year, no day of a date, no reference number."""
    out = set()
    for m in _MEASURE.finditer(text):
        before = text[: m.start()].rsplit(None, 1)[-1:]
        after = text[m.end() :].split(None, 1)[:1]
        if _YEAR.fullmatch(m[1]) or (before and before[0].lower().strip(".") in _REFERENCE):
            continue
        if after and after[0].strip(".,;:").lower() in _MONTH_WORDS:
            continue  # "25 March 2026": a day
        out.add(m[1].replace(",", ""))
    return out


def other_dates(a: str, b: str) -> bool:
    """Whether the two texts date their events and no date of one agrees with one of the
    other's (to the precision both give; a year left out agrees with any): "on October 17,
    2023 tightened its rules" and "on September 15, 2025 tightened its restrictions" tell two
    events, however alike their words."""
    dates_a, dates_b = event_dates(a, "0000-01-01"), event_dates(b, "0000-01-01")
    return bool(dates_a and dates_b) and not any(_agree(x, y) for x in dates_a for y in dates_b)


def _agree(x: str, y: str) -> bool:
    (year_x, *rest_x), (year_y, *rest_y) = x.split("-"), y.split("-")
    if "0000" not in (year_x, year_y) and year_x != year_y:
        return False
    return all(p == q for p, q in zip(rest_x, rest_y, strict=False))


def _new_figures(new: str, earlier: str) -> set[str]:
    """Figures of ``new`` that ``earlier`` lacks, its dates' days and years aside."""
    days = {str(int(d[-2:])) for d in event_dates(new, "0000-01-01") if len(d) == 10}
    years = set(re.findall(r"\b(?:19|20)\d\d\b", new))
    return _figures(new) - _figures(earlier) - days - years


def _same_day(a: str, b: str) -> bool:
    """Whether the two claims put an event on the same day: the same day and month, and the
    same year unless one of them leaves it out ("on March 3" and "on 3 March 2026")."""
    days_a = [d for d in event_dates(a, "0000-01-01") if len(d) == 10]
    days_b = [d for d in event_dates(b, "0000-01-01") if len(d) == 10]
    return any(_agree(x, y) for x in days_a for y in days_b)


def _entry_date(text: str) -> str:
    """A timeline entry's date ("2026-03-02 — ..."), "" for any other claim."""
    return text.split(" — ", 1)[0] if DATED.match(text) else ""


def _bare(text: str) -> str:
    """The claim without its timeline date and without "According to X," before it."""
    return _ACCORDING.sub("", undated(text))


def same_fact(a: str, b: str) -> bool:
    """The same words, a final full stop aside, or mostly the same content words with exactly
    the same figures."""
    a, b = undated(a), undated(b)
    if normalise(a).rstrip(" .;") == normalise(b).rstrip(" .;"):
        return True
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb or _FIGURE.findall(a) != _FIGURE.findall(b):
        return False
    return len(wa & wb) / len(wa | wb) >= SAME_FACT_OVERLAP


def restates(new: str, earlier: str) -> bool:
    """Whether ``new`` says nothing ``earlier`` has not: nearly all its content words and
    all its figures are the earlier claim's ("On March 24, Larkspur AI, Northwind and Oriel
    launched the Compact" after "On 24 March 2026 Larkspur AI, Northwind and Oriel announced
    the Compact, a private agreement to ..."). A claim that adds to an earlier one is kept."""
    new, earlier = undated(new), undated(earlier)
    wn, we = content_words(new), content_words(earlier)
    if len(wn) < RESTATES_MIN_WORDS or not _figures(new) <= _figures(earlier):
        return False
    return len(wn & we) / len(wn) >= RESTATES_SHARE


def fold_subsumed(claims: Sequence[Claim]) -> list[Claim]:
    """A section's claims with each claim that a later one states in full, and more, replaced
    by that later one, in the earlier one's place: "X announced the Compact" then "On 24
    March 2026 X announced the Compact, a private agreement to ..." reads as the second
    alone, where the first stood. A failed claim replaces none."""
    out = list(claims)
    i = 0
    while i < len(out):
        later = next((j for j in range(i + 1, len(out)) if subsumes(out[j], out[i])), None)
        if later is None:
            i += 1
            continue
        out[i] = out.pop(later)
        # What the moved claim states in full is said: claims between are not kept twice.
        out[i + 1 :] = [c for c in out[i + 1 :] if not subsumes(out[i], c)]
    return out


def subsumes(new: Claim, earlier: Claim) -> bool:
    """Whether ``new`` states everything ``earlier`` states: each of its names, figures and
    dates (a year a date of ``earlier`` leaves out aside, an acronym found as its name), and
    its other content words but ``SUBSUMED_OTHER_WORDS`` (a wording: "launched" for
    "announced")."""
    if new.check.unsupported or earlier.check.unsupported:
        return False
    a, b = undated(new.text), undated(earlier.text)
    if _missing_terms(b, a):
        return False
    terms = content_words(" ".join(hard_terms(b)))
    return len(content_words(b) - terms - content_words(a)) <= SUBSUMED_OTHER_WORDS


def told(text: str, vector: np.ndarray, said: Sequence[tuple[str, np.ndarray]]) -> bool:
    """Whether a claim already stated (text, embedding) tells what ``text`` tells: close in
    meaning (``TOLD_COSINE``) and ``text`` names no name, figure or date the claim lacks.
    Before a section is drafted, facts already told are not shown to it: the model cannot
    write "BIS added 27 entities to the Entity List" under Key developments when the bottom
    line said "BIS published a final rule adding 27 entities to the Entity List". (Withholding
    too the facts that tell a stated claim's event by ``one_event`` was tried: on the tuning
    split's reader-marked claims it withheld the facts of 10 repeats and of no other claim, but
    on the test split the model wrote other claims in their place, with no fewer repeats.)"""
    view = bool(VIEW.search(text))
    return any(
        float(vector @ v) >= TOLD_COSINE
        and view == bool(VIEW.search(_bare(t)))
        and not _missing_terms(_bare(text), _bare(t))
        for t, v in said
    )


def same_evidence(new: Claim, earlier: Claim) -> bool:
    """Whether ``new`` tells the part of a cited sentence that ``earlier`` already told, and
    nothing else: they cite a sentence in common, most of the words ``new`` takes from it lie
    within the stretch of it ``earlier`` took words from, ``new`` has no figure ``earlier``
    lacks, and nothing from another cited sentence. Claims are compared by what they draw
    from their evidence, so a paraphrase with little of the earlier claim's wording
    ("Beijing's move follows ..." after "The Chinese action answers ...") is found."""
    shared = _sentences(new) & _sentences(earlier)
    if not shared:
        return False
    new_text, old_text = undated(new.text), undated(earlier.text)
    if not _figures(new_text) <= _figures(old_text):
        return False
    source = _stems(" ".join(sorted(shared)))
    new_words, old_words = content_words(new_text), content_words(old_text)
    others = content_words(" ".join(_sentences(new) - shared))
    if (new_words & others) - set(source) - old_words:
        return False  # it adds what another of its sentences says
    took_new = [i for i, w in enumerate(source) if w in new_words]
    took_old = [i for i, w in enumerate(source) if w in old_words]
    told = {source[i] for i in took_new}
    if len(told) < SAME_EVIDENCE_MIN_WORDS or not took_old:
        return False
    start, end = min(took_old), max(took_old)
    within = {source[i] for i in took_new if start <= i <= end} | (told & old_words)
    return len(within) / len(told) >= SAME_EVIDENCE_SHARE


def paraphrases(new: str, earlier: str, similarity: Similarity) -> bool:
    """Whether ``new`` tells the event ``earlier`` told, in other words: the two name the
    same names, figures and dates, ``new`` shares most of its content words with ``earlier``
    (a country by any of its names: "Beijing's move" and "the Chinese action"), and the two
    mean nearly the same."""
    new, earlier = undated(new), undated(earlier)
    if not same_terms(new, earlier):
        # One adds a name, a figure or a date: "BIS will add entities in 2026" is not "BIS
        # added 27 entities on 3 March 2026", though every term of the first is in the second.
        return False
    wn, we = _country_words(new), _country_words(earlier)
    if not wn or len(wn & we) / len(wn) < PARAPHRASE_MIN_SHARE:
        return False
    return similarity(new, earlier) >= PARAPHRASE_MIN_COSINE


def _country_words(text: str) -> set[str]:
    """Content words, each country word as its country: "Beijing" and "Chinese" are one."""
    words = set()
    for token in re.findall(r"[\w’'.-]+", text):
        bare = re.sub(r"['’]s$", "", token).strip(".")
        if is_country_word(bare):
            words |= {f"@{c}" for c in countries_in(bare)}
        else:
            words |= content_words(token)
    return words


def undated(text: str) -> str:
    """A timeline entry without the event date the engine put before it."""
    return text.split(" — ", 1)[1] if DATED.match(text) else text


def _figures(text: str) -> set[str]:
    return set(_FIGURE.findall(text))


def _stems(text: str) -> list[str]:
    """The content words of ``text`` in order, as the checker stems them."""
    return [w for token in _TOKEN.findall(text.lower()) for w in content_words(token)]


def _sentences(claim: Claim) -> set[str]:
    """The source sentences a claim's citations quote, as the checker compares text."""
    return {
        normalise(s).rstrip(" .")
        for c in claim.citations
        for s in split_sentences(c.quote.removesuffix("…"))
        if s.strip()
    }


__all__ = [
    "DATED",
    "Rarity",
    "Similarity",
    "fold_subsumed",
    "measures",
    "one_event",
    "other_dates",
    "paraphrases",
    "repeats",
    "restates",
    "same_evidence",
    "same_fact",
    "subsumes",
    "told",
    "undated",
]
