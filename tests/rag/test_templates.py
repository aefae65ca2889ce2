"""Templates: the built-ins load, user templates are found, broken files are refused by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.briefs.templates import (
    KINDS,
    TemplateError,
    available_templates,
    get_template,
    load_template,
    template_problems,
)
from rag.core.paths import builtin_templates_dir, user_templates_dir

BUILTIN_IDS = ("situation-brief", "actor-profile", "timeline", "policy-options")

GOOD = """\
name = "Weekly note"
purpose = "A short weekly round-up."

[[sections]]
key = "bottom_line"
title = "Bottom line"
kind = "bottom_line"
claims = 2
queries = ["new measures"]
instruction = "The two things that changed this week."

[[sections]]
key = "news"
title = "What happened"
instruction = \"\"\"
Everything else of note.
\"\"\"
"""


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFDESK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def write_user_template(name: str, text: str) -> Path:
    folder = user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> TemplateError:
    path = tmp_path / "my.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    return caught.value


# --------------------------------------------------------------------------- built-ins


@pytest.mark.parametrize("template_id", BUILTIN_IDS)
def test_each_builtin_template_loads_and_is_complete(template_id: str) -> None:
    template = load_template(builtin_templates_dir() / f"{template_id}.toml", builtin=True)
    assert template.id == template_id
    assert template.name and template.purpose
    assert template.reference_docx.is_file()
    assert template.reference_docx.name == "house-style.docx"
    keys = [s.key for s in template.sections]
    assert len(keys) == len(set(keys))
    for spec in template.sections:
        assert spec.kind in KINDS
        assert 1 <= spec.claims <= 12
        assert len(spec.instruction) > 40, spec.key
        assert spec.queries, spec.key
    kinds = [s.kind for s in template.sections]
    assert kinds[0] == "bottom_line"  # bottom line up front, in every built-in
    assert {"disagreements", "gaps"} <= set(kinds)


def test_situation_brief_has_the_sections_an_analyst_expects() -> None:
    titles = [s.title for s in get_template("situation-brief").sections]
    assert titles == [
        "Bottom line",
        "Key developments",
        "Implications",
        "Outlook",
        "Where sources disagree",
        "Gaps in the evidence",
    ]


def test_timeline_template_asks_for_dated_entries_in_order() -> None:
    timeline = [s for s in get_template("timeline").sections if s.kind == "timeline"]
    assert len(timeline) == 1
    assert "date order" in timeline[0].instruction
    assert "YYYY-MM-DD" in timeline[0].instruction


def test_available_templates_lists_the_builtins_default_first() -> None:
    templates = available_templates()
    assert templates[0].id == "situation-brief"
    assert set(BUILTIN_IDS) <= {t.id for t in templates}
    assert all(t.builtin for t in templates)
    assert template_problems() == []


# --------------------------------------------------------------------------- user templates


def test_user_template_dropped_in_the_folder_appears() -> None:
    path = write_user_template("weekly-note.toml", GOOD)
    weekly = get_template("weekly-note")
    assert weekly in available_templates()
    assert weekly.builtin is False
    assert weekly.source == path
    assert [s.key for s in weekly.sections] == ["bottom_line", "news"]
    news = weekly.section("news")
    assert (news.kind, news.claims, news.queries) == ("claims", 3, ())  # the defaults
    assert news.instruction == "Everything else of note."
    # No reference document beside it: the built-in house style is used.
    assert weekly.reference_docx == builtin_templates_dir() / "house-style.docx"


def test_user_template_with_a_builtin_id_replaces_it() -> None:
    write_user_template("situation-brief.toml", GOOD)
    template = get_template("situation-brief")
    assert template.name == "Weekly note"
    assert not template.builtin
    assert [t.id for t in available_templates()].count("situation-brief") == 1


def test_malformed_user_template_is_skipped_and_reported() -> None:
    write_user_template("weekly-note.toml", GOOD)
    write_user_template("broken.toml", 'name = "Broken"\n\n[[sections]\nkey = "x"\n')
    ids = [t.id for t in available_templates()]
    assert "weekly-note" in ids and "broken" not in ids
    problems = template_problems()
    assert len(problems) == 1
    assert problems[0].startswith("broken.toml, line 3: not valid TOML")
    with pytest.raises(TemplateError, match=r"broken\.toml, line 3"):
        get_template("broken")  # asking for it by name says what is wrong with it


def test_unknown_template_id_lists_the_available_ones() -> None:
    with pytest.raises(TemplateError) as caught:
        get_template("no-such-template")
    message = str(caught.value)
    assert "no-such-template" in message
    for template_id in BUILTIN_IDS:
        assert template_id in message


# --------------------------------------------------------------------------- refusals


def test_bad_toml_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refusal(tmp_path, 'name = "A"\npurpose = "B"\nreference_docx = house-style.docx\n')
    assert str(error).startswith("my.toml, line 3: not valid TOML")
    assert error.line == 3


def test_missing_instruction_names_the_section_and_its_line(tmp_path: Path) -> None:
    text = GOOD + '\n[[sections]]\nkey = "outlook"\ntitle = "Outlook"\nclaims = 2\n'
    error = refusal(tmp_path, text)
    lines = text.splitlines()
    header_line = max(n for n, line in enumerate(lines, 1) if line == "[[sections]]")
    assert str(error) == f"my.toml, line {header_line}: section 'outlook' has no instruction"


def test_unknown_kind_points_at_the_kind_line(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "bottom_line"', 'kind = "summary"')
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index('kind = "summary"') + 1
    assert "unknown kind 'summary'" in str(error)
    assert "bottom_line" in str(error)  # says what would be accepted


@pytest.mark.parametrize("value", ["0", "13", "true", '"3"'])
def test_claims_must_be_a_number_from_1_to_12(tmp_path: Path, value: str) -> None:
    text = GOOD.replace("claims = 2", f"claims = {value}")
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index(f"claims = {value}") + 1
    assert "claims must be" in str(error)


def test_a_section_of_claims_may_look_ahead(tmp_path: Path) -> None:
    path = tmp_path / "my.toml"
    path.write_text(GOOD.replace('key = "news"', 'key = "news"\nahead = true'), encoding="utf-8")
    template = load_template(path)
    assert template.section("news").ahead and not template.section("bottom_line").ahead


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('ahead = "yes"', "ahead must be true or false"),
        ("ahead = 1", "ahead must be true or false"),
    ],
)
def test_ahead_must_be_true_or_false(tmp_path: Path, setting: str, message: str) -> None:
    text = GOOD.replace('key = "news"', f'key = "news"\n{setting}')
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index(setting) + 1
    assert message in str(error)


def test_only_a_section_of_claims_looks_ahead(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "bottom_line"', 'kind = "bottom_line"\nahead = true')
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index("ahead = true") + 1
    assert "only a section of claims can look ahead" in str(error)


def test_duplicate_section_keys_point_at_the_second(tmp_path: Path) -> None:
    text = GOOD.replace('key = "news"', 'key = "bottom_line"').replace(
        'kind = "bottom_line"', 'kind = "claims"'
    )
    error = refusal(tmp_path, text)
    second = [n for n, line in enumerate(text.splitlines(), 1) if line == 'key = "bottom_line"']
    assert error.line == second[1]
    assert "two sections have the key 'bottom_line'" in str(error)


def test_wrong_type_is_refused_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('queries = ["new measures"]', "queries = [1, 2]")
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index("queries = [1, 2]") + 1
    assert "queries must be a list of texts" in str(error)


def test_misspelt_setting_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    text = GOOD.replace("claims = 2", "claim = 2")
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index("claim = 2") + 1
    assert "unknown setting 'claim'" in str(error)


def test_missing_name_and_missing_sections_are_refused(tmp_path: Path) -> None:
    assert "has no name" in str(refusal(tmp_path, GOOD.replace('name = "Weekly note"\n', "")))
    assert "no sections" in str(refusal(tmp_path, 'name = "Empty"\n'))


def test_line_numbers_are_not_fooled_by_multiline_instructions(tmp_path: Path) -> None:
    # The instruction text contains a line that looks like a kind setting.
    text = GOOD.replace(
        "Everything else of note.\n", 'Everything else.\nkind = "not a setting"\n'
    ).replace('title = "What happened"', 'title = "What happened"\nkind = "story"')
    error = refusal(tmp_path, text)
    assert error.line == text.splitlines().index('kind = "story"') + 1


def test_missing_reference_document_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace('purpose = "A short weekly round-up."', 'reference_docx = "ours.docx"')
    error = refusal(tmp_path, text)
    assert error.line == 2
    assert "ours.docx" in str(error)


def test_reference_document_beside_the_template_is_used(tmp_path: Path) -> None:
    (tmp_path / "ours.docx").write_bytes(
        (builtin_templates_dir() / "house-style.docx").read_bytes()
    )
    path = tmp_path / "mine.toml"
    path.write_text('reference_docx = "ours.docx"\n' + GOOD, encoding="utf-8")
    assert load_template(path).reference_docx == tmp_path / "ours.docx"


def test_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'name = "A"\npurpose = "Caf\xe9"\n')
    with pytest.raises(TemplateError, match=r"latin\.toml, line 2: .*UTF-8"):
        load_template(path)
