"""Analysis on top of routing: transit-time simulation and plan assembly."""
