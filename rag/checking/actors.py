"""Countries and blocs by every name a briefing uses for them.

A claim that swaps one country for another ("Vietnam imposed..." where the source's sentence
says Malaysia) keeps every other word of its source, so the checker compares the actors named
in a claim with those of the sentence that supports it. A country is the same actor whether
written as its name, its adjective or its capital ("China", "Chinese", "Beijing").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# key: the forms that name it (lower case; dots removed before matching, so "u.s." is "us").
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "united states": ("united states", "us", "usa", "america", "american", "americans",
                      "washington", "united states of america"),
    "china": ("china", "chinese", "beijing", "prc", "people's republic of china"),
    "taiwan": ("taiwan", "taiwanese", "taipei"),
    "hong kong": ("hong kong",),
    "japan": ("japan", "japanese", "tokyo"),
    "south korea": ("south korea", "korea", "korean", "south korean", "seoul"),
    "north korea": ("north korea", "north korean", "pyongyang"),
    "india": ("india", "indian", "new delhi", "delhi"),
    "russia": ("russia", "russian", "moscow", "kremlin"),
    "united kingdom": ("united kingdom", "uk", "britain", "british", "london", "great britain"),
    "european union": ("european union", "eu", "brussels", "european commission"),
    "germany": ("germany", "german", "berlin"),
    "france": ("france", "french", "paris"),
    "netherlands": ("netherlands", "dutch", "the hague", "holland"),
    "italy": ("italy", "italian", "rome"),
    "spain": ("spain", "spanish", "madrid"),
    "poland": ("poland", "polish", "warsaw"),
    "sweden": ("sweden", "swedish", "stockholm"),
    "finland": ("finland", "finnish", "helsinki"),
    "ireland": ("ireland", "irish", "dublin"),
    "switzerland": ("switzerland", "swiss", "bern"),
    "israel": ("israel", "israeli", "jerusalem", "tel aviv"),
    "iran": ("iran", "iranian", "tehran"),
    "turkey": ("turkey", "turkish", "ankara", "turkiye"),
    "saudi arabia": ("saudi arabia", "saudi", "riyadh"),
    "united arab emirates": ("united arab emirates", "uae", "emirati", "abu dhabi", "dubai"),
    "qatar": ("qatar", "qatari", "doha"),
    "egypt": ("egypt", "egyptian", "cairo"),
    "south africa": ("south africa", "south african", "pretoria"),
    "nigeria": ("nigeria", "nigerian", "abuja"),
    "kenya": ("kenya", "kenyan", "nairobi"),
    "brazil": ("brazil", "brazilian", "brasilia"),
    "mexico": ("mexico", "mexican", "mexico city"),
    "canada": ("canada", "canadian", "ottawa"),
    "argentina": ("argentina", "argentine", "argentinian", "buenos aires"),
    "chile": ("chile", "chilean", "santiago"),
    "australia": ("australia", "australian", "canberra"),
    "new zealand": ("new zealand", "wellington"),
    "singapore": ("singapore", "singaporean"),
    "malaysia": ("malaysia", "malaysian", "kuala lumpur"),
    "vietnam": ("vietnam", "viet nam", "vietnamese", "hanoi"),
    "thailand": ("thailand", "thai", "bangkok"),
    "indonesia": ("indonesia", "indonesian", "jakarta"),
    "philippines": ("philippines", "philippine", "filipino", "manila"),
    "pakistan": ("pakistan", "pakistani", "islamabad"),
    "bangladesh": ("bangladesh", "bangladeshi", "dhaka"),
    "kazakhstan": ("kazakhstan", "kazakh", "astana"),
    "ukraine": ("ukraine", "ukrainian", "kyiv"),
    "belarus": ("belarus", "belarusian", "minsk"),
    "norway": ("norway", "norwegian", "oslo"),
    "denmark": ("denmark", "danish", "copenhagen"),
    "belgium": ("belgium", "belgian"),
    "austria": ("austria", "austrian", "vienna"),
    "czech republic": ("czech republic", "czechia", "czech", "prague"),
    "hungary": ("hungary", "hungarian", "budapest"),
    "greece": ("greece", "greek", "athens"),
    "portugal": ("portugal", "portuguese", "lisbon"),
    "estonia": ("estonia", "estonian", "tallinn"),
    "morocco": ("morocco", "moroccan", "rabat"),
}  # fmt: skip

_FORMS = sorted(
    ((form, key) for key, forms in _COUNTRIES.items() for form in forms),
    key=lambda pair: -len(pair[0]),
)
# Forms that are also ordinary words, or mostly are in this domain, count only capitalised.
_ALSO_WORDS = frozenset({"us", "turkey", "chile", "polish", "korea"})


@cache
def _pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(form) for form, _ in _FORMS)
    return re.compile(rf"(?<![\w-])({alternatives})(?:'s)?(?![\w-])", re.IGNORECASE)


def _plain(text: str) -> str:
    """Dots out of abbreviations ("U.S." -> "US"), curly apostrophes straight."""
    return re.sub(r"\b([A-Za-z])\.(?=[A-Za-z]\.)|(?<=\b[A-Za-z])\.", r"\1", text).replace("’", "'")


@lru_cache(maxsize=4096)
def countries_in(text: str) -> frozenset[str]:
    """The countries and blocs ``text`` names, by their key ("china", "united states").
    Cached: the checker asks about the same sentences for every claim of a section."""
    found = set()
    lookup = dict(_FORMS)
    for m in _pattern().finditer(_plain(text)):
        word = m[1]
        if word.lower() in _ALSO_WORDS and not word[0].isupper():
            continue
        found.add(lookup[word.lower()])
    return frozenset(found)


def country_names(key: str) -> tuple[str, ...]:
    """Every form that names the country or bloc ``key`` (lower case, dots removed)."""
    return _COUNTRIES.get(key, ())


def is_country_word(word: str) -> bool:
    """Whether a single capitalised word names a country or bloc ("Vietnam", "Chinese")."""
    return word[:1].isupper() and bool(countries_in(word))
