"""QR codes of join links, drawn on the server as inline SVG (no script, no image request)."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

# Medium error correction survives a phone camera at an angle on a projected screen.
ERROR_CORRECTION = "m"
# Module size in CSS pixels; the stylesheet lets the image shrink on narrow screens.
SCALE = 4


def qr_svg(url: str, label: str) -> Markup:
    """An `<svg role="img">` of the QR code for `url`, named `label` for screen readers."""
    svg = segno.make(url, error=ERROR_CORRECTION).svg_inline(
        scale=SCALE, dark="#000", light="#fff", svgclass="qr-code", lineclass=None, omitsize=True
    )
    named = Markup('<svg role="img" aria-label="{}" focusable="false" ').format(escape(label))
    return Markup(svg.replace("<svg ", str(named), 1))
