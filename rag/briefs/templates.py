"""Briefing templates: data files that say which sections a briefing has and how to draft them.

A template is one TOML file, written to be read and edited by an analyst::

    name = "Situation brief"
    purpose = "What happened, why it matters, what comes next."
    reference_docx = "house-style.docx"   # optional; the Word file whose styles export uses

    [[sections]]
    key = "bottom_line"                    # lowercase letters, digits, '-' or '_'; unique
    title = "Bottom line"
    kind = "bottom_line"                   # claims | bottom_line | disagreements | gaps | timeline
    claims = 2                             # how many claims to ask for, 1..12 (default 3)
    queries = ["export controls", "..."]   # retrieval hints, combined with the briefing topic
    instruction = "What the model should write in this section."

The template's id is its file name without ``.toml``. Built-in templates live in
``templates/`` in the source tree; a user adds their own by dropping a file into
``user_templates_dir()``. A user template with the same id as a built-in one replaces it, so
that an office can adapt a built-in template by copying and editing it.

Every problem with a file is reported with the file name, the line and the reason, because the
person who has to fix it is an analyst with a text editor, not a developer with a traceback.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.core.errors import BriefDeskError
from rag.core.paths import builtin_templates_dir, user_templates_dir

KINDS: tuple[str, ...] = ("claims", "bottom_line", "disagreements", "gaps", "timeline")
DEFAULT_KIND = "claims"
DEFAULT_CLAIMS = 3
MIN_CLAIMS, MAX_CLAIMS = 1, 12
DEFAULT_REFERENCE_DOCX = "house-style.docx"
DEFAULT_TEMPLATE_ID = "situation-brief"

_TOP_KEYS = ("name", "purpose", "reference_docx", "sections")
_SECTION_KEYS = ("key", "title", "instruction", "claims", "queries", "kind", "ahead")
_SECTION_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class TemplateError(BriefDeskError):
    """A template file cannot be used. The message names the file, the line and the reason."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


@dataclass(frozen=True)
class SectionSpec:
    """One section of a briefing as the template defines it."""

    key: str
    title: str
    instruction: str
    claims: int
    queries: tuple[str, ...]
    kind: str
    # A section on what comes next: facts that look ahead go there first (``ahead``).
    ahead: bool = False


@dataclass(frozen=True)
class Template:
    """A briefing template, loaded and checked."""

    id: str
    name: str
    purpose: str
    sections: tuple[SectionSpec, ...]
    reference_docx: Path
    source: Path
    builtin: bool

    def section(self, key: str) -> SectionSpec:
        for spec in self.sections:
            if spec.key == key:
                return spec
        raise KeyError(key)


# --------------------------------------------------------------------------- public API


def load_template(path: Path, *, builtin: bool = False) -> Template:
    """Read and check one template file. Raises TemplateError naming the file, line and reason."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"{path.name}: cannot be read ({exc.strerror})", path=path) from exc
    text = _decode(path, raw)
    data = _parse_toml(path, text)
    lines = _SourceLines.scan(text)
    return _Checker(path, lines).template(data, builtin=builtin)


def available_templates() -> list[Template]:
    """Built-in templates, then the user's; broken files are skipped (see template_problems)."""
    templates, _ = _scan()
    return templates


def template_problems() -> list[str]:
    """One line per template file that could not be loaded, for the UI and the CLI to show."""
    _, problems = _scan()
    return problems


def get_template(id_: str) -> Template:
    """The template with this id. Raises TemplateError saying why not, or which ids exist."""
    templates, _ = _scan()
    for template in templates:
        if template.id == id_:
            return template
    user_file = user_templates_dir() / f"{id_}.toml"
    if user_file.is_file():
        load_template(user_file)  # raises the file's own, more useful, error
    ids = ", ".join(t.id for t in templates) or "none"
    raise TemplateError(f"no template called '{id_}'; available templates: {ids}")


# --------------------------------------------------------------------------- discovery


def _scan() -> tuple[list[Template], list[str]]:
    by_id: dict[str, Template] = {}
    problems: list[str] = []
    for folder, builtin in ((builtin_templates_dir(), True), (user_templates_dir(), False)):
        for path in _toml_files(folder):
            try:
                template = load_template(path, builtin=builtin)
            except TemplateError as exc:
                problems.append(str(exc))
                continue
            by_id[template.id] = template  # a user's file replaces the built-in one
    return _ordered(by_id.values()), problems


def _toml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if p.is_file() and not p.name.startswith("."))


def _ordered(templates: Iterable[Template]) -> list[Template]:
    # The default template first, because that is what a new user should see selected.
    return sorted(templates, key=lambda t: (t.id != DEFAULT_TEMPLATE_ID, t.name.lower(), t.id))


# --------------------------------------------------------------------------- parsing


