"""Whether a claim and the sentence it rests on say the same thing happened.

"The ministry did not ban the models" and "The ministry banned the models" share every content
word; so do "Malaysia may impose a permit rule" and "Malaysia imposed a permit rule", or a
"proposed" rule and a "final" one. Word overlap and embeddings cannot tell them apart; these
functions compare what is negated, what is only planned or possible, and which of two opposite
words (denied / confirmed, rose / fell) each side uses.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Past forms the suffix rules below cannot undo: both sides compare by the present form.
_IRREGULAR = {
    "said": "say", "says": "say", "took": "take", "taken": "take", "gave": "give",
    "given": "give", "made": "make", "withdrew": "withdraw", "withdrawn": "withdraw",
    "began": "begin", "begun": "begin", "won": "win", "sold": "sell", "bought": "buy",
    "told": "tell", "held": "hold", "led": "lead", "rose": "rise", "risen": "rise",
    "fell": "fall", "fallen": "fall", "saw": "see", "seen": "see", "went": "go", "gone": "go",
    "came": "come", "knew": "know", "known": "know", "found": "find", "brought": "bring",
    "kept": "keep", "left": "leave", "lost": "lose", "sent": "send", "spent": "spend",
    "wrote": "write", "written": "write", "shown": "show", "chose": "choose",
    "chosen": "choose", "struck": "strike", "sought": "seek", "froze": "freeze",
    "frozen": "freeze", "met": "meet", "paid": "pay", "laid": "lay", "issued": "issue",
    "has": "have", "had": "have", "did": "do", "does": "do", "done": "do",
}  # fmt: skip


def root(word: str) -> str:
    """A crude lemma, the same for "ban", "bans", "banned" and "banning", for "impose" and
    "imposed", for "publish" and "published"."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # bann(ed) -> ban
    return word.removesuffix("e") if len(word) > 3 else word


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


# Grammatical negation only: "barred from" or "cut off from" is a negative fact stated
# positively, and its verb is often paraphrased by the opposite construction.
_NEGATORS = frozenset({"not", "never", "nor", "cannot"})
_NEGATION_PAIRS = (("no", "longer"), ("yet", "to"))
# Hedges that make a fact a possibility, a plan or a forecast rather than an event.
_HEDGES = frozenset({"may", "might", "could", "considering", "considers", "weighing", "mulling"})
_HEDGE_BEFORE_TO = frozenset({
    "plans", "plan", "planned", "planning", "intends", "intend", "intended", "expected",
    "expects", "set", "threatened", "threatens", "threatening", "aims", "aimed", "seeks",
    "sought", "likely", "proposes", "proposed", "wants", "hopes", "pledged", "vowed",
    # "appeared to have been trained": what only seems so is not stated as done.
    "appeared", "appears", "appear", "seemed", "seems", "seem",
})  # fmt: skip
# Words skipped between a negation or hedge and the word it governs.
_GLUE = frozenset(
    """to be been being have has had do does did is are was were will would shall should can
    could may might must yet also still so far formally officially publicly immediately
    directly explicitly fully currently already ever even now the a an any its their his her
    this that these those it they he she""".split()
)
# "denied that it had granted", "rejected reports that it had suspended": the verb after is
# negated as by "not".
_DENIALS = frozenset("denied denies deny rejected rejects dismissed refuted".split())
_REPORTED = frozenset("reports claims suggestions allegations rumours rumors".split())
_SCOPE = 4


def _governed(words: list[str], start: int) -> str | None:
    for word in words[start : start + _SCOPE]:
        if word not in _GLUE and word not in _NEGATORS and not word.endswith("ly"):
            return root(word)
    return None


_BEFORE_MONTH = frozenset(
    "in on by since until from of early late mid through before after".split()
)


def _is_month(words: list[str], i: int) -> bool:
    """Whether the "may" at ``i`` is the month: "May 16", "16 May", "by May"."""
    following = words[i + 1] if i + 1 < len(words) else ""
    before = words[i - 1] if i else ""
    return following.isdigit() or before.isdigit() or before in _BEFORE_MONTH


