"""Finishing a document's details after its reader: a publisher that is a name, a date from the
text when the file has none, and where each came from.

Readers take what the file says about itself (PDF Info, DOCX core properties, HTML meta tags,
``Title:``/``Source:`` header lines). What files say is often unusable for a citation:

- Articles saved as text carry ``Source: https://www.example.com/2026/06/...``; a footnote's
  publisher must be a name ("Example News"), and the address belongs in the citation's URL.
- Many saved articles have no date field but state the date in their first lines
  ("June 22, 2026", "22 June 2026", "2026-06-22").

The details record which: ``date_source`` is ``"metadata"`` (a field of the file) or ``"text"``
(found in the document's first lines), so the analyst can see how sure to be.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rag.core.types import Block, DocumentMeta
from rag.reading.readers.dates import normalize_date

DATE_FROM_METADATA = "metadata"
DATE_FROM_TEXT = "text"

# How far into the document a stated date still describes the document itself: a dateline or
# a "Published ..." line stands in the first few lines, while a date further down is an event.
_DATE_SEARCH_BLOCKS = 4
_DATE_SEARCH_CHARS = 400

_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# A date written out in words or as ISO, anywhere in a short text.
_DATE_IN_TEXT = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
    r"|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})\b"
)
# Second-level labels under which sites register country domains: "bbc.co.uk" is "bbc".
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})
_HOST_PREFIXES = ("www.", "www2.", "m.", "amp.", "news.", "en.")
# Subdomains that name an edition or a section, not who publishes: "English" in a text is
# not a publisher.
_GENERIC_LABELS = frozenset(
    "english world global intl international mobile web online blog blogs home media static "
    "cdn docs www2 amp".split()
)


# A bare host given as the source ("Source: english.mofcom.example.cn"): a site, as a URL is.
# Lower case only: "St.Louis" or "Reuters.com" as written is a name.
_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,6}$")


def looks_like_url(text: str) -> bool:
    return bool(_URL.match(text.strip()) or _HOST.match(text.strip()))


def _host(url: str) -> str:
    """The address's host, lower case; an address without a scheme ("www.scmp.com/x") too."""
    return urlsplit(url if "://" in url else f"http://{url}").hostname or ""


def site_label(url: str) -> str:
    """The site's own name in its address: "example" for https://www.example.co.uk/a/b."""
    host = _host(url)
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
    parts = [p for p in host.split(".") if p]
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL:
        parts = parts[:-2]
    elif len(parts) >= 2:
        parts = parts[:-1]
    return parts[-1] if parts else ""


def _host_labels(url: str) -> list[str]:
    """The site's name and then the labels before it, nearest first: "mofcom" and "english"
    after "example" for english.mofcom.example.cn. A ministry or newsroom often publishes on
    a subdomain of its government's or group's domain, and it is the subdomain that names it."""
    label = site_label(url)
    host = _host(url)
    parts = [p for p in host.split(".") if p]
    before = parts[: parts.index(label)] if label in parts else []
    further = [p for p in reversed(before) if len(p) >= 3 and p not in _GENERIC_LABELS]
    return [label, *further] if label else []


def site_domain(url: str) -> str:
    """The address without scheme, "www." and path: what a reader recognises ("example.com")."""
    host = _host(url)
    return host.removeprefix("www.")


_NAME_WORD = r"(?:[A-Z][\w&'’.-]*|of|the|and|for|on)"
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def publisher_from_url(url: str, blocks: list[Block]) -> str:
    """The publisher's name for a site: a name in the text that the address spells ("Meridian
    Wire" for meridianwire.com, "South China Morning Post" for scmp.com), else the domain."""
    head = " ".join(b.text for b in blocks[:12])[:4000]
    for label in _host_labels(url):
        name = _name_spelling(label, head)
        if name:
            return name
    return site_domain(url)


def _name_spelling(label: str, head: str) -> str:
    """A run of capitalised words in ``head`` that the address label spells out, whole or as
    its initials; "" when none does."""
    for m in _NAME_RUN.finditer(head):
        words = [w for w in m.group(0).split() if w]
        # Trim glue words at either end: "the Meridian Wire" -> "Meridian Wire".
        while words and words[0].islower():
            words.pop(0)
        while words and words[-1].islower():
            words.pop()
        for start in range(len(words)):
            for end in range(len(words), start, -1):
                name = re.sub(r"['’]s$", "", " ".join(words[start:end]).rstrip(".,"))
                capitals = "".join(w[0] for w in name.split() if w[0].isupper()).lower()
                if _squash(name) == label or (len(label) >= 3 and capitals == label):
                    return name
    return ""


