"""A hostile corpus for the command line and batch files: what an attacker or a careless user types.

Every case asserts the exit code and that an error is one line on stderr, one sentence, with no
traceback and nothing on stdout; batch cases also assert that every input row is accounted for.
The CLI runs in-process (typer's CliRunner); a few cases run the real ``silkway`` executable.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.cli import MAX_DETAIL_CHARS, app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
name: x
title: y
source: s
close: {hubs: *i}
"""
HEAD = "name: x\ntitle: y\nsource: s\n"
LEG = ("add_legs: [{from: KGFRU, to: UZTAS, mode: rail, tariff: rail_ca, gauge_mm: 1520, "
       "distance_km: %s, source: s}]\n")

# Scenario files: name -> bytes. Each is given as --scenario {tmp}/NAME and must be exit 2.
SCENARIO_FILES: dict[str, bytes] = {
    "bomb.yaml": BOMB.encode(),
    "deep.yaml": (HEAD + "description: " + "[" * 500 + "]" * 500 + "\n").encode(),
    "python-tag.yaml": (HEAD + "description: !!python/object/apply:os.system ['echo pwned']\n"
                        ).encode(),
    "two-docs.yaml": (HEAD + "---\n" + HEAD).encode(),
    "huge.yaml": (HEAD + "description: '" + "x" * 100_000 + "'\n").encode(),
    "binary.yaml": bytes(range(256)) * 8,
    "nul.yaml": (HEAD + "title: a\x00b\n").encode(),
    "utf16.yaml": HEAD.encode("utf-16"),
    "latin1.yaml": (HEAD + "description: Düsseldorf à l'été\n").encode("latin-1"),
    "nan-km.yaml": (HEAD + LEG % ".nan").encode(),
    "inf-km.yaml": (HEAD + LEG % ".inf").encode(),
    "neg-km.yaml": (HEAD + LEG % "-471").encode(),
    "text-km.yaml": (HEAD + LEG % "far").encode(),
    "bool-month.yaml": (HEAD + "month: true\n").encode(),
    "list-name.yaml": b"name: [1, 2]\ntitle: y\nsource: s\n",
    "list-top.yaml": b"- name: x\n- title: y\n",
    "scalar-top.yaml": b"42\n",
    "markup-name.yaml": b"name: '[bold red]x[/]'\ntitle: ':key:'\nsource: s\nteleport: 1\n",
    "close-int.yaml": (HEAD + "close: {hubs: 5}\n").encode(),
    "close-zz.yaml": (HEAD + "close: {countries: [ZZ]}\n").encode(),
    "close-passage.yaml": (HEAD + "close: {passages: [atlantis]}\n").encode(),
    "add-legs-5.yaml": (HEAD + "add_legs: [5]\n").encode(),
    "factor-bool.yaml": (HEAD + "change: [{target: {tariff: rail_ca}, wait_factor: true, "
                                "source: s}]\n").encode(),
    "factor-huge.yaml": (HEAD + "change: [{target: {tariff: rail_ca}, wait_factor: 1e300, "
                                "source: s}]\n").encode(),
    "via-999.yaml": (HEAD + LEG.replace("source: s", "via: ['999 999'], source: s") % "100"
                     ).encode(),
    "unclosed.yaml": b"name: [x\n",
    "empty.yaml": b"",
    "tabs.yaml": b"name:\tx\n\ttitle: y\n",
}

