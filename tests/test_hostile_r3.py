"""Hostile inputs, round 3: options a command silently ignored, outputs on a full disk, and the
other defects a corpus run against every entry point found (see each test's docstring).

CLI cases run in-process (typer's CliRunner) with the same cleanliness checks as
``test_hostile_cli``: exit code, one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import pytest

from api_clients import token_client
from cli_errors import invoke as _invoke
from cli_errors import one_error_line as _one_error_line
from cli_errors import runner
from silkway.cli import app
from silkway.errors import BackendError

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "r3-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VARY = ["--vary", "tariff:ferry_caspian:wait_factor=1,2", "--pair", "Aktau:Baku", "--serial"]


# -- options a command took and did nothing with ----------------------------------------------

IGNORED_CASES = [
    # compare listed 18 routes for --max-routes 1 and no on-time share for --deadline
    ("compare-max-routes", ["compare", "Aktau", "Baku", "--month", "1", "--max-routes", "1"],
     "--max-routes"),
    ("compare-thin", ["compare", "Aktau", "Baku", "--month", "1", "--thin", "0.5"], "--thin"),
    ("compare-deadline", ["compare", "Aktau", "Baku", "--month", "1", "--deadline", "20"],
     "--deadline"),
    ("compare-histogram", ["compare", "Aktau", "Baku", "--month", "1", "--histogram"],
     "--histogram"),
    ("emissions-deadline", ["emissions", "Aktau", "Baku", "--deadline", "3"], "--deadline"),
    ("emissions-histogram", ["emissions", "Aktau", "Baku", "--histogram"], "--histogram"),
    ("emissions-corridors", ["emissions", "Aktau", "Baku", "--corridors", "all"], "--corridors"),
    ("sweep-deadline", ["sweep", *VARY, "--deadline", "3"], "--deadline"),
    ("sweep-histogram", ["sweep", *VARY, "--histogram"], "--histogram"),
    ("sweep-corridors", ["sweep", *VARY, "--corridors", "none"], "--corridors"),
]


@pytest.mark.parametrize(("args", "flag"), [c[1:] for c in IGNORED_CASES],
                         ids=[c[0] for c in IGNORED_CASES])
def test_an_option_the_command_ignores_is_refused_with_the_reason(net, cache_dir, tmp_path,
                                                                  args, flag):
    out = tmp_path / "s.csv"
    r = _invoke([*args, *(["-o", str(out)] if args[0] == "sweep" else [])], cache_dir)
    line = _one_error_line(r, 2)
    assert "does not use" in line and flag in line and "leave it out" in line, line
    assert not out.exists()  # refused before any work


def test_the_ignored_options_are_not_offered_in_help(net, cache_dir):
    for command, flags in (("compare", ["--max-routes", "--thin", "--deadline", "--histogram"]),
                           ("emissions", ["--deadline", "--histogram", "--corridors"]),
                           ("sweep", ["--deadline", "--histogram", "--corridors"])):
        text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
        for flag in flags:
            assert flag not in text, (command, flag)
    # the options these commands do use are still there
    assert "--max-routes" in runner.invoke(app, ["emissions", "--help"]).stdout
    assert "--corridors" in runner.invoke(app, ["compare", "--help"]).stdout


def test_the_used_options_and_the_defaults_typed_out_still_work(net, cache_dir):
    r = _invoke(["compare", "Aktau", "Baku", "--month", "1", "--no-histogram", "--json"],
                cache_dir)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["routes"]
    r = _invoke(["emissions", "Aktau", "Baku", "--max-routes", "3", "--json"], cache_dir)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["standard"].startswith("ISO 14083")


@pytest.fixture(scope="module")
def client(net, cache_dir, tmp_path_factory):
    return token_client(net, cache_dir, tmp_path_factory, "r3", TOKEN)


TRIP = {"origin": "Aktau", "destination": "Baku", "month": 1}


@pytest.mark.parametrize(("path", "field", "value"), [
    ("/api/compare", "max_routes", 1), ("/api/compare", "thin", 0.5),
    ("/api/compare", "deadline_days", 20), ("/api/compare", "histogram", True),
    ("/api/emissions", "deadline_days", 20), ("/api/emissions", "histogram", True),
    ("/api/emissions", "corridors", "available"),
])
def test_api_refuses_a_field_the_endpoint_ignores(client, path, field, value):
    r = client.post(path, json={**TRIP, field: value})
    assert r.status_code == 422, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    assert field in detail and "does not use" in detail, detail


def test_api_takes_ignored_fields_sent_with_their_default(client):
    # what the web page sends: the plan's request, defaults and all
    body = {**TRIP, "max_routes": 8, "thin": 0.02, "histogram": False, "deadline_days": None,
            "geometry": False}
    assert client.post("/api/compare", json=body).status_code == 200
    assert client.post("/api/emissions", json={**body, "corridors": "all"}).status_code == 200
    assert client.post("/api/emissions", json={**body, "max_routes": 3}).status_code == 200


def test_the_page_leaves_out_what_the_api_refuses():
    from silkway.query import UNUSED

    js = (ROOT / "src/silkway/web/static/js/views.js").read_text(encoding="utf-8")
    block = re.search(r"const UNUSED = \{(.*?)\};", js, re.S)
    assert block, "views.js lists the fields /compare and /emissions ignore"
    lists = dict(re.findall(r"(\w+): \[([^\]]*)\]", block.group(1)))
    for command in ("compare", "emissions"):
        page = set(re.findall(r'"(\w+)"', lists[command]))
        assert page == set(UNUSED[command]), command


# -- outputs: a full disk, devices, symbolic links, half files ---------------------------------

def _enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_full_disk_is_a_backend_error_and_leaves_no_file(tmp_path, monkeypatch, suffix):
    """A full disk was exit 2, 'the user's file', against the README's table (5: the disk)."""
    from silkway.analysis import writers

    out = tmp_path / f"plans{suffix}"
    monkeypatch.setattr(writers, "_write_parquet", _enospc)
    monkeypatch.setattr(writers.csv, "DictWriter", _enospc)
    with pytest.raises(BackendError, match="No space left"):
        writers.write_table([{"a": 1}], out)
    assert list(tmp_path.iterdir()) == []  # no half file, no temporary file


def test_a_full_disk_under_sweep_is_exit_5_in_one_sentence(net, cache_dir, tmp_path,
                                                             monkeypatch):
    """sweep wrapped every write failure into 'cannot write the output: cannot write chart
    ...' (exit 2)."""
    from silkway.analysis import writers

    monkeypatch.setattr(writers.csv, "DictWriter", _enospc)
    r = _invoke(["sweep", *VARY, "-o", str(tmp_path / "s.csv")], cache_dir)
    line = _one_error_line(r, 5)
    assert line.count("cannot write") == 1 and "No space left" in line, line


