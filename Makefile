.PHONY: setup demo test

setup:
	scripts/setup

demo: setup
	.venv/bin/tavolo demo
	.venv/bin/tavolo serve

test:
	scripts/setup --browser
	.venv/bin/python -m pytest