def _fail(path: Path, line: int | None, reason: str) -> TemplateError:
    where = f"{path.name}, line {line}" if line else path.name
    return TemplateError(f"{where}: {reason}", path=path, line=line)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # tolerate the BOM that Windows Notepad may add
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, line, "the file is not UTF-8 text; save it as UTF-8") from exc


_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_EOF_RE = re.compile(r"\s*\(at end of document\)\s*$")


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POS_RE.search(message)
        if match:
            reason = message[: match.start()]
            line, column = int(match.group(1)), int(match.group(2))
            reason = f"not valid TOML: {_lower_first(reason)} (column {column})"
            raise _fail(path, line, reason) from exc
        if _TOML_EOF_RE.search(message):
            reason = _TOML_EOF_RE.sub("", message)
            last = text.count("\n") + (0 if text.endswith("\n") else 1)
            raise _fail(path, max(last, 1), f"not valid TOML: {_lower_first(reason)}") from exc
        raise _fail(path, None, f"not valid TOML: {_lower_first(message)}") from exc


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


@dataclass
class _SectionLines:
    header: int
    keys: dict[str, int] = field(default_factory=dict)


@dataclass
class _SourceLines:
    """Where keys and ``[[sections]]`` tables stand in the source, for error messages.

    tomllib gives positions only for syntax errors, so schema errors find their line here. The
    scan is deliberately simple (one key per line, as people write templates); anything it
    cannot place falls back to a nearby line rather than to none.
    """

    top: dict[str, int] = field(default_factory=dict)
    sections: list[_SectionLines] = field(default_factory=list)

    _KEY_RE = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")

    @classmethod
    def scan(cls, text: str) -> _SourceLines:
        found = cls()
        where = "top"  # "top", "section" (inside the last [[sections]]) or "other" (any table)
        open_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if open_string is None:
                where = found._visit(number, line, where)
            open_string = _after_line(line, open_string)
        return found

    def _visit(self, number: int, line: str, where: str) -> str:
        stripped = line.strip()
        if stripped.startswith("[["):
            if stripped[2:].split("]", 1)[0].strip() == "sections":
                self.sections.append(_SectionLines(header=number))
                return "section"
            return "other"
        if stripped.startswith("["):
            return "other"
        match = self._KEY_RE.match(line)
        if match:
            key = next(g for g in match.groups() if g)
            if where == "top":
                self.top.setdefault(key, number)
            elif where == "section":
                self.sections[-1].keys.setdefault(key, number)
        return where

    def section_line(self, index: int, key: str | None = None) -> int | None:
        if index < len(self.sections):
            lines = self.sections[index]
            return lines.keys.get(key, lines.header) if key else lines.header
        return self.top.get("sections")  # e.g. sections written as an inline array

    def top_line(self, key: str) -> int:
        return self.top.get(key, 1)


def _after_line(line: str, open_string: str | None) -> str | None:
    """Whether a multi-line string is still open after this line (so its text is not keys)."""
    for delim in ('"""', "'''"):
        if open_string not in (None, delim):
            continue
        if line.count(delim) % 2 == 1:
            open_string = None if open_string == delim else delim
    return open_string