# (id, argv after the command, exit code). "{tmp}" is the test's temporary directory.
LONG = "x" * 100_000
PLAN_CASES: list[tuple[str, list[str], int]] = [
    # markup and terminal control in place names
    ("markup-close-tag", ["[/]", "Bishkek"], 2),
    ("markup-style", ["[bold red]x[/]", "Bishkek"], 2),
    ("markup-link", ["[link=file:///etc/passwd]x[/link]", "Bishkek"], 2),
    ("emoji-code", [":key:", ":smile:"], 2),
    ("ansi-escape", ["\x1b[31mred\x1b[0m", "Bishkek"], 2),
    ("newline-in-name", ["Toy\nama", "Bishkek"], 0),  # whitespace is normalised
    ("carriage-return", ["Toyama\r", "error: forged"], 2),
    ("nul-in-name", ["Toy\x00ama", "Bishkek"], 2),
    ("bidi-override", ["\u202eamayoT", "Bishkek"], 2),
    ("zero-width", ["Bish\u200bkek", "Toyama"], 2),
    ("rtl-arabic", ["كراتشي", "Bishkek"], 2),
    ("emoji", ["🚢", "Bishkek"], 2),
    ("format-spec", ["{0.__class__}", "%s%s%n"], 2),
    ("sql", ["'; DROP TABLE plans; --", "Bishkek"], 2),
    ("same-hub", ["Toyama", "JPTOY"], 2),
    ("empty-origin", ["", "Bishkek"], 2),
    ("blank-origin", ["   ", "Bishkek"], 2),
    # huge inputs
    ("huge-origin", [LONG, "Bishkek"], 2),
    ("huge-destination", ["Toyama", LONG], 2),
    ("huge-avoid", ["Toyama", "Bishkek", "--avoid", ",".join(["RU"] * 50_000)], 2),  # a limit
    ("huge-avoid-junk", ["Toyama", "Bishkek", "--avoid", "Q" * 100_000], 2),
    ("huge-close", ["Toyama", "Bishkek", "--close", "suez," * 20_000 + "x" * 1000], 2),
    ("huge-modes", ["Toyama", "Bishkek", "--modes", "sea," * 30_000], 2),  # a limit
    # unknown and reserved codes
    ("avoid-ZZ", ["Toyama", "Bishkek", "--avoid", "ZZ"], 2),
    ("avoid-EU", ["Toyama", "Bishkek", "--avoid", "EU"], 2),
    ("avoid-UK", ["Toyama", "Bishkek", "--avoid", "UK"], 2),
    ("avoid-XK", ["Toyama", "Bishkek", "--avoid", "XK"], 2),
    ("avoid-alpha3", ["Toyama", "Bishkek", "--avoid", "RUS"], 2),
    ("avoid-numeric", ["Toyama", "Bishkek", "--avoid", "643"], 2),
    ("avoid-lowercase-ok", ["Toyama", "Bishkek", "--avoid", "ru,by"], 0),
    ("avoid-empty-items", ["Toyama", "Bishkek", "--avoid", ",,RU,,"], 2),
    ("via-only-commas", ["Toyama", "Bishkek", "--via", ",,"], 2),
    ("exclude-corridor-comma", ["Toyama", "Bishkek", "--exclude-corridor", ","], 2),
    ("payload-nan", ["Toyama", "Bishkek", "--payload-t", "nan"], 2),
    ("payload-overflow", ["Toyama", "Bishkek", "--payload-t", "1e400"], 2),
    ("thin-inf", ["Toyama", "Bishkek", "--thin", "inf"], 2),
    ("deadline-inf-days", ["Toyama", "Bishkek", "--deadline", "1e309d"], 2),
    ("avoid-origin-country", ["Toyama", "Bishkek", "--avoid", "JP"], 3),
    ("close-unknown", ["Shanghai", "Rotterdam", "--close", "atlantis"], 2),
    ("close-all", ["Shanghai", "Rotterdam", "--modes", "sea", "--close",
                   "suez,bab-el-mandeb,hormuz,bosporus,malacca,gibraltar,cape"], 3),
    ("modes-plane", ["Toyama", "Bishkek", "--modes", "plane"], 2),
    ("modes-empty", ["Toyama", "Bishkek", "--modes", ","], 2),
    ("cargo-unknown", ["Toyama", "Bishkek", "--cargo", "HC40"], 2),
    ("objective-unknown", ["Toyama", "Bishkek", "--objective", "fastest"], 2),
    ("allocation-unknown", ["Toyama", "Bishkek", "--allocation", "volume"], 2),
    ("format-unknown", ["Toyama", "Bishkek", "--format", "xml"], 2),
    # NaN, infinity and range
    ("payload-nan", ["Toyama", "Bishkek", "--payload-t", "nan"], 2),
    ("payload-inf", ["Toyama", "Bishkek", "--payload-t", "inf"], 2),
    ("payload-1e999", ["Toyama", "Bishkek", "--payload-t", "1e999"], 2),
    ("payload-negative", ["Toyama", "Bishkek", "--payload-t", "-3"], 2),
    ("payload-zero", ["Toyama", "Bishkek", "--payload-t", "0"], 2),
    ("payload-text", ["Toyama", "Bishkek", "--payload-t", "heavy"], 2),
    ("deadline-nan", ["Toyama", "Bishkek", "--deadline", "nan"], 2),
    ("deadline-inf", ["Toyama", "Bishkek", "--deadline", "inf"], 2),
    ("deadline-1e999", ["Toyama", "Bishkek", "--deadline", "1e999d"], 2),
    ("deadline-negative", ["Toyama", "Bishkek", "--deadline", "-5d"], 2),
    ("deadline-words", ["Toyama", "Bishkek", "--deadline", "next week"], 2),
    ("month-13", ["Toyama", "Bishkek", "--month", "13"], 2),
    ("month-0", ["Toyama", "Bishkek", "--month", "0"], 2),
    ("month-text", ["Toyama", "Bishkek", "--month", "January"], 2),
    ("month-float", ["Toyama", "Bishkek", "--month", "1.5"], 2),
    ("month-huge", ["Toyama", "Bishkek", "--month", "9" * 400], 2),
    ("transshipments-negative", ["Toyama", "Bishkek", "--max-transshipments", "-1"], 2),
    ("transshipments-huge", ["Toyama", "Bishkek", "--max-transshipments", "9" * 400], 2),
    ("max-routes-0", ["Toyama", "Bishkek", "--max-routes", "0"], 2),
    ("max-routes-inf", ["Toyama", "Bishkek", "--max-routes", "inf"], 2),
    ("unknown-option", ["Toyama", "Bishkek", "--teleport"], 2),
    ("missing-destination", ["Toyama"], 2),
    # scenarios: traversal and unknown names
    ("scenario-traversal", ["Aktau", "Baku", "--scenario", "../../../../etc/passwd"], 2),
    ("scenario-traversal-shipped", ["Aktau", "Baku", "--scenario",
                                    "../scenarios/caspian-winter"], 2),
    ("scenario-absolute", ["Aktau", "Baku", "--scenario", "/etc/passwd"], 2),
    ("scenario-dir", ["Aktau", "Baku", "--scenario", "{tmp}/dir.yaml"], 2),
    ("scenario-missing-file", ["Aktau", "Baku", "--scenario", "{tmp}/nope.yaml"], 2),
    ("scenario-unknown", ["Aktau", "Baku", "--scenario", "atlantis-bridge"], 2),
    ("scenario-huge-name", ["Aktau", "Baku", "--scenario", "x" * 50_000], 2),
    ("scenario-markup-name", ["Aktau", "Baku", "--scenario", "[bold]x[/]"], 2),
    ("scenario-ok", ["Aktau", "Baku", "--scenario", "caspian-winter"], 0),
    *[(f"scenario-{name}", ["Aktau", "Baku", "--scenario", f"{{tmp}}/{name}"], 2)
      for name in SCENARIO_FILES],
    # the cache directory
    ("cache-dir-is-file", ["Toyama", "Bishkek", "--cache-dir", "{tmp}/file"], 2),
    ("cache-dir-under-file", ["Toyama", "Bishkek", "--cache-dir", "{tmp}/file/sub"], 2),
]

