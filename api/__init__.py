"""cryptokg's FastAPI application: JSON API under /api/v1 and the web UI."""
