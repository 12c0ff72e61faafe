"""What tests read out of a PDF/A file: the standards its XMP metadata declares."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pypdf

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
_PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"


def _properties(reader: pypdf.PdfReader, namespace: str) -> dict[str, str]:
    """The XMP properties of `namespace`, whether written as attributes or as elements (both
    are RDF)."""
    xmp = ET.fromstring(reader.xmp_metadata.stream.get_data())
    found = {}
    for description in xmp.iter(f"{_RDF}Description"):
        pairs = [*description.attrib.items(), *((child.tag, child.text) for child in description)]
        found.update({key.removeprefix(namespace): value for key, value in pairs if key.startswith(namespace)})
    return found


def identification(reader: pypdf.PdfReader) -> dict[str, str]:
    """The PDF/A part and conformance declared, e.g. {"part": "3", "conformance": "B"}."""
    return _properties(reader, _PDFAID)


def accessibility(reader: pypdf.PdfReader) -> dict[str, str]:
    """The PDF/UA part declared, e.g. {"part": "1"}; {} for none."""
    return _properties(reader, _PDFUAID)
