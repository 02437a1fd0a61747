"""Icons from the one SVG sprite in static/img/icons.svg (no icon font, no CDN)."""

from __future__ import annotations

import htpy
from htpy import Element

from templates.assets import asset_url

# htpy makes an element of any name; SVG's <use> is not among its named exports.
_use = htpy.__getattr__("use")


def icon(name: str, *, small: bool = False) -> Element:
    """The icon `name`, hidden from screen readers: the text next to it (or the accessible
    name of its button) says what it means."""
    return htpy.svg(
        class_="icon icon-s" if small else "icon",
        aria_hidden="true",
        focusable="false",
        width=18 if small else 22,
        height=18 if small else 22,
    )[_use(href=f"{asset_url('img/icons.svg')}#{name}")]
