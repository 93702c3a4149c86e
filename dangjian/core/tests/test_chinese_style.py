"""Mechanical rules for the Chinese UI text (docs/design.md): full-width punctuation after Chinese,
placeholders kept, "1月" rather than "月份：1", no label followed by the same word, and no
half-width colon glued to a translated label in a template (it would read "等次: 优秀")."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATES = Path(settings.BASE_DIR) / "templates"

HAN = r"[\u4e00-\u9fff]"
# Half-width punctuation right after a Chinese character: 全角 in Chinese text.
HALF_WIDTH_AFTER_HAN = re.compile(HAN + r"[:;?!]|" + HAN + r",(?!\d)|" + HAN + r"\((?![A-Za-z%])")
MONTH_LABEL = re.compile(r"月份\s*[:：]\s*(%|\d|\{)")
# A label (two or more characters) followed by a colon and the same word: "状态：状态".
DUPLICATED_LABEL = re.compile(r"(" + HAN + r"{2,})[:：]\s*\1(?!" + HAN + ")")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
GLUED_COLON = re.compile(r"\{% (?:translate|trans) \"[^\"]*\" %\}\s*[:：]")


@dataclass
class Entry:
    line: int
    msgid: str
    msgstrs: list[str]
    fuzzy: bool


def _unquote(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in text else text


def entries(path: Path = PO) -> list[Entry]:
    """The .po file's entries (msgid and every msgstr, plural forms included)."""
    found: list[Entry] = []
    current: dict[str, str] = {}
    flags = ""
    start = 0
    key = ""

    def close() -> None:
        if current.get("msgid"):
            strs = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            found.append(Entry(start, current["msgid"], strs, "fuzzy" in flags))

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
        if not line:
            close()
            current, flags, key = {}, "", ""
        elif line.startswith("#,"):
            flags += line
        elif match:
            key = match.group(1)
            if key in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in current):
                close()  # an entry that follows without a blank line
                current, flags = {}, ""
            if key == "msgid":
                start = number
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    close()
    return [Entry(e.line, _unquote(e.msgid), [_unquote(s) for s in e.msgstrs], e.fuzzy) for e in found]


ENTRIES = entries()


def _problems(pattern: re.Pattern[str]) -> list[str]:
    return [f"line {e.line}: {s!r}" for e in ENTRIES for s in e.msgstrs if pattern.search(s)]


def test_the_catalogue_parses() -> None:
    assert len(ENTRIES) > 1000
    assert not [e.line for e in ENTRIES if e.fuzzy], "fuzzy entries are not used by Django"


def test_full_width_punctuation_after_chinese() -> None:
    assert _problems(HALF_WIDTH_AFTER_HAN) == []


def test_months_read_1yue_not_yuefen_colon() -> None:
    assert _problems(MONTH_LABEL) == []


def test_no_label_followed_by_the_same_word() -> None:
    assert _problems(DUPLICATED_LABEL) == []


def test_placeholders_are_kept() -> None:
    wrong = []
    for e in ENTRIES:
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        for s in e.msgstrs:
            if s and sorted(PLACEHOLDER.findall(s)) != wanted and not _plural_drops_count(e, s):
                wrong.append(f"line {e.line}: {e.msgid!r} → {s!r}")
    assert wrong == []


def _plural_drops_count(entry: Entry, msgstr: str) -> bool:
    # Chinese has one plural form; it may leave out a count the English singular needs.
    return set(PLACEHOLDER.findall(msgstr)) <= set(PLACEHOLDER.findall(entry.msgid))


def test_a_label_ending_in_a_colon_ends_in_a_full_width_one() -> None:
    wrong = [
        f"line {e.line}: {s!r}"
        for e in ENTRIES
        for s in e.msgstrs
        if s and e.msgid.endswith(":") and not s.endswith("：")
    ]
    assert wrong == []


def test_no_colon_glued_to_a_translated_label_in_templates() -> None:
    glued = [
        f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for m in GLUED_COLON.finditer(path.read_text(encoding="utf-8"))
    ]
    assert glued == []


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("户名:%(v)s", HALF_WIDTH_AFTER_HAN),
        ("已交,谢谢", HALF_WIDTH_AFTER_HAN),
        ("月份：%(n)s", MONTH_LABEL),
        ("状态：状态", DUPLICATED_LABEL),
    ],
)
def test_the_rules_catch_what_they_are_for(text: str, pattern: re.Pattern[str]) -> None:
    assert pattern.search(text)
    assert not pattern.search("户名：%(v)s，已交（2026年1月）") or pattern is DUPLICATED_LABEL


def test_template_rule_catches_a_glued_colon() -> None:
    assert GLUED_COLON.search('{% translate "Grade" %}: {{ g }}')
    assert not GLUED_COLON.search('{% translate "Grade:" %} {{ g }}')
