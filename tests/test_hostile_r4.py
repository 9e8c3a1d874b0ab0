"""Hostile inputs, round 4: each test names the class of defect a probe of every entry point
found, with the example that showed it (see each test's docstring).

CLI cases run in-process (typer's CliRunner) with the cleanliness checks of the earlier rounds:
exit code, one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.cli import MAX_DETAIL_CHARS, app
from silkway.errors import UnknownPlaceError

runner = CliRunner()


def _invoke(args: list[str], cache_dir: Path):
    return runner.invoke(app, [*args, "--cache-dir", str(cache_dir)], env={"COLUMNS": "120"})


def _one_error_line(r, code: int) -> str:
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out[-2000:]
    assert r.exit_code == code, (r.exit_code, out[-2000:])
    assert r.stdout == "", r.stdout[:500]
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr[:2000]
    assert lines[0].startswith("error: ") and len(lines[0]) <= MAX_DETAIL_CHARS + 10
    return lines[0]


# -- place names: spellings without the accents, the Turkish dotted capital I ------------------

@pytest.mark.parametrize(("place", "hub"), [
    ("İSTANBUL", "TRIST"),      # casefold made it 'i' + U+0307, which no key holds
    ("İstanbul", "TRIST"),
    ("ıstanbul", "TRIST"),      # dotless i
    ("Lodz", "PL-LODZ"),        # Łódź: ł has no accent to strip, it is a letter of its own
    ("LODZ", "PL-LODZ"),
    ("Munchen-Riem", "DEMUC"),
    ("Boyuk Kesik", "AZ-BOYUK-KASIK"),  # Böyük Kəsik: ə
    ("Nordsjo", "FIHEL"),
    ("Wroclaw Brochow", "PL-WROCLAW"),
])
def test_a_name_typed_without_its_accents_finds_its_hub(net, place, hub):
    """Names the table spells with letters a keyboard may not have were unknown places."""
    assert net.find(place).id == hub


def test_the_exact_spelling_still_wins_over_the_folded_one(net):
    """'Baku' is the port (an alias of AZBAK) and 'Bakı' the city rail terminal: folding is
    only a fallback, so neither answer moves."""
    assert net.find("Baku").id == "AZBAK"
    assert net.find("Bakı").id == "AZ-BAKU-RAIL"
    assert net.find("Baki").id == "AZ-BAKU-RAIL"


def test_no_folded_spelling_is_shared_by_two_hubs(net):
    from silkway.network import names

    owners: dict[str, set[str]] = {}
    for h in net.hubs:
        for n in (h.id, h.name, *h.aliases):
            owners.setdefault(names.folded(n), set()).add(h.id)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


@pytest.mark.parametrize(("place", "words"), [
    ("\u0410lmaty", ("CYRILLIC CAPITAL LETTER A", "mixes scripts")),  # homoglyph
    ("Alm\u0430ty", ("CYRILLIC SMALL LETTER A",)),
    ("Almaty\u200d", ("U+200D", "ZERO WIDTH JOINER")),
    ("\u200fAlmaty", ("U+200F", "RIGHT-TO-LEFT MARK")),
    ("\ufeffToyama", ("U+FEFF",)),
])
def test_a_name_that_only_looks_known_says_why_it_is_not(net, place, words):
    """'Аlmaty' (Cyrillic А) was 'unknown place 'Аlmaty'; did you mean Almaty?', a sentence
    that reads as nonsense: the name looks exactly like the one suggested."""
    with pytest.raises(UnknownPlaceError) as info:
        net.find(place)
    for word in words:
        assert word in str(info.value), str(info.value)
    assert "Almaty" in str(info.value) or "Toyama" in str(info.value)


def test_a_name_in_another_script_alone_is_not_called_mixed(net):
    with pytest.raises(UnknownPlaceError) as info:
        net.find("Алматы")
    assert "mixes" not in str(info.value)


def test_the_cli_says_why_a_homoglyph_name_is_unknown(net, cache_dir):
    line = _one_error_line(_invoke(["plan", "\u0410lmaty", "Bishkek"], cache_dir), 2)
    assert "CYRILLIC" in line, line
