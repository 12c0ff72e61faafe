"""publiccode.yml against the rules of the standard (core 0.4, Italian extension 1.0).

The official validator (italia/publiccode-parser-go) needs Go ≥ 1.21, which this machine's
Debian does not have; these are its checks for the keys we use. Run the official parser
before publishing (see the comment at the top of publiccode.yml).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# From publiccode-parser-go's validators (categories, statuses, software types, scopes).
CATEGORIES = {"collaboration", "web-collaboration", "project-collaboration", "document-management"}
DEVELOPMENT_STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                  "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
SCOPES = {"welfare", "local-authorities", "society", "government"}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}


def load() -> dict:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text())


def test_core_fields():
    data = load()
    assert data["publiccodeYmlVersion"] == "0.4"
    assert data["name"] == "Tavolo"
    assert re.match(r"https://", data["url"])
    date.fromisoformat(data["releaseDate"])
    assert data["platforms"] == ["web"]
    assert set(data["categories"]) <= CATEGORIES
    assert data["developmentStatus"] in DEVELOPMENT_STATUSES
    assert data["softwareType"] in SOFTWARE_TYPES
    assert set(data["intendedAudience"]["scope"]) <= SCOPES
    assert data["maintenance"]["type"] in MAINTENANCE_TYPES
    assert all("name" in contact for contact in data["maintenance"]["contacts"])


def test_descriptions_in_both_languages_within_limits():
    data = load()
    assert set(data["description"]) == {"it", "en"}
    for description in data["description"].values():
        assert len(description["shortDescription"]) <= 150
        assert 150 <= len(description["longDescription"]) <= 10000
        assert description["features"] and all(len(f) <= 100 for f in description["features"])
    assert data["localisation"]["availableLanguages"] == ["it", "en"]


def test_licence_matches_the_licence_file():
    assert load()["legal"]["license"] == "EUPL-1.2"
    text = (ROOT / "LICENSE").read_text()
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in text
