"""What tests read out of a PDF/A file."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pypdf

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def identification(reader: pypdf.PdfReader) -> dict[str, str]:
    """The PDF/A part and conformance its XMP metadata declares, e.g. {"part": "3",
    "conformance": "B"}, whether written as attributes or as elements (both are RDF)."""
    xmp = ET.fromstring(reader.xmp_metadata.stream.get_data())
    found = {}
    for description in xmp.iter(f"{_RDF}Description"):
        pairs = [*description.attrib.items(), *((child.tag, child.text) for child in description)]
        found.update({key.removeprefix(_PDFAID): value for key, value in pairs if key.startswith(_PDFAID)})
    return found