OTHER_CASES: list[tuple[str, list[str], int]] = [
    ("hubs-country-ZZ", ["hubs", "--country", "ZZ"], 2),
    ("hubs-country-UK", ["hubs", "--country", "UK"], 2),
    ("hubs-kind-unknown", ["hubs", "--kind", "[/]"], 2),
    ("emissions-route-0", ["emissions", "Toyama", "Bishkek", "--route", "0"], 2),
    ("emissions-route-99", ["emissions", "Toyama", "Bishkek", "--route", "99"], 2),
    ("emissions-html-unwritable", ["emissions", "Toyama", "Bishkek", "--html",
                                   "{tmp}/file/report.html"], 2),
    ("compare-nothing", ["compare", "Toyama", "Bishkek"], 2),
    ("compare-traversal", ["compare", "Aktau", "Baku", "--scenario", "../../etc/passwd"], 2),
    ("sweep-vary-junk", ["sweep", "--vary", ":key:", "--pair", "Toyama:Bishkek", "--serial"], 2),
    ("sweep-pair-junk", ["sweep", "--vary", "tariff:ferry_caspian:wait_factor=1,2",
                         "--pair", "[/]", "--serial"], 2),
    ("sweep-pair-unknown", ["sweep", "--vary", "tariff:ferry_caspian:wait_factor=1,2",
                            "--pair", "Atlantis:Bishkek", "--serial"], 2),
    ("batch-missing", ["batch", "{tmp}/nope.csv", "--serial"], 2),
    ("batch-dir", ["batch", "{tmp}", "--serial"], 2),
    ("batch-output-ext", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/out.xlsx", "--serial"], 2),
    ("batch-output-under-file", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/file/out.csv",
                                 "--serial"], 2),
    ("no-such-command", ["teleport"], 2),
]


