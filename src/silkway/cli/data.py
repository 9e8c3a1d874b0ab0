"""Data and serving commands: ``silkway hubs``, ``serve``, ``network build|info`` and
``calibrate``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

import silkway
from silkway.cli._app import AsJson, CacheDir, _bar, _fail, _load, out
from silkway.errors import BackendError, ConstraintError, SilkwayError


def hubs(
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 country filter.")] = None,
    kind: Annotated[str | None, typer.Option(help="port, rail, dry_port, border or ferry.")] = None,
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
) -> None:
    """List the hubs the network knows."""
    from silkway.routing.constraints import select_hubs

    net = _load(cache_dir)
    rows = select_hubs(net.hubs, country=country, kind=kind)  # "" or "KG,KZ" is an error
    degree: dict[str, set[str]] = {}
    for leg in net.legs:
        degree.setdefault(leg.src, set()).add(leg.mode.value)
        degree.setdefault(leg.dst, set()).add(leg.mode.value)
    if as_json:
        data = [{**h.to_dict(), "aliases": list(h.aliases), "gauge_mm": h.gauge_mm or None,
                 "modes": sorted(degree.get(h.id, ()))} for h in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    narrow = out.width < 100  # a terminal's width: the coordinates only in --json
    t = Table(title=f"{len(rows)} hubs" + (" (coordinates: --json)" if narrow else ""),
              title_justify="left")
    for col in ("id", "name", "cc", "kind", "gauge", "modes", *(() if narrow else ("lat", "lon"))):
        # the id and name a user types are never cut: the names and the mode lists wrap
        t.add_column(col, no_wrap=col not in ("name", "modes"), overflow="fold",
                     justify="right" if col in ("gauge", "lat", "lon") else "left")
    for h in rows:
        t.add_row(escape(h.id), escape(h.name), h.country, h.kind, str(h.gauge_mm or "-"),
                  ", ".join(sorted(degree.get(h.id, ()))),
                  *(() if narrow else (f"{h.lat:.3f}", f"{h.lon:.3f}")))
    out.print(t)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    database_url: Annotated[str | None, typer.Option(
        envvar="SILKWAY_DATABASE_URL",
        help="SQLAlchemy URL of saved work [default: SQLite beside the cache].")] = None,
    api_token: Annotated[str | None, typer.Option(
        envvar="SILKWAY_API_TOKEN",
        help="Token required by write endpoints (visible ASCII; an empty one is refused).")] = None,
    cors: Annotated[str | None, typer.Option(
        envvar="SILKWAY_CORS_ORIGINS",
        help="Comma list of origins allowed by CORS, e.g. https://app.example,"
             "http://localhost:3000 (or * alone).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help=(
        "Processes that plan (one per core; 1: plan in the server process itself)."))] = 1,
    cache_dir: CacheDir = None,
) -> None:
    """Serve the web page and the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from silkway.api.app import create_app
    from silkway.api.security import check_token, cors_origins

    # click reads an empty environment variable as unset: SILKWAY_API_TOKEN= must not serve
    # the write endpoints open when the variable was meant to hold the token
    if api_token is None and "SILKWAY_API_TOKEN" in os.environ:
        api_token = os.environ["SILKWAY_API_TOKEN"]
    try:
        if api_token is not None:
            check_token(api_token, source="--api-token (SILKWAY_API_TOKEN)")
        origins = cors_origins(cors or "", source="--cors (SILKWAY_CORS_ORIGINS)")
    except SilkwayError as exc:
        raise _fail(exc) from None
    _check_listen(host, port)
    net = _load(cache_dir)
    try:
        application = create_app(network=net, cache_dir=cache_dir, database_url=database_url,
                                 api_token=api_token, cors_origins=origins, server_gc=True,
                                 plan_processes=workers if workers > 1 else 0)
    except SilkwayError as exc:
        raise _fail(exc) from None
    planning = f"; planning in {workers} processes" if workers > 1 else ""
    out.print(f"silkway on http://{host}:{port}/  (API docs: /docs{planning})")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _check_listen(host: str, port: int) -> None:
    """Refuse, before anything starts, an address the server could not listen on: uvicorn
    would print its own lines and exit 3 (the exit code of "no route"), and an empty
    ``--host`` would listen on every interface unasked."""
    import socket

    if not host.strip():
        raise _fail(ConstraintError("--host is empty; give an address such as 127.0.0.1 (or "
                                    "0.0.0.0 to listen on every interface)"))
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise _fail(ConstraintError(f"--host {host[:60]!r} is not an address to listen on "
                                    f"({why})")) from None
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(addr)
    except OSError as exc:
        raise _fail(BackendError(f"cannot listen on {host[:60]}:{port}: "
                                 f"{exc.strerror or exc}")) from None


