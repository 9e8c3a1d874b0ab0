"""Hostile inputs, round 4: each test names the class of defect a probe of every entry point
found, with the example that showed it (see each test's docstring).

CLI cases run in-process (typer's CliRunner) with the cleanliness checks of the earlier rounds:
exit code, one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import pytest

from api_clients import token_client
from cli_errors import invoke as _invoke
from cli_errors import one_error_line as _one_error_line
from silkway.errors import UnknownPlaceError

TOKEN = "r4-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def r4_client(net, cache_dir, tmp_path_factory):
    return token_client(net, cache_dir, tmp_path_factory, "r4", TOKEN)


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
    ("B\u0301\u0301ishkek", ("U+0301", "combining mark")),  # marks no letter composes with
])
def test_a_name_that_only_looks_known_says_why_it_is_not(net, place, words):
    """'Аlmaty' (Cyrillic А) was 'unknown place 'Аlmaty'; did you mean Almaty?', a sentence
    that reads as nonsense: the name looks exactly like the one suggested."""
    with pytest.raises(UnknownPlaceError) as info:
        net.find(place)
    for word in words:
        assert word in str(info.value), str(info.value)
    assert any(name in str(info.value) for name in ("did you mean Almaty", "did you mean Toyama",
                                                    "did you mean Bishkek"))


def test_a_name_in_another_script_alone_is_not_called_mixed(net):
    with pytest.raises(UnknownPlaceError) as info:
        net.find("Алматы")
    assert "mixes" not in str(info.value)


def test_the_cli_says_why_a_homoglyph_name_is_unknown(net, cache_dir):
    line = _one_error_line(_invoke(["plan", "\u0410lmaty", "Bishkek"], cache_dir), 2)
    assert "CYRILLIC" in line, line


# -- numbers typed as text: one reading, the plain decimal, wherever silkway reads one ---------

@pytest.mark.parametrize("text", ["1_0", "١٠", "１０", "nan", "infinity", "0x10", "1,5", "", " "])
def test_plain_float_refuses_what_python_reads_otherwise(text):
    from silkway._text import plain_float

    with pytest.raises(ValueError):
        plain_float(text)


@pytest.mark.parametrize(("text", "value"), [("12", 12.0), (" -0.5 ", -0.5), ("1e-3", 0.001),
                                             ("+.5", 0.5), ("7.", 7.0)])
def test_plain_float_reads_plain_decimals(text, value):
    from silkway._text import plain_float

    assert plain_float(text) == value


@pytest.mark.parametrize(("args", "flag"), [
    # typer's own number options read 1_0 as 10: the statement of route 2 for '0_2'
    (["emissions", "Aktau", "Baku", "--route", "0_2"], "--route"),
    (["emissions", "Aktau", "Baku", "--route", "٢"], "--route"),
    (["sweep", "--vary", "tariff:ferry_caspian:wait_factor=1,2", "--pair", "Aktau:Baku",
      "--workers", "0_2", "-o", "{tmp}/sweep.csv"], "--workers"),
    (["serve", "--port", "99_999"], "--port"),  # never starts a server, even unfixed
])
def test_a_number_option_is_a_plain_decimal(net, cache_dir, tmp_path, args, flag):
    # an output in a temporary folder: unfixed, the sweep ran and wrote its default file
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    line = _one_error_line(_invoke(args, cache_dir), 2)
    assert flag in line and "plain decimal" in line, line


@pytest.mark.parametrize("values", ["1_0", "1,2_0", "١,٢", "0.5:2:1_0"])
def test_sweep_values_are_plain_decimals(net, values):
    """``--vary tariff:ferry_caspian:wait_factor=1_0`` swept a factor of 10."""
    from silkway.analysis.whatif import Axis
    from silkway.errors import ConstraintError

    with pytest.raises(ConstraintError, match="not numbers"):
        Axis.parse(f"tariff:ferry_caspian:wait_factor={values}", net)
    assert Axis.parse("tariff:ferry_caspian:wait_factor=0.5:2:4", net).values == (0.5, 1.0, 1.5,
                                                                                  2.0)


def test_a_scenario_via_point_is_plain_decimals(net):
    """A via point '4_2 7_4' was the point (42, 74)."""
    from silkway.analysis.scenarios import parse_scenario
    from silkway.errors import InputError

    leg = ("name: x\ntitle: y\nsource: s\nadd_legs: [{from: KGFRU, to: UZTAS, mode: rail, "
           "tariff: rail_ca, gauge_mm: 1520, distance_km: 600, via: ['%s'], source: s}]\n")
    with pytest.raises(InputError, match="is not 'lat lon'"):
        parse_scenario(leg % "4_2 7_4", net.tables)
    assert parse_scenario(leg % "42 74", net.tables).name == "x"


def test_batch_and_flows_cells_are_plain_decimals(tmp_path):
    """A count of '١٠' was 10 containers and a teu of '1e1' 10: the same rule as every other
    cell (a cell of 1_0 was already refused)."""
    from silkway.analysis.batch import read_shipments
    from silkway.analysis.flows import read_flows

    src = tmp_path / "in.csv"
    src.write_text("origin,destination,count\nToyama,Bishkek,١٠\nToyama,Bishkek,10\n",
                   encoding="utf-8")
    ships, errors = read_shipments(src)
    assert [s.count for s in ships] == [10] and [e.row for e in errors] == [1]
    src.write_text("origin,destination,teu\nToyama,Bishkek,１００\nToyama,Bishkek,100\n",
                   encoding="utf-8")
    flows, errors = read_flows(src)
    assert len(flows) == 1 and [e.row for e in errors] == [1]


def test_api_query_numbers_are_plain_decimals(r4_client):
    """``GET /api/plans?limit=1_0`` listed 10 plans."""
    r = r4_client.get("/api/plans?limit=1_0")
    assert r.status_code == 422 and "'limit'" in r.json()["detail"], r.text
    r = r4_client.get("/api/ticks?lo=1&hi=20&count=٣")
    assert r.status_code == 422 and "'count'" in r.json()["detail"], r.text
    assert r4_client.get("/api/ticks?lo=-1.5e1&hi=2").status_code == 200
