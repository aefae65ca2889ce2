"""Checking that each claim's cited passages say what the claim says.

A model's citations cannot be trusted (models.md: ids pointing at the wrong source, sentences
merging two sources). Every claim is checked against the text it cites:

1. Hard terms: numbers, dates, control codes and names in the claim must occur in the cited
   text. A claim that says "31 companies" while its passage says "28" fails here, whatever
   the similarity.
2. Support: most of the claim's content words are in the cited text, and the two are not
   unrelated in meaning (cosine of their embeddings above a floor); calibrated on a labelled
   set, see ``bench/calibrate_support.py`` and ``tests/data/support_labels.json``.
3. Statement: each clause of the claim against the one cited sentence that states it, which
   must name the same actor and countries and negate, hedge and oppose nothing the clause
   does not (``rag.checking.statements``). Its findings are reported with the missing terms.

A claim that fails is moved to the passage among the section's evidence that does support it
(status ``reattributed``), or flagged ``unsupported`` with the reasons.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.checking.actors import countries_in, is_country_word
from rag.checking.numerals import numerals
from rag.checking.statements import gap_core, sentence_contexts, statement_problems
from rag.checking.verdict import SupportCheck
from rag.core.types import Passage
from rag.core.vocabulary import BODY_KINDS, CAPITALISED_WORD, CLAIM_STOPWORDS, MONTH_NAMES, WEEKDAYS
from rag.reading.chunking import split_sentences
from rag.reading.sanitize import neutralise_instructions

# Calibrated on tests/data/support_labels.json (bench/calibrate_support.py). A claim must share
# most of its content words with what it cites: similarity of meaning alone let through claims
# close in topic whose words are the model's own (a forecast, a generic consequence), and on
# the labelled set it passed nothing the word overlap did not (0.853 precision either way).
# The floor on meaning keeps out a claim whose words are all there in another sense.
LEXICAL_MIN = 0.70
SEMANTIC_FLOOR = 0.20
# A co-cited passage this close (half of either) adds something to a supported claim.
SEMANTIC_MIN = 0.60

# Capitalised words that are not names: sentence openers, months, days, titles.
_NOT_NAMES = frozenset(
    [form for forms in MONTH_NAMES for form in forms]
    + [day.lower() for day in WEEKDAYS]
    + """a an the this that these those it its in on at by for from of to and or but as if
    with without after before during while when where which who whom whose what why how
    however meanwhile also both
    according under over about into than then there their they he she we i
    mr mrs ms dr prof president minister ministry secretary department chief executive
    ceo official officials government""".split()
)
_STOP = CLAIM_STOPWORDS

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_CODE = re.compile(
    r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b"
)
_CAPWORD = re.compile(CAPITALISED_WORD)
_WORD = re.compile(r"[a-z0-9]+")
# "16th" is the number 16; "72-hour" and "72-billion-parameter" are 72 with a unit, not codes.
_ORDINAL = re.compile(r"(?<![\w.])(\d+)(?:st|nd|rd|th)\b")
_NOT_A_CODE = re.compile(r"\d+(?:st|nd|rd|th)|\d+(?:[.,]\d+)*(?:-[a-z]+)+")
# A day with its month ("16 March", "March 16th", "Mar. 16"): the month must match too.
_MONTH = "|".join(form.capitalize() for forms in MONTH_NAMES for form in forms)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?\s+(?P<d2>{_DAY}))\b"
)


@dataclass(frozen=True)
class CheckResult:
    check: SupportCheck
    passage_ids: list[str]  # the citations to keep (changed when reattributed)


def normalise(text: str) -> str:
    """Lower case, one space, no thousands separators: PDF text breaks lines mid-name."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    # Source text reaches the model with straight double quotes made curly (sanitize), so a
    # claim may quote either way; both sides compare with straight ones.
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def _stem(word: str) -> str:
    """A crude stem that meets its inflections: "trade", "trading" and "traded" all give
    "trad", "make" and "making" "mak"; "companies" and "company" give "company"."""
    if word.endswith("ies") and len(word) >= 6:
        return word[:-3] + "y"
    for suffix, least in (("ing", 3), ("ed", 4), ("es", 4), ("s", 4), ("ly", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= least:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) >= 4 else word


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def hard_terms(claim: str) -> list[str]:
    """Numbers, codes and names the cited text must contain, as they appear in the claim
    (counts written in words as digits, ISO dates written out: see ``numerals``)."""
    claim = numerals(claim)
    terms: list[str] = []
    dates = list(_DATE.finditer(claim))
    terms += [m.group(0) for m in dates]

    def in_date(m: re.Match[str]) -> bool:
        return any(d.start() <= m.start() < d.end() for d in dates)

    codes = [
        m
        for m in _CODE.finditer(claim)
        if not _NOT_A_CODE.fullmatch(m.group(0)) and not in_date(m) and not m.group(0).isdigit()
    ]

    def in_code(m: re.Match[str]) -> bool:
        # The 7 of "Lumen-7" is part of a name, not a figure to find on its own.
        return any(c.start() <= m.start() < c.end() for c in codes)

    terms += [
        m.group(0).replace(",", "")
        for m in _NUMBER.finditer(claim)
        if not in_date(m) and not in_code(m)
    ]
    terms += [m.group(1) for m in _ORDINAL.finditer(claim) if not in_date(m)]
    for m in codes:
        if m.group(0).replace(",", "") not in terms:
            terms.append(m.group(0))
    # A sentence may open with a quotation mark: the word after it starts the sentence.
    sentence_starts = {m.end() for m in re.finditer(r"(^|[.!?:;]\s+|\n)[\"“‘']?", claim)}
    for m in _CAPWORD.finditer(claim):
        word = m.group(0).rstrip(".")
        if word.lower() in _NOT_NAMES:
            continue
        # A capital at the start of a sentence says nothing, unless the word is an acronym or
        # a brand written with inner capitals (MOFCOM, OpenAI), a country ("Vietnam imposed")
        # or a possessive ("Larkspur's model").
        if (
            m.start() in sentence_starts
            and not any(c.isupper() for c in word[1:])
            and not is_country_word(word)
            and not claim[m.end() :].startswith(("'s", "’s"))
        ):
            continue
        if any(ch.isdigit() for ch in word) or len(word) < 2:
            continue
        terms.append(word)
    return list(dict.fromkeys(terms))


def _found(term: str, haystack: str) -> bool:
    """Whether a hard term of a claim occurs in ``haystack`` (already ``_normalise``d), as a
    whole token: "28" is not in "2028", nor "4" in "4.4%"."""
    date = _DATE.fullmatch(term)
    if date:
        day = str(int(re.sub(r"\D", "", date["d1"] or date["d2"])))
        month = (date["m1"] or date["m2"]).lower()
        forms = next(f for f in MONTH_NAMES if month in f)
        month_re = "(?:" + "|".join(forms) + r")\.?"
        day_re = rf"0?{day}(?:st|nd|rd|th)?"
        pattern = rf"(?<!\w)(?:{day_re}\s+(?:of\s+)?{month_re}|{month_re}\s+{day_re})(?!\w)"
        return re.search(pattern, haystack) is not None
    needle = normalise(term)
    if not needle[0].isalnum():
        return needle in haystack
    if re.search(r"(?<!\w)(?<!\d[.,])" + re.escape(needle) + r"(?!\w)(?![.,]\d)", haystack):
        return True
    # Possessives and plurals of names: "Anthropic's" in the claim, "Anthropic" in the text.
    if needle.endswith(("'s", "s")) and _stem(needle.removesuffix("'s")) in haystack:
        return True
    return _spelled_out(term, haystack)


_LINK_WORDS = frozenset({"of", "and", "the", "for", "&"})


def _spelled_out(acronym: str, haystack: str) -> bool:
    """An acronym in the claim whose words the text spells out: API for "application
    programming interface", UAE for "United Arab Emirates"."""
    letters = acronym.replace(".", "").lower()
    if not (acronym.replace(".", "").isupper() and 2 <= len(letters) <= 6 and letters.isalpha()):
        return False
    words = [w for w in re.findall(r"[a-z]+", haystack) if w not in _LINK_WORDS]
    initials = "".join(w[0] for w in words)
    return letters in initials and any(
        initials[i : i + len(letters)] == letters
        and all(len(w) > 2 for w in words[i : i + len(letters)])
        for i in range(len(words) - len(letters) + 1)
    )


def _is_name(term: str) -> bool:
    return term[0].isupper() and not any(ch.isdigit() for ch in term)


# A bare year: in most passages of a topic, so it ties a claim to no passage in particular.
_YEAR = re.compile(r"(?:19|20)\d\d")


def _is_figure(term: str) -> bool:
    """A number or a date that ties a fact to its actor; a bare year does not (too common)."""
    if _DATE.fullmatch(term):
        return True
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", term)) and not _YEAR.fullmatch(term)


def missing_terms(claim: str, cited_text: str) -> list[str]:
    """Hard terms of the claim absent from the cited text, and pairs that are present but
    never stated together: "Stratus Peak fell 5.1 percent" against a passage in which
    Corrigan fell 5.1 percent and Stratus Peak is named elsewhere. Then what the sentence
    that states each clause says otherwise (``rag.checking.statements``)."""
    terms, problems = _missing(claim, cited_text)
    return terms + problems


def _missing(claim: str, cited_text: str) -> tuple[list[str], list[str]]:
    """The claim's missing terms, and the problems of its clauses with their sentences."""
    cited_text = numerals(neutralise_instructions(cited_text))
    haystack = normalise(cited_text)
    terms = hard_terms(claim)
    countries = countries_in(cited_text)
    missing = [
        term
        for term in terms
        if not _found(term, haystack)
        # "Malaysian" in the claim, "Malaysia" or "Kuala Lumpur" in the text.
        and not (is_country_word(term) and countries_in(term) <= countries)
    ]
    figures = [t for t in terms if _is_figure(t) and t not in missing]
    names = [t for t in terms if _is_name(t) and t not in missing]
    if figures and names:
        # Within one sentence, or two when the second names its actor by a pronoun or a
        # description ("MOFCOM answered... It added 3 more"). Allowing any sentence before
        # let through wrong-actor claims on the labelled set (0.849 -> 0.814).
        spans = sentence_contexts(cited_text)
        for name in names:
            if not any(
                _mentions(name, s) and any(_found(f, normalise(s)) for f in figures) for s in spans
            ):
                missing.append(f"{name} with {'/'.join(figures)}")
    missing += _bodies_swapped(claim, cited_text)
    return missing, statement_problems(numerals(claim), cited_text, _STOP, _mentions)


# The kind of a government body, which a name's other word does not tell apart: the U.S.
# "Commerce Department" and China's "Ministry of Commerce" share "Commerce" only.
_BODY = "(?:" + "|".join(kind.title() for kind in BODY_KINDS) + ")"
_NAME_WORD = r"[A-Z][\w&.'’-]*"
_WORD_BODY = re.compile(rf"\b({_NAME_WORD})\s+({_BODY})\b")
_BODY_OF_WORD = re.compile(rf"\b({_BODY})\s+of\s+(?:the\s+)?({_NAME_WORD})")


def _bodies(text: str) -> dict[str, set[str]]:
    """Each word naming a body, with the kinds of body the text gives it: {"commerce":
    {"ministry"}} for "the Ministry of Commerce" or "China's Commerce Ministry"."""
    out: dict[str, set[str]] = {}
    # Two passes, as the two orders overlap: "The Ministry of Commerce" is not "The Ministry".
    for pattern, order in ((_WORD_BODY, (1, 2)), (_BODY_OF_WORD, (2, 1))):
        for m in pattern.finditer(text):
            word, kind = m[order[0]], m[order[1]]
            if word.lower() in _NOT_NAMES or re.fullmatch(_BODY, word):
                continue
            out.setdefault(word.lower().removesuffix("'s").removesuffix("’s"), set()).add(
                kind.lower()
            )
    return out


def _bodies_swapped(claim: str, cited_text: str) -> list[str]:
    """A body the claim names by a kind its cited text never gives that name: "Commerce
    Department" where the text says only "Ministry of Commerce"."""
    cited = _bodies(cited_text)
    return [
        f"{kind.title()} of {word.title()}"
        for word, kinds in _bodies(claim).items()
        for kind in sorted(kinds)
        if word in cited and kind not in cited[word]
    ]


def named(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` as the checker finds names (acronyms spelled out,
    possessives, a country by its adjective or capital)."""
    return _mentions(numerals(name), numerals(neutralise_instructions(text)))


def _mentions(name: str, text: str) -> bool:
    """Whether ``text`` names ``name``, as hard terms are found: "BIS" in "Bureau of Industry
    and Security", "Larkspur's" in "Larkspur", "Chinese" in "China"."""
    if is_country_word(name) and countries_in(name) <= countries_in(text):
        return True
    return _found(name, normalise(text))


def lexical_support(claim: str, cited_text: str) -> float:
    # A gap claim is judged on what it says is missing, not on its "the sources do not say".
    words = content_words(numerals(gap_core(claim) or claim))
    if not words:
        return 0.0
    return len(words & content_words(numerals(neutralise_instructions(cited_text)))) / len(words)


def supports(lexical: float, semantic: float, missing: Sequence[str]) -> bool:
    return not missing and lexical >= LEXICAL_MIN and semantic >= SEMANTIC_FLOOR


def _assess(
    claim: str, claim_vec: np.ndarray, passages: Sequence[Passage], vectors: Sequence[np.ndarray]
) -> tuple[float, float, list[str], list[str]]:
    """Word overlap, similarity, missing terms and the clauses' problems with their sentences."""
    text = "\n".join(p.text for p in passages)
    lexical = lexical_support(claim, text)
    semantic = max((float(np.dot(claim_vec, v)) for v in vectors), default=0.0)
    return lexical, semantic, *_missing(claim, text)


def _bearing(
    claim: str,
    claim_vec: np.ndarray,
    cited: list[str],
    evidence: dict[str, tuple[Passage, np.ndarray]],
) -> list[str]:
    """The cited passages that bear on the claim, so each footnote points where it should: one
    that states much of it in its words (``LEXICAL_MIN / 2``) or means nearly the same
    (``SEMANTIC_MIN``), and any other that alone holds one of its names or figures. "BIS
    published an interim final rule on 2 March" co-cited with "On 24 March Larkspur AI ...
    announced the Compact" (cosine 0.52, a fifth of its words) keeps only the first. (Any
    passage at half of ``SEMANTIC_MIN`` was kept before: nearly every sentence of one topic.)"""
    if len(cited) == 1:
        return cited
    kept = [
        pid
        for pid in cited
        if float(np.dot(claim_vec, evidence[pid][1])) >= SEMANTIC_MIN
        or lexical_support(claim, evidence[pid][0].text) >= LEXICAL_MIN / 2
    ]
    held = normalise(" ".join(evidence[pid][0].text for pid in kept))
    # A year alone ("2026") keeps none.
    terms = [t for t in hard_terms(claim) if not _YEAR.fullmatch(t)]
    for pid in cited:
        text = normalise(evidence[pid][0].text)
        if pid not in kept and any(_found(t, text) and not _found(t, held) for t in terms):
            kept.append(pid)
            held = f"{held} {text}"
    return [pid for pid in cited if pid in kept]


def check_claim(
    claim: str,
    claim_vec: np.ndarray,
    cited: Sequence[str],
    evidence: dict[str, tuple[Passage, np.ndarray]],
) -> CheckResult:
    """Check a claim against the passages it cites, among the section's ``evidence``
    (passage id -> (passage, vector)). Reattributes to the best supporting passage if the
    cited ones fail and another passage passes."""
    cited = [pid for pid in dict.fromkeys(cited) if pid in evidence]
    lexical, semantic, missing, problems = _assess(
        claim, claim_vec, [evidence[p][0] for p in cited], [evidence[p][1] for p in cited]
    )
    if cited and supports(lexical, semantic, missing + problems):
        kept = _bearing(claim, claim_vec, cited, evidence)
        reasons = [] if len(kept) == len(cited) else ["a co-cited passage was unrelated; dropped"]
        return CheckResult(
            SupportCheck("supported", reasons, round(lexical, 3), round(semantic, 3)),
            kept or cited,
        )

    reasons = []
    if not cited:
        reasons.append("cites no passage")
    if missing:
        reasons.append("not in the cited text: " + ", ".join(missing))
    reasons += problems
    if not missing and not problems and cited:
        reasons.append(
            f"cited text is not close enough (similarity {semantic:.2f}, "
            f"word overlap {lexical:.0%})"
        )

    best: tuple[float, str, float, float] | None = None
    for pid, (passage, vector) in evidence.items():
        if pid in cited:
            continue
        lex, sem, miss, wrong = _assess(claim, claim_vec, [passage], [vector])
        if supports(lex, sem, miss + wrong) and (best is None or sem + lex > best[0]):
            best = (sem + lex, pid, lex, sem)
    if best is not None:
        _, pid, lex, sem = best
        return CheckResult(
            SupportCheck(
                "reattributed",
                [*reasons, "moved to the passage that supports it"],
                round(lex, 3),
                round(sem, 3),
                missing,
            ),
            [pid],
        )
    return CheckResult(
        SupportCheck("unsupported", reasons, round(lexical, 3), round(semantic, 3), missing),
        cited,
    )


SHORT_PHRASE_WORDS = 6


def looks_like_heading(text: str) -> bool:
    """A title rather than a statement: no closing punctuation, and either a short phrase
    without a figure or every longer word but at most one capitalised ("The March 2026
    Frontier AI Export Rule"). Such a "claim" asserts
    nothing, yet shares every word with the passage it was lifted from. Name-heavy sentences
    keep their lowercase verbs ("Larkspur AI and Stratus Peak were listed by MOFCOM")."""
    text = text.strip()
    if not text or text[-1] in '.!?;:…"”’)':
        return False
    # A short phrase without a figure and without closing punctuation is a section title in
    # sentence case ("The rule and its scope", lifted from a numbered heading in a PDF).
    if len(text.split()) <= SHORT_PHRASE_WORDS and not any(c.isdigit() for c in text):
        return True
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) >= 4]
    lower = sum(not w[0].isupper() for w in words)
    return len(words) - lower >= 2 and lower <= 1


def best_quote(claim: str, passage_text: str, limit: int = 300) -> str:
    """The sentence, or two adjacent sentences, of the passage that cover most of the claim's
    words and hard terms: what a footnote quotes and the evidence pane highlights."""
    sentences = split_sentences(" ".join(passage_text.split())) or [passage_text]
    words = content_words(claim)
    terms = hard_terms(claim)

    def coverage(text: str) -> int:
        norm = normalise(numerals(text))
        return len(words & content_words(text)) + sum(_found(t, norm) for t in terms)

    windows = sentences + [
        f"{a} {b}" for a, b in itertools.pairwise(sentences) if len(a) + len(b) < limit
    ]
    quote = max(windows, key=lambda w: (coverage(w), -len(w)))
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "…"