def _assert_clean(r, code: int) -> None:
    out = r.stdout + r.stderr
    assert "Traceback" not in out and "Error:" not in out.replace("error:", ""), out[-2000:]
    assert r.exit_code == code, (r.exit_code, out[-2000:])
    if code == 0:
        return
    assert r.stdout == "", r.stdout[:500]
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr[:2000]
    line = lines[0]
    assert line.startswith("error: ") and len(line) <= MAX_DETAIL_CHARS + 10, line[:300]
    assert "\x1b" not in line and "\x00" not in line


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    for name, content in SCENARIO_FILES.items():
        (d / name).write_bytes(content)
    (d / "dir.yaml").mkdir()
    (d / "file").write_text("not a directory")
    (d / "ok.csv").write_text("origin,destination\nToyama,Bishkek\n")
    return d


def _argv(args: list[str], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in args]


@pytest.mark.parametrize(("args", "code"), [c[1:] for c in PLAN_CASES],
                         ids=[c[0] for c in PLAN_CASES])
def test_hostile_plan(net, cache_dir, tmp, args, code):
    argv = _argv(["plan", *args], tmp)
    if "--cache-dir" not in argv:
        argv += ["--cache-dir", str(cache_dir)]
    r = runner.invoke(app, argv, env={"COLUMNS": "120"})
    _assert_clean(r, code)


@pytest.mark.parametrize(("args", "code"), [c[1:] for c in OTHER_CASES],
                         ids=[c[0] for c in OTHER_CASES])
def test_hostile_commands(net, cache_dir, tmp, args, code):
    r = runner.invoke(app, [*_argv(args, tmp), "--cache-dir", str(cache_dir)],
                      env={"COLUMNS": "120"})
    _assert_clean(r, code)


def test_hostile_json_errors_are_json(net, cache_dir, tmp):
    for args in (["plan", "[/]", "Bishkek", "--json"], ["plan", "Toyama", LONG, "--json"],
                 ["plan", "Toyama", "Bishkek", "--month", "13", "--format", "json"],
                 ["plan", "Aktau", "Baku", "--scenario", f"{tmp}/bomb.yaml", "--json"]):
        r = runner.invoke(app, [*args, "--cache-dir", str(cache_dir)])
        assert r.exit_code == 2 and r.stdout == ""
        d = json.loads(r.stderr)
        assert set(d) == {"error", "detail", "exit_code"} and d["exit_code"] == 2
        assert "\n" not in d["detail"] and len(d["detail"]) <= MAX_DETAIL_CHARS


# ------------------------------------------------------------------------------------- batch

UTF8_ROWS = "origin,destination\nToyama,Bishkek\nDüsseldorf,Bishkek\n"