# Words that make a name an organisation's, not a person's.
_ORGANISATION = re.compile(
    r"\b(?:institute|institution|cent(?:er|re)|university|college|school|council|foundation|"
    r"agency|ministry|department|bureau|office|commission|committee|administration|"
    r"government|parliament|congress|senate|service|news|press|times|post|journal|wire|"
    r"review|media|group|partners|llp|llc|inc|ltd|plc|gmbh|corp(?:oration)?|company|bank|"
    r"association|society|forum|program(?:me)?|project|initiative|lab(?:oratory|s)?|"
    r"think[- ]tank|law|chambers|consult\w*|research|analytics|intelligence|policy|"
    r"international|global|federation|union|board|authority)\b",
    re.IGNORECASE,
)
# What office software writes when nobody filled the field in.
_PLACEHOLDER_AUTHORS = frozenset(
    {"admin", "administrator", "author", "owner", "user", "unknown", "microsoft office user"}
)
# "Priya Raman", "Hannah Okafor, Partner", "J. K. Smith": a person, by the look of it.
_PERSON = re.compile(r"^(?:[A-Z][\w'’-]*\.?\s+){1,3}[A-Z][\w'’-]+$")


def split_byline(author: str) -> tuple[str, str]:
    """A file's author field as (people, organisation). PDF producers write the organisation
    there ("Ministry of Commerce"), the people ("Priya Raman and Tomas Weller"), or both
    ("Priya Raman and Tomas Weller, Aldgate Institute for Technology and Trade"). Only the
    organisation is a publisher: people named as publisher mislead a citation."""
    text = " ".join(author.split()).strip(" ,;")
    if not text or text.lower() in _PLACEHOLDER_AUTHORS:
        return "", ""
    parts = [p.strip() for p in re.split(r"\s*[,;|]\s*|\s+-\s+", text) if p.strip()]
    orgs = [p for p in parts if _ORGANISATION.search(p)]
    people = [p for p in parts if p not in orgs]
    if orgs:
        return ", ".join(people), orgs[-1]
    names = [n for p in people for n in re.split(r"\s+(?:and|&)\s+", p)]
    if names and all(_PERSON.match(n) for n in names) and len(names[0].split()) >= 2:
        return text, ""
    return "", text  # a bare name ("Reuters", "MOFCOM"): an organisation


def date_in_text(blocks: list[Block]) -> str:
    """A date stated in the document's first lines, as ISO; "" when there is none."""
    head = " ".join(b.text for b in blocks[:_DATE_SEARCH_BLOCKS])[:_DATE_SEARCH_CHARS]
    for m in _DATE_IN_TEXT.finditer(head):
        iso = normalize_date(m.group(0))
        if len(iso) == 10:  # a full date only: "May 2026" in a headline is not a dateline
            return iso
    return ""


# The kind of document written after its publisher's name ("European Commission - Statement",
# "Ministry of Trade | Press release"): "According to the European Commission - Statement"
# reads as no name.
_KIND_AFTER_NAME = re.compile(
    r"\s+[-–—|:]\s+(?:statement|press\s+release|news(?:\s+item|room)?|press|speech|remarks|"
    r"opinion|blog|announcement|notice|fact\s+sheet)\s*$",
    re.IGNORECASE,
)


