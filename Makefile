.PHONY: setup demo test

setup:
	scripts/setup

demo: setup
	.venv/bin/tavolo demo
	.venv/bin/tavolo serve

# Two pytest-xdist workers: each makes its own databases, data directory and live servers
# (tests/conftest.py), and Redis tests use channel names of their own. With worksteal a worker
# that is done takes tests from the other's queue, so a long browser test leaves none idle.
test:
	scripts/setup --browser
	.venv/bin/python -m pytest -n 2 --dist worksteal