def marked_words(text: str, *, can_hedges: bool = False) -> tuple[list[str], list[str]]:
    """The roots of the words ``text`` negates and of those it only hedges, once per
    occurrence: in "X did not ban Y" the negated word is "ban"; in "X plans to impose a fee"
    the hedged one is "impos". With ``can_hedges``, "can" hedges too: a claim's "can be
    designated" may render a source's "may be designated", though "it can keep serving" in a
    source is no hedge."""
    hedges = _HEDGES | {"can"} if can_hedges else _HEDGES
    words = tokens(text)
    negated: list[str] = []
    hedged: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in _NEGATORS or word.endswith("n't") or (word == "no" and not following.isdigit()):
            target = _governed(words, i + 1)
            negated.extend([target] if target else [])
        elif (word, following) in _NEGATION_PAIRS:
            target = _governed(words, i + 2)
            negated.extend([target] if target else [])
        elif word in _DENIALS:
            j = i + 1 + (following in _REPORTED)
            if j < len(words) and words[j] == "that":
                target = _governed(words, j + 1)
                negated.extend([target] if target else [])
        elif word == "may" and _is_month(words, i):
            continue
        elif word in hedges and following != "not" and not following.endswith("n't"):
            target = _governed(words, i + 1)
            hedged.extend([target] if target else [])
        elif word in _HEDGE_BEFORE_TO and following == "to":
            target = _governed(words, i + 2)
            hedged.extend([target] if target else [])
    return negated, hedged


# Past forms a source's "will" cannot become: "South Korea will announce controls" does not
# support "South Korea announced controls".
_PAST_IRREGULAR = frozenset(
    """said took taken gave given made withdrew withdrawn began begun won sold bought told
    held led rose risen fell fallen saw seen went gone came knew known found brought kept
    left lost sent spent wrote written chose chosen struck sought froze frozen met paid
    laid did done""".split()
)
_FUTURE = frozenset({"will", "shall", "'ll"})


def future_words(text: str) -> list[str]:
    """The roots of the words ``text`` puts in the future: "will announce" -> announc."""
    words = tokens(text)
    out = []
    for i, word in enumerate(words):
        if word in _FUTURE or word.endswith("'ll"):
            target = _governed(words, i + 1)
            out.extend([target] if target else [])
    return out


def past_words(text: str) -> set[str]:
    """The roots of the verbs ``text`` puts in the past ("announced", "took", "has taken")."""
    return {
        root(w) for w in tokens(text)
        if w in _PAST_IRREGULAR or (w.endswith("ed") and len(w) > 4)
    }  # fmt: skip


# Pairs of opposite words: a claim using one where its source uses only the other reverses it.
_OPPOSITES: tuple[tuple[frozenset[str], frozenset[str], str], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()), name)
    for a, b, name in (
        (
            "deny denied denies denial rejected rejects dismissed refuted",
            "confirm confirmed confirms confirmation acknowledged admitted",
            "denied/confirmed",
        ),
        (
            "proposed proposal proposes draft",
            "final finalised finalized adopted enacted",
            "proposed/final",
        ),
        (
            "rose rise rises risen gained gains climbed jumped increased",
            "fell fall falls fallen dropped declined slipped lost slumped decreased",
            "rose/fell",
        ),
        ("granted approved approves lifted", "refused revoked rejected", "granted/refused"),
        ("added adds", "removed removes delisted", "added/removed"),
        (
            "tightened tightens expanded",
            "loosened loosens eased relaxed narrowed",
            "tightened/eased",
        ),
    )
)


def opposite_words(claim: str, sentence: str) -> list[str]:
    """The opposite pairs in which the claim uses one side and the sentence only the other."""
    said, source = set(tokens(claim)), set(tokens(sentence))
    found = []
    for a, b, name in _OPPOSITES:
        for mine, theirs in ((a, b), (b, a)):
            if said & mine and source & theirs and not source & mine and not said & theirs:
                found.append(name)
    return found
