"""The silkway web page: one static HTML page (map, comparison table, charts) served by the HTTP API.

Everything the page needs is in ``static/`` (plain HTML, CSS and JavaScript, no external URL), so it
works offline; it talks to the API only through ``/api/...``.
"""
