"""Hostile inputs, round 11. Each test's docstring says what the input did before the fix.

CLI cases run in-process (typer's CliRunner) with the checks of the earlier rounds: exit code,
one line on stderr, nothing on stdout, no traceback.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def r11_client(net, cache_dir, tmp_path_factory):
    from api_clients import token_client

    return token_client(net, cache_dir, tmp_path_factory, "r11", "r11-token")


PLAN = {"origin": "Aktau", "destination": "Baku"}


# -- 1. one Accept parser ---------------------------------------------------------------------

@pytest.mark.parametrize(("path", "accept", "media"), [
    ("/api/v1/plan", "text/*", "text/csv"),
    ("/api/v1/plan", "text/*;q=0.9, application/json;q=0.5", "text/csv"),
    ("/api/v1/plan", "text/csv;q=0, text/*", "application/json"),  # not CSV: nothing else text/
    ("/api/v1/plan", "text/csv; q= 0.5, application/json;q=0.4", "text/csv"),
    ("/api/v1/plan", "application/*", "application/json"),
    ("/api/v1/plan", "text/csv;q=0, */*", "application/json"),
    ("/api/v1/plan", "application/problem+json, application/json", "application/json"),
    ("/api/emissions", "text/*", "text/html"),
])
def test_a_wildcard_subtype_is_answered_with_the_type_it_names(r11_client, path, accept, media):
    """``Accept: text/*`` on ``/api/plan`` passed the 406 check (which read wildcards) and was
    then answered ``application/json`` (the format chooser read only whole types): two parsers
    of one header disagreed."""
    r = r11_client.post(path, json=PLAN, headers={"Accept": accept})
    if accept == "text/csv;q=0, text/*":
        assert r.status_code == 406, r.text
        return
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media), (accept, r.headers)


def test_problem_json_alone_is_not_acceptable_for_a_plan(r11_client):
    """``Accept: application/problem+json`` (only) was answered 200 with ``application/json``:
    a client that asked for errors only was sent a plan under a type it had not accepted."""
    r = r11_client.post("/api/plan", json=PLAN, headers={"Accept": "application/problem+json"})
    assert r.status_code == 406, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"].startswith("the Accept header names no type this endpoint serves")


def test_the_two_accept_readers_are_one():
    from silkway.api import app, security

    for accept in ("text/csv;q= 0.5", "text/csv ;q = 0", "text/csv;q=2", "text/csv;q=-1",
                   "TEXT/CSV", "text/csv;q=nonsense", "image/png", ""):
        media = security.preferred(accept, security.serves("/api/plan")[:-1])
        refused = security.unacceptable(accept, "/api/plan") is not None
        assert refused == (media is None), accept
        if media is not None:
            assert app.negotiate(accept) == app._ACCEPT[media], accept