# (id, file bytes, exit code, rows expected in the output or None); a batch in which no row
# could be planned is exit 2 with its error rows written (round 10: it was exit 0)
BATCH_FILES: list[tuple[str, bytes, int, int | None]] = [
    ("utf8-bom", b"\xef\xbb\xbf" + UTF8_ROWS.encode(), 0, 2),
    ("crlf", UTF8_ROWS.replace("\n", "\r\n").encode(), 0, 2),
    ("latin-1", UTF8_ROWS.encode("latin-1"), 2, None),
    ("utf-16", UTF8_ROWS.encode("utf-16"), 2, None),
    ("utf-16-be-no-bom", UTF8_ROWS.encode("utf-16-be"), 2, None),
    ("binary", bytes(range(256)) * 16, 2, None),
    ("gzip", b"\x1f\x8b\x08\x00" + bytes(64), 2, None),
    ("nul-bytes", b"origin,destination\nToy\x00ama,Bishkek\n", 2, 1),
    ("empty", b"", 2, None),
    ("header-only", b"origin,destination\n", 2, 0),
    ("semicolons", b"origin;destination\nToyama;Bishkek\n", 2, None),
    ("unknown-column", b"origin,destination,departure\nToyama,Bishkek,2026-01-05\n", 2, None),
    ("markup-column", b"origin,destination,[bold]x[/]\nToyama,Bishkek,1\n", 2, None),
    ("huge-header", ("origin,destination," + ",".join(f"c{i}" for i in range(20_000)) + "\n"
                     "Toyama,Bishkek\n").encode(), 2, None),
    ("duplicate-column", b"origin,destination,origin\nToyama,Bishkek,Osh\n", 2, None),
    ("unclosed-quote", b'origin,destination\n"Toyama,Bishkek\n', 2, None),
    ("markup-rows", b"origin,destination\n[/],Bishkek\n[bold red]x[/],Bishkek\n:key:,Bishkek\n"
                    b"[link=http://x]y[/link],Bishkek\n", 2, 4),
    ("formula-rows", b"id,origin,destination\n=HYPERLINK(\"http://x\"),Toyama,Bishkek\n"
                     b"@SUM(1),Toyama,Bishkek\n", 0, 2),
    ("nan-inf-cells", b"origin,destination,payload_t,deadline_days,count\n"
                      b"Toyama,Bishkek,nan,,\nToyama,Bishkek,,inf,\nToyama,Bishkek,,,1e999\n"
                      b"Toyama,Bishkek,-1,,\nToyama,Bishkek,,,1.5\nToyama,Bishkek,,,-2\n"
                      b"Toyama,Bishkek,,1e999,\n", 2, 7),
    ("type-confusion", b"origin,destination,cargo,max_transshipments,departure_date,objective\n"
                       b"Toyama,Bishkek,HC40,,,\nToyama,Bishkek,,two,,\n"
                       b"Toyama,Bishkek,,,2026-13-45,\nToyama,Bishkek,,,,fastest\n"
                       b"Toyama,Bishkek,,,1e9,\n", 2, 5),
    ("unknown-codes", b'origin,destination,avoid,close,modes\nToyama,Bishkek,ZZ,,\n'
                      b'Toyama,Bishkek,"UK,RU",,\nToyama,Bishkek,EU,,\n'
                      b'Shanghai,Rotterdam,,atlantis,\nToyama,Bishkek,,,plane\n', 2, 5),
    ("scenario-cells", b"origin,destination,scenario\nAktau,Baku,../../etc/passwd\n"
                       b"Aktau,Baku,/etc/passwd\nAktau,Baku,caspian-winter\n"
                       b"Aktau,Baku,[/]\n", 0, 4),
    ("huge-cell", ("origin,destination\n" + "x" * 200_000 + ",Bishkek\n").encode(), 2, None),
    ("ragged", b"origin,destination\nToyama,Bishkek,extra,more\nToyama\n,\n", 2, 2),  # "," is blank
]


@pytest.mark.parametrize(("content", "code", "rows"), [c[1:] for c in BATCH_FILES],
                         ids=[c[0] for c in BATCH_FILES])
def test_hostile_batch(net, cache_dir, tmp_path, content, code, rows):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(content)
    r = runner.invoke(app, ["batch", str(src), "-o", str(dst), "--serial",
                            "--cache-dir", str(cache_dir)], env={"COLUMNS": "120"})
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out[-2000:]
    assert r.exit_code == code, out[-2000:]
    if code:
        _assert_clean(r, code)
        if rows is None:
            assert not dst.exists()
            return
        assert r.stderr.startswith("error: no row could be planned")
    with dst.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert len(got) == rows  # every row accounted for, none dropped
    assert [int(g["row"]) for g in got] == sorted(int(g["row"]) for g in got)
    for g in got:
        assert g["status"] in ("ok", "error")
        assert g["status"] == "ok" or g["error"].startswith(f"row {g['row']}: ")
        assert "\n" not in g["error"]
    assert "🔑" not in r.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv", "out.csv"] or sorted(
        p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


