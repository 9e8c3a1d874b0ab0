"""A test client of the API with its own SQLite store and a write token, for the hostile-input
rounds (each module keeps one)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from silkway.api.app import create_app


def token_client(net, cache_dir, tmp_path_factory, name: str, token: str) -> TestClient:
    db = tmp_path_factory.mktemp(name) / "silkway.db"
    return TestClient(create_app(network=net, cache_dir=cache_dir,
                                 database_url=f"sqlite:///{db}", api_token=token),
                      raise_server_exceptions=False)
