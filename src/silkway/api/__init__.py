"""HTTP API (FastAPI) and storage of saved work."""