def network_build(
    force: Annotated[bool, typer.Option(help="Rebuild even if a valid cache exists.")] = True,
    cache_dir: CacheDir = None,
) -> None:
    """Compile the network from the shipped tables and base networks, and cache it."""
    net = _load(cache_dir, rebuild=force)
    out.print(f"network {net.key[:16]}: {len(net.hubs)} hubs, {len(net.legs)} legs "
              f"cached in {silkway.cache_path(cache_dir)}", markup=False)


def network_info(
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
) -> None:
    """Describe the compiled network: hubs, legs by mode and distance source, bridges."""
    net = _load(cache_dir)
    info: dict[str, Any] = {"key": net.key[:16], "hubs": len(net.hubs), "legs": len(net.legs),
                            "cache": str(silkway.cache_path(cache_dir)), **net.stats}
    by: dict[str, int] = {}
    for leg in net.legs:
        k = f"{leg.mode.value}/{leg.distance_source}"
        by[k] = by.get(k, 0) + 1
    info["legs_by_mode_and_source"] = dict(sorted(by.items()))
    info["estimated_km"] = round(sum(leg.estimated_km for leg in net.legs), 1)
    cov = silkway.coverage(net)
    info["coverage"] = cov
    if as_json:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    t = Table(title="silkway network", show_header=False)
    t.add_column("key", no_wrap=True)
    t.add_column("value", overflow="fold")  # the cache path whole, never cut to "…"
    for k, v in info.items():
        if k != "coverage":
            t.add_row(k, json.dumps(v) if isinstance(v, dict) else str(v))
    out.print(t)
    c = Table(title="coverage by country (rail and road km, shared among the countries a leg passes)")
    for col in ("country", "hubs", "legs", "km", "estimated km", "estimated %"):
        c.add_column(col, justify="left" if col == "country" else "right")
    for cc, r in cov["countries"].items():
        share = 100 * r["estimated_km"] / r["km"] if r["km"] else 0.0
        c.add_row(cc, str(r["hubs"]), str(r["legs"]), f"{r['km']:,.0f}",
                  f"{r['estimated_km']:,.0f}", f"{share:.0f}")
    out.print(c)
    e = Table(title=f"legs whose distance is an estimate ({len(cov['estimated_legs'])})")
    for col in ("leg", "km", "countries"):
        e.add_column(col)
    for leg in cov["estimated_legs"]:
        e.add_row(leg["leg"], f"{leg['km']:,.1f}", ",".join(leg["countries"]))
    out.print(e)


