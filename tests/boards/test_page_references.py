"""boards.exports.page_references: the cached page references are the ones pydyf builds."""

from __future__ import annotations

import pydyf

from boards.exports import page_references


def _add_page(pdf: pydyf.PDF) -> None:
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))


def test_the_cached_references_follow_every_added_page():
    page_references.install()
    page_references.install()
    pdf = pydyf.PDF()
    assert pdf.page_references == ()
    for pages in range(1, 4):
        _add_page(pdf)
        expected = tuple(f"{number} 0 R".encode("ascii") for number in pdf.pages["Kids"][::3])
        assert len(expected) == pages
        assert pdf.page_references == expected
        assert pdf.page_references is pdf.page_references


def test_each_document_has_its_own_references():
    page_references.install()
    first, second = pydyf.PDF(), pydyf.PDF()
    _add_page(first)
    _add_page(first)
    _add_page(second)
    assert len(first.page_references) == 2
    assert len(second.page_references) == 1
