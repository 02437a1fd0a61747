"""Icons from the one SVG sprite in static/img/icons.svg (no icon font, no CDN)."""

from __future__ import annotations

import htpy
from htpy import Element, span

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


def icon_label(name: str, text: str, *, show_text: bool = False) -> list[Element]:
    """The inside of an icon button (a post's Edit, Delete, Translate, …): the icon, and its
    text as the button's accessible name; shown beside the icon, or to screen readers only."""
    return [
        icon(name, small=True),
        span(".action-label" if show_text else ".visually-hidden")[text],
    ]
