"""The API docs page (/docs) in a real browser, offline and under the API's CSP.

Every request the page makes to another host is refused and recorded; the page must still show
Swagger UI with silkway's operations, and the browser must report no CSP violation. Drives
Debian's Chromium like tests/test_web.py; skipped where it is missing (never under CI).
"""

# ruff: noqa: N802  (named after the issue item: S5)

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    os.environ.get("CI", "").lower() != "true" and not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM} (apt install chromium); CI installs it and runs this test")


@pytest.fixture(scope="module")
def base_url(net, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from silkway.api.app import create_app

    db = tmp_path_factory.mktemp("docs") / "silkway.db"
    app = create_app(network=net, cache_dir=cache_dir, database_url=f"sqlite:///{db}")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_S5_docs_render_offline_under_the_csp(base_url):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    console: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith(base_url) or r.request.url.startswith("data:"):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.goto(base_url + "/docs")
            page.wait_for_selector(".opblock", timeout=20_000)
            operations = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    assert outside == []
    assert not [c for c in console if "Content Security Policy" in c], console
    assert any("/api/v1/plan" in op for op in operations), operations