# ------------------------------------------------------------------- real subprocesses (few)


def _silkway(*args: str, cache_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SILKWAY_CACHE_DIR": str(cache_dir),
           "COLUMNS": "100"}

    def limit_memory() -> None:  # a read of /dev/zero fails at 4 GiB instead of swapping
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    return subprocess.run([sys.executable, "-m", "silkway.cli", *args], capture_output=True,
                          text=True, env=env, timeout=timeout, check=False,
                          preexec_fn=limit_memory)


@pytest.mark.parametrize(("args", "code"), [
    (["plan", "[/]", "Bishkek"], 2),
    (["plan", "Toyama", "Bishkek", "--avoid", "UK"], 2),
    (["plan", "Shanghai", "Rotterdam", "--modes", "sea", "--close", "suez,cape"], 3),
    (["plan", "Toyama", "x" * 100_000, "--json"], 2),
])
def test_hostile_real_process(net, cache_dir, args, code):
    p = _silkway(*args, cache_dir=cache_dir)
    assert p.returncode == code, p.stderr[-2000:]
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert len([x for x in p.stderr.splitlines() if x.strip()]) == 1, p.stderr[-2000:]


# ------------------------------------------------- round 2: options, files and outputs

URUMQI_NFD = unicodedata.normalize("NFD", "Ürümqi")
FLOWS = "origin,destination,teu\nToyama,Bishkek,100\n"
VARY = ["--vary", "tariff:ferry_caspian:wait_factor=1,2"]

