"""Complete Hindi: every string the templates and the Python code pass to gettext is in the Hindi
catalogue, translated, not fuzzy, with the same %(name)s placeholders.

The strings are extracted here with Babel's own API, with the Makefile's babel.cfg and keywords, so
a string added today and never run through `make translations` fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "portal" / "translations" / "hi" / "LC_MESSAGES" / "messages.po"
# The Makefile's `pybabel extract -k _l -k lazy_gettext` on top of Babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifr]|%[sdif]")


def extracted_ids() -> set[str | tuple[str, ...]]:
    """Every msgid (a tuple for plural forms) found in the sources, as `make translations` sees them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else tuple(m for m in message if m)
        found.add(msgid if isinstance(msgid, str) or len(msgid) > 1 else msgid[0])
    found.discard("")
    return found


def placeholders(text: str) -> list[str]:
    """The %-placeholders of a message, in sorted order (so word order may change)."""
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def test_every_interface_string_has_a_checked_hindi_translation():
    with PO_FILE.open("rb") as po:
        catalog = read_po(po, locale="hi")
    sources = extracted_ids()
    problems: list[str] = []
    translated = 0
    for msgid in sorted(sources, key=str):
        key = msgid if isinstance(msgid, str) else msgid[0]
        entry = catalog.get(key)
        if entry is None:
            problems.append(f"missing from the .po: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        if not all(strings):
            problems.append(f"untranslated: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif any(placeholders(s) != placeholders(ids[-1]) for s in strings) and any(
            placeholders(s) != placeholders(ids[0]) for s in strings
        ):
            problems.append(f"placeholders differ: {msgid!r} -> {strings!r}")
        else:
            translated += 1
    share = 100 * translated / len(sources)
    print(f"Hindi: {translated} of {len(sources)} interface strings ({share:.1f} %)")
    assert not problems, f"{share:.1f} % complete; {len(problems)} to fix:\n" + "\n".join(problems)
    assert share == 100


def test_the_placeholder_check_can_fail():
    assert placeholders("%(n)d of %(total)d, %(name)s") == ["%(n)d", "%(name)s", "%(total)d"]
    assert placeholders("%(total)d में से %(n)d") != placeholders("%(n)d of %(name)s")
    assert placeholders("₹%(amount)s, 80 %") == ["%(amount)s"]