# The line under a saved article's headline that says who published it and when: "Pacific
# Dispatch - Technology - October 17, 2023", "Business Daily Asia | Markets | 20 March 2026",
# "Tradewinds Review · Commentary · By Dana Okafor · 23 March 2026", "Pemberton Institute -
# Analysis By Theo Brandt, Research Director". Its first part names the publisher when it reads
# as a name; "By ..." names the author.
_STANDFIRST_MAX_WORDS = 30
_STANDFIRST_BLOCKS = 3
_PART_MAX_WORDS = 15
_PART_BREAK = re.compile(r"\s+[-–—|·•]\s+|\.\s+|\s+(?=(?:[Bb]y|Posted|Published|Updated)\b)")
_STANDFIRST_MARK = re.compile(r"\s[-–—|·•]\s|\b[Bb]y\s+[A-Z]|\b(?:Posted|Published)\b")
_NAME_WORD = re.compile(r"^(?:[A-Z][\w&.'’-]*|of|the|for|and|on|&|de|du|von|van)$")
_LABEL_FIRST = frozenset("issue posted published updated by edition vol volume no page".split())
# "By Theo Brandt", or "by Clara Mendel" opening the line or one of its parts; not the "by" of a
# sentence ("the announcement by China's Ministry of Commerce").
_BYLINE = re.compile(
    r"(?:\bBy|(?:^|[-–—|·•,]\s*)by)\s+(?P<who>(?:[A-Z][\w.'’-]*\s+){1,3}[A-Z][\w'’-]+"
    r"(?:\s+(?:and|&)\s+(?:[A-Z][\w.'’-]*\s+){1,3}[A-Z][\w'’-]+)?)"
)
_TEAM = re.compile(
    r"\bby\s+the\s+(?P<who>(?:[A-Z][\w&.'’-]*\s+){0,5}[A-Z][\w&.'’-]*)\s+"
    r"(?:team|staff|editors|desk|newsroom)\b",
    re.IGNORECASE,
)


def _standfirst(meta: DocumentMeta, blocks: list[Block]) -> None:
    """Publisher and author from the line under the headline, where the file gave none."""
    # A plain text file's reader takes the short line under the headline for a heading too.
    lines = [b.text for b in blocks[:_STANDFIRST_BLOCKS] if b.text != meta.title]
    for n, text in enumerate(lines[:2]):
        text = " ".join(text.split())
        if len(text.split()) > _STANDFIRST_MAX_WORDS or not (
            _STANDFIRST_MARK.search(text) or _DATE_IN_TEXT.search(text)
        ):
            continue
        if not meta.author and (m := _BYLINE.search(text)):
            names = re.split(r"\s+(?:and|&)\s+", m["who"])
            if all(_PERSON.match(name) and not re.search(r"['’]s\b", name) for name in names):
                meta.author = m["who"]
        if not meta.publisher and n == 0:
            meta.publisher = _publisher_in(text)


def _publisher_in(text: str) -> str:
    if m := _TEAM.search(text):
        return m["who"]
    first, *rest = _PART_BREAK.split(text)
    # The other parts of a standfirst are labels, names and dates ("Technology", "news item,
    # 25 March 2026"); a sentence after the first part makes it a dateline: "WASHINGTON - BIS
    # added 27 entities today." names a place, not a publisher.
    for part in (p.strip() for p in rest):
        if _BYLINE.match(part) or part.startswith(("Posted", "Published", "Updated")):
            continue
        if len(part.split()) > _PART_MAX_WORDS or (
            part.endswith(".") and not _DATE_IN_TEXT.fullmatch(part.rstrip(". "))
        ):
            return ""
    head = first.split(", ")[0].strip(" .,;:")
    words = head.split()
    if (
        not 0 < len(words) <= 8
        or words[0].lower() in _LABEL_FIRST
        or any(c.isdigit() for c in head)
        or normalize_date(head)
        or not all(_NAME_WORD.match(w) for w in words)
        or not words[0][:1].isupper()
    ):
        return ""
    return head


def finish_meta(meta: DocumentMeta, blocks: list[Block]) -> DocumentMeta:
    """Make the details fit for a citation (in place; returns ``meta``)."""
    if not meta.publisher or not meta.author:
        _standfirst(meta, blocks)
    meta.publisher = _KIND_AFTER_NAME.sub("", meta.publisher or "") or meta.publisher
    if looks_like_url(meta.publisher):
        meta.url = meta.url or meta.publisher.strip()
        meta.publisher = publisher_from_url(meta.publisher, blocks)
    elif not meta.publisher and meta.url:
        meta.publisher = publisher_from_url(meta.url, blocks)
    if meta.published:
        meta.date_source = meta.date_source or DATE_FROM_METADATA
    else:
        meta.published = date_in_text(blocks)
        meta.date_source = DATE_FROM_TEXT if meta.published else ""
    return meta