class _Checker:
    """Turns parsed TOML into a Template, or raises the first problem with its line."""

    def __init__(self, path: Path, lines: _SourceLines):
        self.path = path
        self.lines = lines

    def template(self, data: dict[str, Any], *, builtin: bool) -> Template:
        self._no_unknown_keys(data, _TOP_KEYS, lambda k: self.lines.top_line(k), "")
        name = self._top_string(data, "name", required=True)
        purpose = self._top_string(data, "purpose", required=False)
        sections = self._sections(data.get("sections"))
        return Template(
            id=self.path.stem,
            name=name,
            purpose=purpose,
            sections=sections,
            reference_docx=self._reference_docx(data),
            source=self.path,
            builtin=builtin,
        )

    def _top_string(self, data: dict[str, Any], key: str, *, required: bool) -> str:
        value = data.get(key)
        if value is None:
            if required:
                raise _fail(self.path, 1, f'the template has no {key} (add: {key} = "...")')
            return ""
        if not isinstance(value, str):
            raise _fail(self.path, self.lines.top_line(key), f"{key} must be text in quotes")
        if required and not value.strip():
            raise _fail(self.path, self.lines.top_line(key), f"{key} is empty")
        return value.strip()

    def _reference_docx(self, data: dict[str, Any]) -> Path:
        name = data.get("reference_docx", DEFAULT_REFERENCE_DOCX)
        line = self.lines.top_line("reference_docx")
        if not isinstance(name, str) or not name.strip():
            raise _fail(self.path, line, "reference_docx must be the file name of a .docx")
        # Beside the template first; then the built-in folder, so that a user's template can use
        # the house style without copying it.
        for folder in (self.path.parent, builtin_templates_dir()):
            candidate = folder / name.strip()
            if candidate.is_file():
                return candidate
        raise _fail(self.path, line, f"reference document '{name}' was not found beside the file")

    def _sections(self, raw: Any) -> tuple[SectionSpec, ...]:
        if raw is None:
            raise _fail(self.path, 1, "the template has no sections (add a [[sections]] table)")
        if not isinstance(raw, list) or not raw:
            line = self.lines.top_line("sections")
            raise _fail(self.path, line, "sections must be one or more [[sections]] tables")
        specs: list[SectionSpec] = []
        for index, item in enumerate(raw):
            spec = self._section(index, item)
            self._check_unique(index, spec, specs)
            specs.append(spec)
        return tuple(specs)

    def _check_unique(self, index: int, spec: SectionSpec, earlier: list[SectionSpec]) -> None:
        if any(s.key == spec.key for s in earlier):
            line = self.lines.section_line(index, "key")
            raise _fail(self.path, line, f"two sections have the key '{spec.key}'")
        if spec.kind == "bottom_line" and any(s.kind == "bottom_line" for s in earlier):
            line = self.lines.section_line(index, "kind")
            raise _fail(self.path, line, "only one section can be the bottom line")

    def _section(self, index: int, item: Any) -> SectionSpec:
        number = index + 1
        if not isinstance(item, dict):
            raise _fail(
                self.path, self.lines.section_line(index), f"section {number} is not a table"
            )
        self._no_unknown_keys(
            item, _SECTION_KEYS, lambda k: self.lines.section_line(index, k), f"section {number}: "
        )
        key = self._section_text(index, item, "key", f"section {number}")
        if not _SECTION_KEY_RE.match(key):
            raise _fail(
                self.path,
                self.lines.section_line(index, "key"),
                f"section key '{key}' must use lowercase letters, digits, '-' or '_'",
            )
        label = f"section '{key}'"
        return SectionSpec(
            key=key,
            title=self._section_text(index, item, "title", label),
            instruction=self._section_text(index, item, "instruction", label),
            claims=self._claims(index, item, label),
            queries=self._queries(index, item, label),
            kind=self._kind(index, item, label),
            ahead=self._ahead(index, item, label),
        )

    def _section_text(self, index: int, item: dict[str, Any], key: str, label: str) -> str:
        value = item.get(key)
        if value is None:
            raise _fail(self.path, self.lines.section_line(index), f"{label} has no {key}")
        line = self.lines.section_line(index, key)
        if not isinstance(value, str):
            raise _fail(self.path, line, f"{label}: {key} must be text in quotes")
        if not value.strip():
            raise _fail(self.path, line, f"{label} has an empty {key}")
        return value.strip()

    def _claims(self, index: int, item: dict[str, Any], label: str) -> int:
        value = item.get("claims", DEFAULT_CLAIMS)
        line = self.lines.section_line(index, "claims")
        # bool is an int in Python; "claims = true" is a mistake, not the number 1.
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(self.path, line, f"{label}: claims must be a whole number")
        if not MIN_CLAIMS <= value <= MAX_CLAIMS:
            raise _fail(
                self.path,
                line,
                f"{label}: claims must be between {MIN_CLAIMS} and {MAX_CLAIMS}, not {value}",
            )
        return value

    def _queries(self, index: int, item: dict[str, Any], label: str) -> tuple[str, ...]:
        value = item.get("queries", [])
        line = self.lines.section_line(index, "queries")
        if isinstance(value, str):
            value = [value]  # one hint without brackets is an obvious intent, not an error
        if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
            raise _fail(self.path, line, f"{label}: queries must be a list of texts in quotes")
        return tuple(q.strip() for q in value if q.strip())

    def _kind(self, index: int, item: dict[str, Any], label: str) -> str:
        value = item.get("kind", DEFAULT_KIND)
        line = self.lines.section_line(index, "kind")
        if not isinstance(value, str) or value not in KINDS:
            shown = value if isinstance(value, str) else repr(value)
            raise _fail(
                self.path,
                line,
                f"{label}: unknown kind '{shown}' (use one of: {', '.join(KINDS)})",
            )
        return value

    def _ahead(self, index: int, item: dict[str, Any], label: str) -> bool:
        value = item.get("ahead", False)
        if not isinstance(value, bool):
            line = self.lines.section_line(index, "ahead")
            raise _fail(self.path, line, f"{label}: ahead must be true or false")
        if value and item.get("kind", DEFAULT_KIND) != DEFAULT_KIND:
            line = self.lines.section_line(index, "ahead")
            raise _fail(self.path, line, f"{label}: only a section of claims can look ahead")
        return value

    def _no_unknown_keys(
        self,
        data: dict[str, Any],
        allowed: tuple[str, ...],
        line_of: Callable[[str], int | None],
        prefix: str,
    ) -> None:
        # A misspelt key would otherwise be silently ignored and the analyst would never know
        # why their change had no effect.
        for key in data:
            if key not in allowed:
                raise _fail(
                    self.path,
                    line_of(key),
                    f"{prefix}unknown setting '{key}' (expected one of: {', '.join(allowed)})",
                )