def calibrate(
    refit: Annotated[bool, typer.Option(
        "--fit", help="Refit the time model from the sourced priors (else score the shipped "
                      "calibrated values).")] = False,
    write: Annotated[bool, typer.Option(
        help="With --fit: write calibrated.csv and calibration.json into the package data.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    chart: Annotated[Path | None, typer.Option(help="PNG: predicted against published.")] = None,
    cases: Annotated[bool, typer.Option(help="List every observation's P50 too.")] = False,
    cv: Annotated[bool, typer.Option(
        "--cv", help="Only cross-validate, on the training split, the candidate structures of "
                     "the service-class effect (the model selection; about a minute).")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """Transit days against published observations: held-out share within range and median
    absolute % error, by corridor and mode, with the sourced priors and the calibrated values."""
    from importlib import resources

    from silkway.analysis import calibrate as cal
    from silkway.data.observations import load_observations

    if write and not refit:
        raise _fail(ConstraintError("--write needs --fit (it writes the values a fit found)"))
    if cv and (refit or cases or chart is not None):
        raise _fail(ConstraintError("--cv runs alone (with --json at most)"))
    if chart is not None:
        from silkway.analysis.writers import check_output

        try:
            check_output(chart, suffixes=(".png",), what="chart")
        except SilkwayError as exc:
            raise _fail(exc) from None
    net = _load(cache_dir)
    if cv:
        _calibrate_cv(net, as_json)
        return
    try:
        with _bar("calibrate", "steps") as tick:
            tick(0, 1)
            res = cal.run(net, load_observations(), refit=refit)
            tick(1, 1)
    except SilkwayError as exc:
        raise _fail(exc) from None
    rep = res.report
    if write:
        from silkway.analysis.writers import write_text

        folder = Path(str(resources.files("silkway.data")))
        try:
            write_text(cal.calibrated_csv(res.rows), folder / "calibrated.csv",
                       suffixes=(".csv",), what="calibrated values")
            write_text(json.dumps(rep, indent=1) + "\n", folder / "calibration.json",
                       suffixes=(".json",), what="calibration report")
        except SilkwayError as exc:
            raise _fail(exc) from None
    if chart is not None:
        cal.chart(rep, str(chart))
    if as_json:
        sys.stdout.write(json.dumps(rep) + "\n")
        return
    t = Table(title="Transit days vs published observations (P50 within range, MdAPE)",
              title_justify="left")
    # Short headers and a group column as wide as its longest entry: the table fits 80 columns.
    t.add_column("split", no_wrap=True)
    t.add_column("group", no_wrap=True)
    for col in ("n", "within % prior", "within % calib.", "MdAPE % prior", "MdAPE % calib."):
        t.add_column(col, justify="right", min_width=1 if col == "n" else 6)
    b, a = rep["before"], rep["after"]

    def num(v: float | None) -> str:
        return "—" if v is None else str(v)

    def row(split: str, group: str, x: dict[str, Any], y: dict[str, Any]) -> None:
        t.add_row(split, group, str(y["n"]), num(x["within_pct"]), num(y["within_pct"]),
                  num(x["mdape_pct"]), num(y["mdape_pct"]))

    for split in ("test", "train", "all", "planned"):
        row(split, "all", b[split], a[split])
    for kind in ("corridor", "mode", "service", "kind"):
        t.add_section()
        t.add_row("test", f"[bold]by {kind}[/]", *[""] * 5)
        for k, y in a[f"test_by_{kind}"].items():
            row("", escape(k), b[f"test_by_{kind}"][k], y)
    out.print(t)
    if cases:
        c = Table(title="Observations", title_justify="left")
        for col in ("id", "split", "service", "published", "P50 prior", "P50 calibrated",
                    "route"):
            c.add_column(col)
        for x in rep["cases"]:
            pub = f"{x['low']:g}" + (f"-{x['high']:g}" if x["high"] != x["low"] else "")
            c.add_row(x["id"], x["split"], x["service"], pub, str(x["p50_before"]),
                      f"{x['p50']}{'' if x['within'] else ' *'}",
                      str(x["route"]) if x["route"] is not None
                      else f"unmatched: {x['unmatched']}")
        out.print(c)
    dist = rep["distances"]
    d = Table(title=f"Route km vs published distances (within ±"
                    f"{100 * dist['rule']['tolerance']:g} %, MdAPE; not fitted)",
              title_justify="left")
    d.add_column("group", no_wrap=True)
    for col in ("n", "unmatched", "within %", "MdAPE %"):
        d.add_column(col, justify="right")

    def drow(group: str, x: dict[str, Any]) -> None:
        d.add_row(group, str(x["n"]), str(x["unmatched"]), num(x["within_pct"]),
                  num(x["mdape_pct"]))

    drow("all", dist["all"])
    d.add_section()
    for k, x in dist["by_corridor"].items():
        drow(escape(k), x)
    out.print(d)
    if cases:
        k = Table(title="Distance observations", title_justify="left")
        for col in ("id", "kind", "published km", "route km", "error %", "route"):
            k.add_column(col)
        for x in dist["cases"]:
            pub = (f"{x['low_km']:,.0f}" + (f"-{x['high_km']:,.0f}" if x["high_km"] != x["low_km"]
                                            else "") + {"at_least": "+", "at_most": "-"}.get(
                x["bound"], ""))
            k.add_row(x["id"], x["kind"], pub,
                      "—" if x["km"] is None else f"{x['km']:,.0f}{'' if x['within'] else ' *'}",
                      num(x["ape"]), str(x["route"]) if x["route"] is not None
                      else f"unmatched: {x['unmatched']}")
        out.print(k)
    nohub = sum(isinstance(why, cal.NotAHub) for _, why in res.skipped)
    out.print(f"[dim]Within range: P50 inside the published range widened by "
              f"{100 * cal.TOLERANCE:g} % each side; held out: {100 * cal.TEST_SHARE:g} % of "
              f"observations by hash of their id; planned figures are not fitted. "
              f"{len(res.skipped)} observations are not scored ({nohub} name places that "
              f"are not hubs; --json lists each with why). "
              f"Calibrated values: {len(res.rows)} rows, fitted {rep['fitted_on']}. Route km: "
              f"the route the case rule picks, against the published figure widened by "
              f"{100 * dist['rule']['tolerance']:g} %; {len(dist['skipped'])} distance "
              f"observations name places that are not hubs.[/]")


def _calibrate_cv(net: Any, as_json: bool) -> None:
    """Print the cross-validation of the candidate service-class structures."""
    from silkway.analysis import calibrate as cal
    from silkway.analysis import calibrate_cv as cv
    from silkway.analysis.calibrate_fit import SERVICE_STRUCTURE
    from silkway.data.observations import load_observations
    from silkway.data.tables import load_tables
    from silkway.network.model import reassemble

    try:
        with _bar("cross-validate", "structures") as tick:
            prior = reassemble(net, load_tables(calibrated=False))
            cases, _ = cal.cases_from(load_observations(), prior)
            scores = cv.compare_structures(prior, cases, progress=tick)
    except SilkwayError as exc:
        raise _fail(exc) from None
    chosen = cv.choose(scores)
    if as_json:
        sys.stdout.write(json.dumps({"folds": cv.FOLDS, "fold_salt": cv.FOLD_SALT,
                                     "tie": cv.TIE, "chosen": chosen,
                                     "shipped": SERVICE_STRUCTURE,
                                     "candidates": [s.as_dict() for s in scores]}) + "\n")
        return
    t = Table(title=f"{cv.FOLDS}-fold cross-validation on the training split: where the "
                    "first-run effect acts", title_justify="left")
    # two-line headers: the table fits 80 columns with every name whole (no "facto…")
    for col in ("structure", "factors", "loss", "within\n%", "MdAPE\n%", "FR\nwithin\n%",
                "FR\nMdAPE\n%"):
        t.add_column(col, justify="left" if col == "structure" else "right", no_wrap=True)
    for s in scores:
        fr = s.by_service.get("first-run", (0, float("nan"), float("nan")))
        t.add_row(s.structure + (" *" if s.structure == chosen else ""), str(cv.size(s.structure)),
                  f"{s.loss:.3f}", f"{s.within_pct:.1f}", f"{s.mdape_pct:.1f}", f"{fr[1]:.1f}",
                  f"{fr[2]:.1f}")
    out.print(t)
    n = scores[0].n if scores else 0
    out.print(f"[dim]{n} training observations with a route (FR: the first-run ones). Loss: "
              f"mean out-of-fold soft-L1 of the residual; chosen (*): the lowest, or one with "
              f"fewer factors within "
              f"{100 * cv.TIE:g} % of it. Shipped: "
              f"{SERVICE_STRUCTURE}. Held-out observations are not read.[/]")