# (id, argv, exit code, words the error line must contain)
ROUND2_CASES: list[tuple[str, list[str], int, tuple[str, ...]]] = [
    # an option given twice kept only its last value; contradicting options dropped one
    ("month-twice", ["plan", "Toyama", "Bishkek", "--month", "1", "--month", "7"], 2,
     ("--month", "more than once")),
    ("avoid-twice", ["plan", "Toyama", "Istanbul", "--avoid", "RU", "--avoid", "IR"], 2,
     ("--avoid",)),
    ("reefer-both-ways", ["plan", "Toyama", "Bishkek", "--reefer", "--no-reefer"], 2,
     ("--reefer/--no-reefer",)),
    ("json-and-csv", ["plan", "Toyama", "Bishkek", "--json", "--format", "csv"], 2,
     ("--json", "--format", "contradict")),
    ("hubs-country-twice", ["hubs", "--country", "KG", "--country", "KZ"], 2, ("--country",)),
    ("serial-and-scheduler", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/o.csv", "--serial",
                              "--scheduler", "tcp://127.0.0.1:1"], 2, ("--serial", "--scheduler")),
    ("serial-and-workers", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/o.csv", "--serial",
                            "--workers", "2"], 2, ("--workers",)),
    ("gap-without-equilibrium", ["assign", "{tmp}/flows.csv", "--gap", "0.01"], 2,
     ("--gap", "--equilibrium")),
    ("focus-without-chart", ["sweep", *VARY, "--pair", "Toyama:Bishkek", "--serial", "-o",
                             "{tmp}/s.csv", "--focus", "northern"], 2, ("--focus", "--chart")),
    ("focus-unknown", ["sweep", *VARY, "--pair", "Toyama:Bishkek", "--serial", "-o",
                       "{tmp}/s.csv", "--chart", "{tmp}/c.png", "--focus", "atlantis"], 2,
     ("atlantis",)),
    ("same-axis-twice", ["sweep", *VARY, *VARY, "--pair", "Toyama:Bishkek", "--serial", "-o",
                         "{tmp}/s.csv"], 2, ("given twice",)),
    # Python's underscored numbers: 1_5 was 15 t, where 1.5 may have been meant
    ("payload-underscore", ["plan", "Toyama", "Bishkek", "--payload-t", "1_5"], 2,
     ("--payload-t", "underscores")),
    ("month-underscore", ["plan", "Toyama", "Bishkek", "--month", "1_0"], 2, ("month",)),
    ("draws-underscore", ["plan", "Toyama", "Bishkek", "--draws", "2_000"], 2, ("draws",)),
    # a filter that is empty or names two codes listed every hub, or only the first code's
    ("hubs-country-empty", ["hubs", "--country", ""], 2, ("country filter",)),
    ("hubs-country-two", ["hubs", "--country", "KG,KZ"], 2, ("country filter",)),
    # an output that is an input, or not what the command writes, is refused before any work
    ("batch-output-is-input", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/ok.csv", "--serial"], 2,
     ("input file",)),
    ("assign-output-is-input", ["assign", "{tmp}/flows.csv", "-o", "{tmp}/flows.csv"], 2,
     ("input file",)),
    ("sweep-output-is-pairs", ["sweep", *VARY, "--pairs-file", "{tmp}/ok.csv", "--serial",
                               "-o", "{tmp}/ok.csv"], 2, ("input file",)),
    ("sweep-chart-txt", ["sweep", *VARY, "--pair", "Toyama:Bishkek", "--serial", "-o",
                         "{tmp}/s.csv", "--chart", "{tmp}/c.txt"], 2, (".png",)),
    ("assign-chart-dir", ["assign", "{tmp}/flows.csv", "--chart", "{tmp}"], 2, ("chart",)),
    ("calibrate-chart-pdf", ["calibrate", "--chart", "{tmp}/c.pdf"], 2, (".png",)),
    ("batch-output-folder-missing", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/no/such/o.csv",
                                     "--serial"], 2, ("does not exist",)),
    # the scheduler's credentials are never echoed
    ("scheduler-password", ["batch", "{tmp}/ok.csv", "-o", "{tmp}/o.csv", "--scheduler",
                            "http://user:hunter2@127.0.0.1:1"], 2, ("***",)),
    # files that are not regular files (a FIFO used to block for ever, /dev/zero to fill memory)
    ("batch-dev-zero", ["batch", "/dev/zero", "-o", "{tmp}/o.csv", "--serial"], 2,
     ("not a regular file",)),
    ("assign-dev-zero", ["assign", "/dev/zero"], 2, ("not a regular file",)),
    ("pairs-dev-zero", ["sweep", *VARY, "--pairs-file", "/dev/zero", "--serial", "-o",
                        "{tmp}/s.csv"], 2, ("not a regular file",)),
    ("batch-fifo", ["batch", "{tmp}/fifo.csv", "-o", "{tmp}/o.csv", "--serial"], 2,
     ("not a regular file",)),
    ("assign-fifo", ["assign", "{tmp}/fifo.csv"], 2, ("not a regular file",)),
    ("pairs-fifo", ["sweep", *VARY, "--pairs-file", "{tmp}/fifo.csv", "--serial", "-o",
                    "{tmp}/s.csv"], 2, ("not a regular file",)),
    ("scenario-fifo", ["plan", "Aktau", "Baku", "--scenario", "{tmp}/fifo.yaml"], 2,
     ("not a regular file",)),
    ("batch-symlink-loop", ["batch", "{tmp}/loop.csv", "-o", "{tmp}/o.csv", "--serial"], 2,
     ("symbolic links",)),
    ("tab-separated", ["batch", "{tmp}/tabs.csv", "-o", "{tmp}/o.csv", "--serial"], 2,
     ("tab-separated",)),
    # serve: uvicorn's own lines and exit 3 for an unknown host; an empty host listened on
    # every interface; an unsupported database URL was a backend failure (exit 5)
    ("serve-host-unresolvable", ["serve", "--host", "256.1.1.1", "--port", "{port}"], 2,
     ("--host", "256.1.1.1")),
    ("serve-host-empty", ["serve", "--host", "", "--port", "{port}"], 2, ("--host",)),
    ("serve-database-mysql", ["serve", "--port", "{port}", "--database-url",
                              "mysql://u:hunter2@localhost/db"], 2, ("only sqlite", "***")),
    ("serve-database-no-scheme", ["serve", "--port", "{port}", "--database-url",
                                  "u:hunter2@localhost/db"], 2, ("not a SQLAlchemy URL",)),
    # still fine: a flag typed twice, --json with --format json, a repeatable option
    ("json-twice-ok", ["plan", "Toyama", "Bishkek", "--json", "--json"], 0, ()),
    ("json-format-json-ok", ["plan", "Toyama", "Bishkek", "--json", "--format", "json"], 0, ()),
    ("pair-repeated-ok", ["sweep", *VARY, "--pair", "Toyama:Bishkek", "--pair", "Osh:Tashkent",
                          "--serial", "-o", "{tmp}/s.csv"], 0, ()),
    ("pairs-file-bom-ok", ["sweep", *VARY, "--pairs-file", "{tmp}/bom.csv", "--serial", "-o",
                           "{tmp}/s.csv"], 0, ()),
]


