"""Multi-criteria route search over the corridor network."""
