"""The web page in a real browser: plan Toyama -> Bishkek avoiding Russia, check the map, table,
charts and legs, save the plan, reload its share link and find the same routes.

Drives Debian's Chromium (``/usr/bin/chromium``) with the ``playwright`` package; no browser is
downloaded. Under ``CI=true`` the test never skips (CI installs chromium); elsewhere it skips only
when that browser is missing. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}

pytestmark = pytest.mark.skipif(
    os.environ.get("CI", "").lower() != "true" and not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM} (apt install chromium); CI installs it and runs this test")


@pytest.fixture(scope="module")
def server(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn on a free 127.0.0.1 port, in a background thread."""
    import uvicorn

    from silkway.api.app import create_app

    db = tmp_path_factory.mktemp("web") / "plans.db"
    app = create_app(cache_dir=cache_dir, database_url=f"sqlite:///{db}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="silkway-web-test")
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A fresh page at ``url``, once the hubs, scenarios and basemap have loaded."""
    page = browser.new_page(viewport=VIEWPORT)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    return page, problems


def _routes(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#routes tbody .route-label").all_inner_texts()]


def test_plan_save_and_reopen_share_link(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page, problems = _open(browser, server + "/")
    assert page.locator("#map-svg path.country").count() > 100, "basemap not drawn"
    assert page.locator("#hub-list option").count() > 100, "hub autocomplete not filled"
    assert page.locator("#scenario option").count() > 1, "scenario picker not filled"

    page.fill("#origin", "Toyama")
    page.fill("#destination", "Bishkek")
    assert "JPTOY" in page.inner_text("#origin-hint")
    for box in page.locator('input[name="avoid"]').all():
        box.uncheck()
    page.check("#avoid-RU")
    page.fill("#deadline", "30")
    page.evaluate("""() => {
        const el = document.getElementById("loading");
        window.sawLoading = false;
        new MutationObserver(() => { if (!el.hidden) window.sawLoading = true; })
            .observe(el, {attributes: true});
    }""")
    page.click("#plan")

    page.wait_for_selector("#routes tbody tr")
    page.wait_for_selector("#map-svg .route path.leg")
    assert page.is_hidden("#error")
    assert page.evaluate("window.sawLoading"), "no loading indicator while planning"
    assert page.is_hidden("#loading")
    routes = _routes(page)
    assert routes and all(routes)
    countries = page.locator("#routes tbody td.countries .ctry").all_inner_texts()
    assert "JP" in countries and "KG" in countries and "RU" not in countries
    assert page.locator("#map-svg path.country.avoided").count() >= 1  # Russia hatched
    legs = page.locator("#map-svg .route.sel path.leg:not(.casing)")
    assert legs.count() >= 2
    assert {legs.nth(i).get_attribute("stroke") for i in range(legs.count())} >= {"#1f6fd1"}  # sea, blue
    assert page.locator("#pareto .pt").count() == len(routes)
    assert page.locator("#histogram rect.bar").count() > 5
    assert page.locator("#legs tbody tr").count() >= 2
    header = page.locator("#routes thead th").all_inner_texts()
    assert any("ON TIME" in h.upper() for h in header)
    assert re.search(r"\d+%", page.inner_text("#routes tbody tr:first-child"))
    page.screenshot(path=str(ARTIFACTS / "web-plan.png"))

    if len(routes) > 1:  # selecting a route highlights it everywhere
        page.click("#routes tbody tr:nth-child(2)")
        assert "sel" in (page.get_attribute("#routes tbody tr:nth-child(2)", "class") or "")
        assert page.inner_text("#legs-title").startswith("Route 2")
        assert page.locator('#pareto .pt.sel[data-route="1"]').count() == 1
        assert page.locator('#map-svg .route.sel[data-route="1"]').count() == 1
        page.click("#routes tbody tr:nth-child(1)")

    page.click("#save")
    page.wait_for_selector("#share:not([hidden])")
    share = page.get_attribute("#share-url", "href")
    assert share is not None and re.fullmatch(re.escape(server) + r"/p/[A-Za-z0-9_-]+", share)
    assert page.url == share  # pushed to the address bar

    page.reload()
    page.wait_for_selector("#routes tbody tr")
    page.wait_for_selector("#map-svg .route path.leg")
    assert _routes(page) == routes
    assert page.input_value("#origin").startswith("Toyama")
    assert page.is_checked("#avoid-RU") and page.input_value("#deadline") == "30"
    assert page.is_visible("#share")
    assert page.locator("#map-svg .route").count() == len(routes)
    page.screenshot(path=str(ARTIFACTS / "web-shared.png"))
    page.screenshot(path=str(ARTIFACTS / "web-shared-full.png"), full_page=True)
    assert problems == []
    page.close()


def test_errors_show_the_api_detail(server: str, browser: Any) -> None:
    page, _ = _open(browser, server + "/")
    page.fill("#origin", "Atlantis")
    page.fill("#destination", "Bishkek")
    page.click("#plan")
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error")
    assert "Atlantis" in text and "did you mean" in text
    assert page.is_hidden("#loading") and page.is_enabled("#plan")

    page.goto(server + "/p/no-such-plan")
    page.wait_for_selector("#error:not([hidden])")
    assert "no-such-plan" in page.inner_text("#error")
    page.screenshot(path=str(ARTIFACTS / "web-error.png"))
    page.close()


def test_an_error_after_a_plan_says_the_plan_shown_is_the_previous_one(server: str,
                                                                      browser: Any) -> None:
    """After Toyama -> Bishkek, planning Bishkk -> Bishkek showed the error beside the old
    plan, its title and a Save button, with the form asking for another trip: the error now
    says the plan is the previous one."""
    page, problems = _open(browser, server + "/")
    page.fill("#origin", "Toyama")
    page.fill("#destination", "Bishkek")
    page.click("#plan")
    page.wait_for_selector("#routes tbody tr")
    page.fill("#origin", "Bishkk")
    page.click("#plan")
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error-detail")
    assert "Bishkk" in text
    assert "still the previous one, Toyama → Bishkek" in text, text
    page.fill("#origin", "Osaka")
    page.click("#plan")  # a plan that works hides the error with the old plan
    page.wait_for_function("() => document.querySelector('#error').hidden")
    page.wait_for_function("() => document.querySelector('#plan-title').textContent"
                           ".startsWith('Osaka')")
    page.close()
    # the unknown place's 404 is logged by the browser as a failed load: only script errors count
    assert not [p for p in problems if p.startswith("page error")], problems


def test_a_malformed_share_link_is_an_error_not_a_broken_page(server: str, browser: Any) -> None:
    """``/p/%E0%A4%A`` (a cut %-escape) threw in decodeURIComponent and stopped the start-up."""
    page, problems = _open(browser, server + "/p/%E0%A4%A")
    page.wait_for_selector("#error:not([hidden])")
    assert not [p for p in problems if p.startswith("page error")], problems
    assert page.is_enabled("#plan")
    page.close()


WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def _no_sideways_scroll(page: Any, where: str) -> None:
    over = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert over <= 0, f"{where}: the page scrolls sideways by {over} px"


def _plan(browser: Any, server: str, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport=viewport, accept_downloads=True)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.fill("#origin", "Toyama")
    page.fill("#destination", "Bishkek")
    page.fill("#avoid-search", "Armenia")
    page.press("#avoid-search", "Enter")
    assert page.is_checked("#avoid-AM"), "a country found by search is not avoided"
    page.fill("#deadline", "30")
    page.click("#plan")
    page.wait_for_selector("#routes tbody tr")
    return page, problems


@pytest.mark.parametrize("size", list(WIDTHS))
def test_every_view_at_desktop_and_phone_width(server: str, browser: Any, size: str) -> None:
    import json

    ARTIFACTS.mkdir(exist_ok=True)
    page, problems = _plan(browser, server, WIDTHS[size])
    shot = lambda name: page.screenshot(path=str(ARTIFACTS / f"web-{name}-{size}.png"), full_page=True)  # noqa: E731

    # routes: the CLI's rounding, units as written, labels on the map
    cli = page.request.post(server + "/api/v1/plan?format=table", data={
        "origin": "JPTOY", "destination": "KGFRU", "avoid": ["RU", "AM"], "deadline_days": 30}).json()
    first = page.locator("#routes tbody tr:first-child td").all_inner_texts()
    assert cli["rows"][0]["p90"] in first and cli["rows"][0]["cost"] in first
    headers = " ".join(page.locator("#routes thead th").all_inner_texts())
    assert "t CO₂e" in headers and "T CO₂E" not in headers
    ticks = page.locator("#pareto .tick").all_text_contents()
    assert ticks and not any(t.endswith("k") for t in ticks)
    assert "door" not in page.inner_text("body").lower()
    assert page.locator("#map-svg .country-label:not([display])").count() >= 2, "no country names on the map"
    _no_sideways_scroll(page, "routes")
    shot("routes")
    hubs_before = page.locator("#map-svg .hub-label:not([display])").count()
    for _ in range(3):
        page.click("#zoom-in")
    hubs_after = page.locator("#map-svg .hub-label:not([display])").count()
    assert hubs_after > hubs_before, "zooming in shows no hub names"
    page.locator("#map").screenshot(path=str(ARTIFACTS / f"web-map-zoomed-{size}.png"))
    page.click("#zoom-fit")

    # export menu: GeoJSON in lon/lat
    page.click("#export")
    with page.expect_download() as dl:
        page.click('#export-menu button[data-export="geojson"]')
    fc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    west, south, east, north = fc["bbox"]
    assert 69 < west < 76 and 136 < east < 142 and 30 < south < north < 48
    page.click("#export")
    with page.expect_download() as dl:
        page.click('#export-menu button[data-export="csv"]')
    assert Path(dl.value.path()).read_text(encoding="utf-8").startswith("route,route_label,leg,")

    # corridors: the plan's corridor list, or a sentence saying it has none
    page.click("#tab-corridors")
    assert page.is_visible("#view-corridors") and page.is_hidden("#view-routes")
    body = page.inner_text("#corridors-body")
    assert body.strip()
    rows = page.locator("#corridors tbody tr")
    for i in range(rows.count()):  # each corridor: its best route with gaps, or why it cannot serve
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert any(re.fullmatch(r"[+-]?[\d,]+\.?\d*", c.strip()) for c in cells[3:]) or \
            rows.nth(i).locator("td.reason").inner_text().strip(), cells
    _no_sideways_scroll(page, "corridors")
    shot("corridors")

    # emissions: the ISO 14083 statement of route 1, printable
    page.click("#tab-emissions")
    page.wait_for_selector("#emissions-table tbody tr")
    text = page.inner_text("#emissions-body")
    assert "ISO 14083" in text and "t CO₂e" in text and "Total" in text
    assert page.locator("#emissions-table tbody tr").count() >= 3
    assert page.is_visible("#emissions-print")
    with page.expect_download() as dl:
        page.click("#emissions-report")
    assert "<html" in Path(dl.value.path()).read_text(encoding="utf-8")
    _no_sideways_scroll(page, "emissions")
    shot("emissions")

    # compare: January departures against the baseline
    page.click("#tab-compare")
    page.select_option("#compare-month", "1")
    page.click("#compare-run")
    page.wait_for_selector("#compare-table tbody tr")
    assert "January" in page.inner_text("#compare-body")
    assert page.locator("#compare-share tbody tr").count() >= 1
    _no_sideways_scroll(page, "compare")
    shot("compare")

    # saved plans: save, list, delete
    page.click("#tab-routes")
    page.click("#save")
    page.wait_for_selector("#share:not([hidden])")
    saved_id = page.get_attribute("#share-url", "href").rsplit("/", 1)[1]
    page.click("#tab-saved")
    row = page.locator(f'#saved tbody tr[data-plan="{saved_id}"]')
    row.wait_for()
    _no_sideways_scroll(page, "saved")
    shot("saved")
    page.once("dialog", lambda d: d.accept())
    row.locator("button.delete").click()
    row.wait_for(state="detached")
    assert page.locator(f'#saved tbody tr[data-plan="{saved_id}"]').count() == 0
    assert problems == []
    page.close()


def test_via_and_corridor_constrain_the_plan_from_the_form(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page, problems = _open(browser, server + "/")
    assert page.locator("#corridor option").count() > 5, "corridor picker not filled"
    page.fill("#origin", "Nagoya")
    page.fill("#destination", "Istanbul")
    for box in page.locator('input[name="avoid"]').all():
        box.uncheck()
    for iso in ("RU", "BY", "IR"):
        if page.locator(f"#avoid-{iso}").count():
            page.check(f"#avoid-{iso}")
    page.select_option("#corridor", "middle-corridor")
    page.click("#plan")
    page.wait_for_selector("#routes tbody tr")
    assert page.is_hidden("#error")
    routes = _routes(page)
    assert routes and all(r.startswith("Middle Corridor") for r in routes), routes
    assert page.is_hidden("#routes-notices")  # no route of the plan passes the Red Sea
    page.select_option("#corridor", "")
    page.click("#plan")
    page.wait_for_selector("#routes-notices .notice")
    note = page.inner_text("#routes-notices")
    sea = [i for i, r in enumerate(_routes(page), 1) if r.startswith("Sea (Suez)")]
    assert sea and f"Route{'s' if len(sea) > 1 else ''} {', '.join(map(str, sea))}" in note, note
    assert "Bab-el-Mandeb: in 2025-H2" in note and "red-sea-closed" in note
    page.click("#tab-corridors")
    assert "passes Bab-el-Mandeb" in page.inner_text('#corridors tr[data-corridor="sea-suez"]')
    assert page.locator('#corridors tr[data-corridor="middle-corridor"] .notice-tag').count() == 0
    # compare with the scenario that closes the passage: the baseline's Suez rows are marked
    page.click("#tab-compare")
    page.select_option("#compare-scenario", "red-sea-closed")
    page.click("#compare-run")
    page.wait_for_selector("#compare-notices .notice")
    note = page.inner_text("#compare-notices")
    assert "go through it: in 2025-H2" in note and "compared here" in note, note
    tagged = page.locator("#compare-table tbody tr:has(.notice-tag) td:first-child").all_inner_texts()
    assert tagged and all("(was: Sea (Suez)" in t and "baseline passes Bab-el-Mandeb" in t
                          for t in tagged), tagged
    page.click("#tab-routes")
    # the emission statement is of the selected route, even when an earlier route has its label
    labels = _routes(page)
    twin = next(i for i, label in enumerate(labels) if labels.index(label) != i)
    for n in (labels.index(labels[twin]), twin):
        cells = page.locator(f"#routes tbody tr:nth-child({n + 1}) td")
        km = cells.locator("xpath=self::*[@data-key='km']").inner_text().strip()
        t_co2e = cells.locator("xpath=self::*[@data-key='co2e']").inner_text().strip()
        page.click(f"#routes tbody tr:nth-child({n + 1})")
        page.click("#tab-emissions")
        page.wait_for_function("n => (document.querySelector('#emissions-body .statement-head')"
                               " || {}).textContent?.includes(`route ${n}:`)", arg=n + 1)
        head = page.inner_text("#emissions-body .statement-head")
        assert f"route {n + 1}: {labels[n]}" in head and f"{km} km)" in head, (head, km)
        assert f"{t_co2e} t CO₂e well-to-wheel" in head, (head, t_co2e)
        page.click("#tab-routes")
    page.fill("#via", "Aktau")
    page.click("#plan")
    page.wait_for_function("() => !document.body.getAttribute('aria-busy') || "
                           "document.body.getAttribute('aria-busy') === 'false'")
    page.wait_for_selector("#routes tbody tr")
    assert all("Aktau" in r or "Middle Corridor" in r for r in _routes(page)), _routes(page)
    page.screenshot(path=str(ARTIFACTS / "web-via-corridor.png"), full_page=True)
    assert not problems, problems


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_capacity_view_assigns_the_example_flows(server: str, browser: Any, size: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page, problems = _open(browser, server + "/")
    if size == "phone":
        page.set_viewport_size({"width": 390, "height": 844})
    page.click("#tab-capacity")
    assert page.locator("#assign-scenario option").count() > 1
    page.click("#assign-run")
    page.wait_for_selector("#capacity tbody tr", timeout=120_000)
    rows = page.locator("#capacity tbody tr")
    assert rows.count() >= 10
    assert page.locator("#capacity tbody tr.binding").count() >= 1  # a positive shadow price
    assert page.locator("#capacity-shares li").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(ARTIFACTS / f"web-capacity-{size}.png"), full_page=True)
    assert not problems, problems


def test_the_leg_table_fits_a_desktop_page(server: str, browser: Any) -> None:
    # Nagoya - Istanbul's route 1 has 22 legs with long hub ids (KZ-SAKSAULSKAYA): at 1440 px
    # the leg-by-leg table shows every column without a scrollbar of its own
    page = browser.new_page(viewport=WIDTHS["desktop"])
    page.goto(server + "/#origin=Nagoya&destination=Istanbul&avoid=RU,BY,IR")
    page.wait_for_selector("#legs tbody tr")
    assert page.locator("#legs tbody tr").count() >= 15
    wrap = page.locator("#legs").locator("xpath=ancestor::*[contains(@class,'table-wrap')][1]")
    over = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    assert over <= 0, f"the leg table scrolls sideways by {over} px at 1440 px"
    _no_sideways_scroll(page, "legs")
    page.close()


def test_a_link_with_the_query_in_its_fragment_plans_it(server: str, browser: Any) -> None:
    """``/#origin=…&destination=…`` fills the form and plans; every plan puts its own link in the
    address bar, and that link plans the same routes on a fresh page."""
    page, problems = _open(browser, server + "/#origin=Nagoya&destination=Istanbul"
                           "&avoid=RU,BY,IR&corridor=middle-corridor")
    page.wait_for_selector("#routes tbody tr")
    assert page.is_hidden("#error")
    routes = _routes(page)
    assert routes and all(r.startswith("Middle Corridor") for r in routes), routes
    assert page.input_value("#origin").startswith("Nagoya")
    assert all(page.is_checked(f"#avoid-{c}") for c in ("RU", "BY", "IR"))
    assert not page.is_checked("#avoid-KZ")
    assert page.input_value("#corridor") == "middle-corridor"
    link = page.url
    assert "origin=JPNGO" in link and "destination=TRIST" in link and "avoid=RU,BY,IR" in link

    page.fill("#max-routes", "3")  # a plan from the form writes its own link
    page.select_option("#corridor", "")
    page.click("#plan")
    page.wait_for_function("u => location.href !== u", arg=link)
    page.wait_for_selector("#routes tbody tr")
    assert "max_routes=3" in page.url and "corridor=" not in page.url
    again, _ = _open(browser, page.url)
    again.wait_for_selector("#routes tbody tr")
    page.wait_for_function("() => document.body.getAttribute('aria-busy') !== 'true'")
    assert _routes(again) == _routes(page) and len(_routes(again)) <= 3
    again.close()

    page.goto(server + "/#origin=Nagoya&destination=Istanbul&avoid=RU,X1&month=13&colour=red")
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error")
    assert "'colour'" in text and "'13'" in text and "'X1'" in text, text
    assert page.locator("#routes tbody tr").count() == 0  # a wrong link does not plan
    page.goto(server + "/#origin=%E0%A4%A&destination=Istanbul&origin=Kars")  # a cut %-escape
    page.wait_for_function("() => document.querySelector('#error-detail').textContent"
                           ".includes('2 times')")
    assert "'origin' 2 times" in page.inner_text("#error")
    assert not problems, problems
    page.close()


@pytest.mark.parametrize(("kind", "media"), [("geojson", "application/geo+json"),
                                             ("csv", "text/csv"), ("json", "application/json")])
def test_each_export_sends_only_what_its_format_shows(server: str, browser: Any, kind: str,
                                                      media: str) -> None:
    """The page asked every format for the form's ``geometry`` and ``histogram`` (the table and
    the CSV export too), which the API now refuses where the format cannot show them: each
    export (and the routes table the page shows) is sent only what it shows, is answered 200
    with its media type and downloads what it says."""
    import csv
    import io
    import json

    page, problems = _open(browser, server + "/#origin=Aktau&destination=Baku&deadline_days=5")
    page.wait_for_selector("#routes tbody tr")
    assert page.is_hidden("#error")
    page.click("#export")
    with page.expect_response(lambda r: f"/plan?format={kind}" in r.url) as answer, \
            page.expect_download() as dl:
        page.click(f'#export-menu button[data-export="{kind}"]')
    r = answer.value
    sent = json.loads(r.request.post_data or "{}")
    assert r.status == 200, r.text()
    assert r.headers["content-type"].split(";")[0] == media
    assert ("geometry" in sent) == (kind == "json") and sent["histogram"] is True
    assert sent["deadline_days"] == 5
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert dl.value.suggested_filename == f"silkway-KZAAU-AZBAK.{kind}"
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows[0]["route"] == "1" and rows[0]["route_histogram_counts"]
        assert 0 <= float(rows[0]["route_on_time_probability"]) <= 1
    elif kind == "geojson":
        fc = json.loads(text)
        assert fc["features"][0]["geometry"]["type"] == "LineString"
        assert fc["features"][0]["properties"]["route_histogram_counts"]
    else:
        plan = json.loads(text)
        days = plan["routes"][0]["transit_days"]
        assert plan["routes"][0]["legs"][0]["geometry"] and days["histogram"]["counts"]
    # the routes table the page shows came from the table format, asked without the two
    again = page.request.post(server + "/api/v1/plan?format=table", data={
        "origin": "Aktau", "destination": "Baku", "histogram": True})
    assert again.status == 422 and "histogram" in again.json()["detail"]
    assert page.locator("#routes tbody tr").count() >= 1 and page.is_hidden("#error")
    assert problems == []
    page.close()


def test_a_saved_plan_without_geometry_exports_as_geojson(server: str, browser: Any) -> None:
    """A plan saved through the API with ``geometry: false`` opens with that request: its
    GeoJSON export (whose Features are the geometry) must not send it, or it is refused."""
    import json

    saved = _open(browser, server + "/")[0]
    made = saved.request.post(server + "/api/v1/plans", data={
        "request": {"origin": "Aktau", "destination": "Baku", "geometry": False}}).json()
    saved.close()
    page, problems = _open(browser, server + made["url"])
    page.wait_for_selector("#routes tbody tr")
    assert page.is_hidden("#error")
    page.click("#export")
    with page.expect_response(lambda r: "/plan?format=geojson" in r.url) as answer, \
            page.expect_download() as dl:
        page.click('#export-menu button[data-export="geojson"]')
    assert answer.value.status == 200 and "geometry" not in json.loads(
        answer.value.request.post_data or "{}")
    fc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert fc["features"][0]["geometry"]["type"] == "LineString"
    assert problems == []
    page.close()


def test_a_fragment_on_a_share_link_is_reported_not_dropped(server: str, browser: Any) -> None:
    """``/p/ID#avoid=KZ``: the saved plan is shown as saved and the page says the fragment was not
    applied (it was dropped without a word); every request the page makes stays on the server."""
    from urllib.parse import urlsplit

    first = _open(browser, server + "/")[0]
    made = first.request.post(server + "/api/v1/plans", data={
        "request": {"origin": "Aktau", "destination": "Baku"}}).json()
    first.close()
    page = browser.new_page(viewport=VIEWPORT)
    origins: set[str] = set()
    page.on("request", lambda r: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(r.url)))
            if not r.url.startswith("data:") else None)
    page.goto(server + made["url"] + "#origin=Nagoya&avoid=KZ")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#routes tbody tr")
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error")
    assert "ignored" in text and "#origin=Nagoya&avoid=KZ" in text and "/#origin=" in text, text
    assert page.input_value("#origin").startswith("Aktau")  # the plan as saved
    page.evaluate("() => { location.hash = 'avoid=AZ'; }")  # a fragment added later: said too
    page.wait_for_function("() => document.querySelector('#error-detail').textContent"
                           ".includes('#avoid=AZ')")
    assert origins == {server}, origins
    page.close()


def test_controls_are_big_enough_to_tap_on_a_phone(server: str, browser: Any) -> None:
    """At 390 px the country, mode and passage chips were 22 px high and the zoom buttons 28 px:
    every control of the form, the tabs and the map is at least 40 px high and the page does
    not scroll sideways."""
    page = browser.new_page(viewport=WIDTHS["phone"])
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]")
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.chip span, .zoom button, #swap, .tabs button, .topbar .btn, #plan')]
        .map(el => [el.closest('label')?.title || el.id || el.textContent.trim(),
                    Math.round(el.getBoundingClientRect().height)])
        .filter(([, h]) => h > 0 && h < 40)""")
    assert small == [], small
    _no_sideways_scroll(page, "phone form")
    page.screenshot(path=str(ARTIFACTS / "web-phone-form.png"))
    page.close()