@pytest.fixture(scope="module")
def tmp2(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile2")
    (d / "ok.csv").write_text("origin,destination\nToyama,Bishkek\n")
    (d / "bom.csv").write_bytes(b"\xef\xbb\xbforigin,destination\nToyama,Bishkek\n")
    (d / "tabs.csv").write_text("origin\tdestination\nToyama\tBishkek\n")
    (d / "flows.csv").write_text(FLOWS)
    os.mkfifo(d / "fifo.csv")
    os.mkfifo(d / "fifo.yaml")
    (d / "loop.csv").symlink_to(d / "loop2.csv")
    (d / "loop2.csv").symlink_to(d / "loop.csv")
    return d


@pytest.mark.parametrize(("args", "code", "words"), [c[1:] for c in ROUND2_CASES],
                         ids=[c[0] for c in ROUND2_CASES])
def test_hostile_round2(net, cache_dir, tmp2, args, code, words):
    before = {name: (tmp2 / name).read_bytes() for name in ("ok.csv", "bom.csv", "flows.csv")}
    # a separate process with a deadline: a FIFO or /dev/zero must fail fast, not hang or swap
    with socket.socket() as free:  # a port nobody listens on, for `serve`
        free.bind(("127.0.0.1", 0))
        port = str(free.getsockname()[1])
    argv = [a.replace("{port}", port) for a in _argv(args, tmp2)]
    p = _silkway(*argv, "--cache-dir", str(cache_dir), cache_dir=cache_dir, timeout=60)
    assert "Traceback" not in p.stderr, p.stderr[-2000:]
    assert p.returncode == code, (p.returncode, p.stderr[-2000:])
    if code:
        lines = [x for x in p.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and p.stdout == "", p.stderr[-2000:]
        for word in words:
            assert word in lines[0], lines[0]
        assert "hunter2" not in p.stderr
    for name, content in before.items():  # no input was overwritten
        assert (tmp2 / name).read_bytes() == content, name
    written = (tmp2 / "o.csv").exists()
    (tmp2 / "o.csv").unlink(missing_ok=True)
    assert not written  # refused before any output


@pytest.mark.parametrize(("place", "hub"), [(URUMQI_NFD, "CNURM"), ("Ürümqi", "CNURM"),
                                           ("ＴＯＹＡＭＡ", "JPTOY"), ("ｊｐｔｏｙ", "JPTOY")])
def test_hostile_unicode_forms_of_a_name_resolve(net, place, hub):
    """A decomposed (NFD) or full-width spelling is the name it looks like (NFKC)."""
    assert net.find(place).id == hub


def test_hostile_empty_cache_dir_is_not_the_current_directory(net, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["plan", "Toyama", "Bishkek", "--cache-dir", ""])
    _assert_clean(r, 2)
    assert "--cache-dir" in r.stderr and list(tmp_path.iterdir()) == []


def test_hostile_unnamed_column_values_and_underscored_cells_are_error_rows(net, cache_dir,
                                                                            tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("origin,destination,,month\nToyama,Bishkek,x,\nToyama,Bishkek,,\n"
                   "Toyama,Bishkek,,1_0\n")
    r = runner.invoke(app, ["batch", str(src), "-o", str(dst), "--serial",
                            "--cache-dir", str(cache_dir)])
    assert r.exit_code == 0, r.output
    with dst.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [g["status"] for g in got] == ["error", "ok", "error"]
    assert "field 3" in got[0]["error"] and "no name" in got[0]["error"]
    assert "month" in got[2]["error"] and "underscore" in got[2]["error"]


def test_hostile_underscored_teu_is_an_error_row(tmp_path):
    from silkway.analysis.flows import read_flows

    src = tmp_path / "flows.csv"
    src.write_text("origin,destination,teu\nToyama,Bishkek,1_000\nToyama,Bishkek,1000\n")
    flows, errors = read_flows(src)
    assert len(flows) == 1 and [e.row for e in errors] == [1] and "teu" in errors[0].problem
