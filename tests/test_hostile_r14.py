"""Hostile input, round 14: a --pair with two colons, options out of their range, codes quoted
as typed, and a bound on the saved scenarios listed."""

from __future__ import annotations

import pytest

from cli_errors import invoke, one_error_line


@pytest.mark.parametrize("typed", ["Toyama:Aktau:Baku", "Toyama::Aktau"])
def test_a_pair_with_two_colons_says_a_pair_takes_one(cache_dir, tmp_path, typed):
    """``--pair Toyama:Aktau:Baku`` read 'Aktau:Baku' as the destination and said "unknown
    place 'Aktau:Baku'", as if the user had misspelt a place."""
    line = one_error_line(invoke(["sweep", "--serial", "--pair", typed, "--vary",
                                  "tariff:ferry_caspian:wait_factor=0.5,1",
                                  "-o", str(tmp_path / "s.csv")], cache_dir), 2)
    assert f"--pair {typed!r} is not ORIGIN:DESTINATION" in line
    assert "one colon" in line
    assert "unknown place" not in line
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize(("args", "typed", "bound"), [
    (["emissions", "Toyama", "Aktau", "--route"], "0", "of at least 1"),
    (["assign", "flows.csv", "--max-routes"], "101", "from 1 to 100"),
    (["serve", "--port"], "70000", "from 1 to 65535"),
])
def test_an_option_out_of_its_range_is_named_in_the_same_words(cache_dir, args, typed, bound):
    """``--route 0`` was the parser's "Invalid value for '--route': Input should be greater
    than or equal to 1", in another style than every other option's error."""
    line = one_error_line(invoke([*args, typed], cache_dir), 2)
    assert line == f"error: option {args[-1]} takes a number {bound}, not {typed}", line


@pytest.mark.parametrize(("option", "typed"), [("--objective", "COSTS"),
                                               ("--allocation", "MASSX"), ("--cargo", "xeu")])
def test_an_unknown_code_is_quoted_as_typed(cache_dir, option, typed):
    """``--objective COSTS`` was "unknown --objective 'costs'": the message quoted the code
    after its case was changed, not what the user typed."""
    line = one_error_line(invoke(["plan", "Toyama", "Aktau", option, typed], cache_dir), 2)
    assert line.startswith(f"error: unknown {option} {typed!r}; use "), line


def test_a_code_in_another_case_is_still_read(cache_dir):
    r = invoke(["plan", "Toyama", "Aktau", "--objective", "COST", "--cargo", "teu",
                "--allocation", "TEU", "--json"], cache_dir)
    assert r.exit_code == 0, r.stderr


def test_saved_scenarios_are_listed_to_a_limit_as_plans_are(cache_dir, tmp_path):
    """``GET /api/scenarios`` listed every saved scenario, however many; ``/api/plans`` takes
    ``limit`` (1 to 200, 50 by default), and so does it now, of the saved ones."""
    from fastapi.testclient import TestClient

    from silkway.api.app import create_app

    app = create_app(cache_dir=cache_dir, database_url=f"sqlite:///{tmp_path / 's.db'}")
    with TestClient(app, raise_server_exceptions=False) as c:
        for i in range(3):
            r = c.post("/api/scenarios", json={"yaml": f"name: r14-{i}\ntitle: R14 {i}\n"
                                                      "estimate: a what-if\n"})
            assert r.status_code == 200, r.text
        saved = [s for s in c.get("/api/scenarios", params={"limit": 2}).json() if s["saved"]]
        assert [s["title"] for s in saved] == ["r14-2", "r14-1"]
        assert len([s for s in c.get("/api/scenarios").json() if s["saved"]]) == 3
        for bad in ("0", "201"):
            r = c.get("/api/scenarios", params={"limit": bad})
            assert r.status_code == 422 and "limit" in r.json()["detail"], r.text