def test_a_chart_is_written_whole_or_not_at_all(tmp_path):
    """A chart was saved in place: a failure left half a PNG over the previous one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from silkway.analysis import writers

    out = tmp_path / "c.png"
    out.write_bytes(b"previous chart")
    fig = plt.figure()
    fig.savefig = _enospc  # type: ignore[method-assign]
    with pytest.raises(BackendError):
        writers.save_figure(fig, out)
    assert out.read_bytes() == b"previous chart" and len(list(tmp_path.iterdir())) == 1
    plt.close(fig)


@pytest.mark.parametrize(("args", "words"), [
    # the output named a device: /dev/full answered "No space left" after the whole run
    (["sweep", *VARY, "-o", "{tmp}/dev.csv"], "not a regular file"),
    (["emissions", "Aktau", "Baku", "--html", "{tmp}/dev.html"], "not a regular file"),
    (["calibrate", "--chart", "{tmp}/dev.png"], "not a regular file"),
    # the report was written after the plan, whatever its name
    (["emissions", "Aktau", "Baku", "--html", "{tmp}/report.txt"], "must end in .html"),
    (["emissions", "Aktau", "Baku", "--html", "{tmp}/nope/report.html"], "does not exist"),
    # "chart .png must end in .png"; "" was "report . must end in .html"
    (["calibrate", "--chart", "{tmp}/.png"], "has no name before .png"),
    (["emissions", "Aktau", "Baku", "--html", ""], "is a directory"),
])
def test_an_unusable_output_is_refused_before_any_work(net, cache_dir, tmp_path, args, words):
    (tmp_path / "dev.csv").symlink_to("/dev/null")
    (tmp_path / "dev.html").symlink_to("/dev/null")
    (tmp_path / "dev.png").symlink_to("/dev/null")
    r = _invoke([a.replace("{tmp}", str(tmp_path)) for a in args], cache_dir)
    line = _one_error_line(r, 2)
    assert words in line, line


def test_an_output_through_a_symbolic_link_lands_where_it_points(net, cache_dir, tmp_path):
    """The rename into place replaced the link by a file beside it: the table never reached
    the folder the link named."""
    (tmp_path / "real").mkdir()
    link = tmp_path / "s.csv"
    link.symlink_to(tmp_path / "real" / "s.csv")
    r = _invoke(["sweep", *VARY, "-o", str(link)], cache_dir)
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and (tmp_path / "real" / "s.csv").read_text().startswith("origin,")


def test_an_emissions_report_is_readable_and_complete(net, cache_dir, tmp_path):
    out = tmp_path / "r.html"
    r = _invoke(["emissions", "Aktau", "Baku", "--html", str(out)], cache_dir)
    assert r.exit_code == 0, r.stderr
    assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert out.stat().st_mode & 0o044  # not the private mode of a temporary file


def test_an_error_is_still_its_exit_code_when_stderr_is_full():
    """With stderr on /dev/full, the failed write of the error line made it exit 1."""
    import subprocess
    import sys

    code = ("import sys; from silkway.cli import app; "
            "sys.argv = ['silkway', 'plan', 'Atlantis', 'Bishkek']; app()")
    with Path("/dev/full").open("w") as full:
        p = subprocess.run([sys.executable, "-c", code], stderr=full, stdout=subprocess.DEVNULL,
                           timeout=120)
    assert p.returncode == 2


# -- scenario documents: numbers YAML 1.1 misreads, control characters, as_of -----------------

SC_HEAD = "name: x\ntitle: y\nsource: s\n"
CHANGE = "change: [{target: {tariff: rail_ca}, wait_factor: %s, source: s}]\n"


def _scenario(net, text: str):
    from silkway.analysis.scenarios import parse_scenario

    return parse_scenario(text, net.tables, label="my.yaml")


@pytest.mark.parametrize(("written", "read_as"), [("1_5", 15), ("010", 8), ("0x10", 16),
                                                  ("1:30", 90), ("1_0.5", 10.5)])
def test_a_number_yaml_misreads_is_refused(net, written, read_as):
    """YAML 1.1 read wait_factor: 010 as 8 and 1:30 as 90, silently."""
    from silkway.errors import InputError

    with pytest.raises(InputError, match=f"not a plain decimal number .*reads it as {read_as}"):
        _scenario(net, SC_HEAD + CHANGE % written)


def test_a_leading_zero_that_changes_nothing_is_fine(net):
    from silkway._yaml import load_yaml

    assert load_yaml("month: 07\nb: 0\nc: -0.5\n") == {"month": 7, "b": 0, "c": -0.5}


def test_an_exponent_is_a_number_not_text(net):
    """'wait_factor: 5e-1' was refused as 'should be a number, not text' (YAML 1.1 wants a dot)."""
    sc = _scenario(net, SC_HEAD + CHANGE % "5e-1")
    assert sc.changes[0].factors == (("wait_factor", 0.5),)
    assert _scenario(net, SC_HEAD + CHANGE % "1.5").changes[0].factors == (("wait_factor", 1.5),)


@pytest.mark.parametrize(("text", "where"), [
    ('name: "\\u202eevil"\ntitle: y\nsource: s\n', "name"),
    ('name: x\ntitle: "a\\u0000b"\nsource: s\n', "title"),
    ('name: x\ntitle: "a\\tb"\nsource: s\n', "title"),
    (SC_HEAD + 'close: {hubs: ["JPTOY\\u200f\\u202e"]}\n', "close hubs"),
    (SC_HEAD + 'description: "a\\u001b[31mred"\n', "description"),
])
def test_control_and_bidi_characters_in_a_scenario_are_refused(net, text, where):
    """A name of U+202E and NUL was planned and printed as is on the terminal and in JSON."""
    from silkway.errors import InputError

    with pytest.raises(InputError, match=f"{where}.*control character"):
        _scenario(net, text)


def test_multi_line_text_and_unicode_names_are_fine(net):
    sc = _scenario(net, "name: 名前\ntitle: 'Kargo 🚢 ‏עברית'\nsource: |\n  line one\n  line\ttwo\n"
                        "description: >\n  folded\n  text\n")
    assert sc.name == "名前"


@pytest.mark.parametrize("as_of", ["not a date", "2025-13", "2025-H3", "1900-01-01", "[2022]"])
def test_as_of_must_be_a_period(net, as_of):
    """'as_of: not a date' dated every plan 'Data as of not a date.'"""
    from silkway.errors import InputError

    with pytest.raises(InputError, match=r"as_of.*not a period"):
        _scenario(net, SC_HEAD + f"as_of: {as_of}\n")


@pytest.mark.parametrize("as_of", ["2022", '"2022"', '"2025-H2"', '"2025-Q3"', '"2025-07"'])
def test_as_of_periods_are_fine(net, as_of):
    _scenario(net, SC_HEAD + f"as_of: {as_of}\n")


def test_api_refuses_a_saved_scenario_with_a_bidi_name(client):
    r = client.post("/api/scenarios", json={"yaml": 'name: "\\u202eevil"\ntitle: y\nsource: s\n'},
                    headers=AUTH)
    assert r.status_code == 422 and "control character" in r.json()["detail"], r.text[:300]


# -- a scenario's closures are said to be the scenario's -------------------------------------

@pytest.mark.parametrize(("args", "words"), [
    (["plan", "Moscow", "Duisburg", "--scenario", "russia-closed"],
     "is in a country the scenario closes (RU)"),
    (["plan", "Xi'an", "Duisburg", "--scenario", "russia-closed", "--corridor", "northern"],
     "needs RU, which is closed by the scenario"),
    (["compare", "Xi'an", "Duisburg", "--scenario", "russia-closed", "--corridor", "northern"],
     "needs RU, which is closed by the scenario"),
    (["plan", "Xi'an", "Duisburg", "--avoid", "RU", "--corridor", "northern"],
     "needs RU, which is avoided"),
    (["plan", "Moscow", "Duisburg", "--avoid", "RU"], "is in an avoided country (RU)"),
])
def test_no_route_names_who_closed_the_country(net, cache_dir, args, words):
    """Under russia-closed the answer said 'RU, which is avoided' of a country nobody avoided."""
    line = _one_error_line(_invoke(args, cache_dir), 3)
    assert words in line, line


def test_api_refuses_a_saved_plan_title_with_a_bidi_override(client):
    """A title of U+202E 'gnp.exe' was saved and shown on the page as 'exe.png'."""
    body = {"request": {"origin": "Aktau", "destination": "Baku"}, "title": "\u202egnp.exe"}
    r = client.post("/api/plans", json=body, headers=AUTH)
    assert r.status_code == 422 and "U+202E" in r.json()["detail"], r.text[:300]
    ok = client.post("/api/plans", json={**body, "title": "Aktau \u2192 Baku \u200fעברית"},
                     headers=AUTH)
    assert ok.status_code == 200, ok.text[:300]
