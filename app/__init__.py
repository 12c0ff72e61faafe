"""Tavolo's web application: FastAPI wiring, pages, HTTP API and authentication."""
