"""The compiled corridor network: hubs and legs with real distances, cached by content hash."""
