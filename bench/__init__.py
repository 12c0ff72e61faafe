"""Tavolo's workshop-scale benchmark (issue 6): `python -m bench --help`.

It starts its own `tavolo serve` on a fresh database, provisions a process, a meeting and
its people through the domain, drives the server with many protocol-v1 connections spread
over several generator processes, and reads the server's CPU and memory from /proc, so the
generator's own cost never counts. See docs/performance.md.
"""
