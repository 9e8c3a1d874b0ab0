"""Passage notices: a plan says when a shown route uses a passage that boxes mostly did not use
in the data's period (the Red Sea in 2025-H2), and which scenario plans the way they went."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from typer.testing import CliRunner

import silkway
from silkway.analysis.scenarios import available, load_scenario
from silkway.cli import app
from silkway.data.notices import parse_notices
from silkway.errors import DataError
from silkway.result import PlanModel
from silkway.types import Passage

HEAD = "as_of,passage,notice,scenario,source,estimate\n"
TRIP = ("Nagoya", "Istanbul")
NO_RUSSIA = {"avoid": "RU,BY,IR"}
RED_SEA = Passage.BAB_EL_MANDEB.searoute_name


def _passes(route: silkway.Route, searoute_name: str) -> bool:
    return any(searoute_name in rl.directed.leg.passages for rl in route.legs)


def test_shipped_notices_name_a_scenario_that_closes_their_passage(net: silkway.Network) -> None:
    text = resources.files("silkway.data").joinpath("passage_notices.csv").read_text("utf-8")
    notices = parse_notices(text)
    assert notices, "passage_notices.csv has no rows"
    for n in notices:
        assert "https://" in n.provenance.source  # a publication, with where to read it
        scenario = load_scenario(n.scenario, net.tables)
        assert n.passage in scenario.close_passages, (n.passage, n.scenario)
    assert {n.as_of for n in notices} <= {net.as_of, *(
        s.as_of for s in (load_scenario(name, net.tables) for name in available())
        if s.as_of)}


def test_the_seed_trip_says_which_routes_pass_the_red_sea(net: silkway.Network) -> None:
    result = silkway.plan(net, *TRIP, **NO_RUSSIA)
    plan = result.to_dict()
    PlanModel.model_validate(plan)
    [notice] = [n for n in plan["notices"] if n["passage"] == "bab-el-mandeb"]
    assert notice["as_of"] == net.as_of == plan["as_of"]
    red_sea = [i for i, r in enumerate(result.routes, 1) if _passes(r, RED_SEA)]
    assert red_sea and notice["routes"] == red_sea
    assert len(red_sea) < len(result.routes)  # the Middle Corridor routes do not pass it
    answers = {a.corridor.id: a for a in result.corridors if a.route is not None}
    assert "sea-suez" in notice["corridors"]
    assert set(notice["corridors"]) == {c for c, a in answers.items()
                                        if _passes(a.route, "babalmandab")}  # type: ignore[arg-type]
    assert notice["scenario"] == "red-sea-closed" and notice["source"]


def test_no_notice_where_the_passage_is_closed_or_unused(net: silkway.Network) -> None:
    closed = silkway.plan(net, *TRIP, **NO_RUSSIA, scenario="red-sea-closed").to_dict()
    assert closed["notices"] == []
    assert all("babalmandab" not in leg["passages"] for r in closed["routes"] for leg in r["legs"])
    assert silkway.plan(net, "Toyama", "Bishkek", avoid="RU,BY").to_dict()["notices"] == []


def test_an_era_carries_only_its_own_notices(net: silkway.Network) -> None:
    """The 2022 era predates the Red Sea diversions: its sea routes via Suez carry no notice."""
    result = silkway.plan(net, *TRIP, scenario="era-2022", modes="sea")
    assert result.as_of != net.as_of
    assert any(_passes(r, RED_SEA) for r in result.routes)
    assert result.to_dict()["notices"] == []


def test_the_table_and_the_json_say_it(net: silkway.Network, cache_dir: object) -> None:
    runner = CliRunner()
    args = ["plan", *TRIP, "--avoid", "RU,BY,IR", "--cache-dir", str(cache_dir)]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    words = " ".join(text.stdout.split())  # the table wraps the line at the console's width
    note = words[words.index("Note: routes "):words.index("Ordered by")]
    assert "pass Bab-el-Mandeb: in 2025-H2" in note
    assert note.rstrip().endswith("--scenario red-sea-closed plans the way boxes went.")
    js = runner.invoke(app, [*args, "--json"])
    assert json.loads(js.stdout)["notices"][0]["name"] == "Bab-el-Mandeb"


def test_compare_names_the_rows_that_pass_the_passage(net: silkway.Network,
                                                      cache_dir: object) -> None:
    """compare's JSON and text name the table rows whose baseline or scenario route uses the
    passage, and which plans list such a route; the closing scenario itself lists none."""
    cmp = silkway.compare(net, *TRIP, scenario="red-sea-closed", **NO_RUSSIA)
    (notice,) = cmp.to_dict()["notices"]
    assert notice["passage"] == "bab-el-mandeb"
    expect = [i for i, (b, _) in enumerate(cmp.pairs(), 1) if b is not None and _passes(b, RED_SEA)]
    assert notice["baseline_rows"] == notice["rows"] == expect and expect
    assert notice["scenario_rows"] == []  # the scenario closes the passage
    runner = CliRunner()
    text = runner.invoke(app, ["compare", *TRIP, "--avoid", "RU,BY,IR", "--scenario",
                               "red-sea-closed", "--cache-dir", str(cache_dir)])
    assert text.exit_code == 0, text.output
    words = " ".join(text.stdout.split())
    rows = ", ".join(map(str, expect))
    assert f"Note: Bab-el-Mandeb is used by rows {rows} on the baseline: in 2025-H2" in words
    assert words.rstrip().endswith("The scenario compared here plans the way boxes went.")


@pytest.mark.parametrize(("row", "words"), [
    ("2025-H2,red-sea,x,red-sea-closed,s,", "passage 'red-sea' is not one of"),
    ("2025-H2,suez,,red-sea-closed,s,", "column 'notice' is empty"),
    ("2025-H2,suez,x,,s,", "column 'scenario' is empty"),
    ("2025-H2,suez,x,red-sea-closed,,", "neither a source nor an estimate"),
    ("2025-H2,suez," + "x" * 401 + ",red-sea-closed,s,", "over 400"),
    ("2025-H2,suez,x,red-sea-closed,s,\n2025-H2,suez,y,red-sea-closed,s,", "a second notice"),
])
def test_bad_notice_rows_are_refused(row: str, words: str) -> None:
    with pytest.raises(DataError, match=words):
        parse_notices(HEAD + row + "\n")
