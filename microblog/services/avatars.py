"""Avatars: where a user's picture is (AVATAR_PROVIDER: our own identicons, or Gravatar), and
the identicons themselves, a symmetric 5x5 pattern in one colour drawn from a hash of the user
id.

Identicons are served by the app itself, so no third party learns who looks at which profile or
which email addresses users have, and avatars work offline.
"""

from __future__ import annotations

import hashlib

from flask import current_app, url_for

GRAVATAR_HOST = "https://www.gravatar.com"

GRID = 5
CELL = 10


def avatar_url(*, user_id: int, email: str, size: int) -> str:
    """The URL of a user's avatar of `size` pixels, from the configured provider."""
    return provider_avatar_url(
        current_app.config["AVATAR_PROVIDER"],
        identicon=url_for("main.avatar", user_id=user_id),
        email=email,
        size=size,
    )


def provider_avatar_url(provider: str, *, identicon: str, email: str, size: int) -> str:
    """The avatar URL that `provider` gives: Gravatar's for the email address, else ours
    (`identicon`, the URL of the user's identicon on this site)."""
    if provider == "gravatar":
        digest = hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()
        return f"{GRAVATAR_HOST}/avatar/{digest}?d=identicon&s={size}"
    return identicon


def identicon_svg(seed: str) -> str:
    """An SVG identicon; the same seed always gives the same picture."""
    digest = hashlib.sha256(seed.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    # Saturation and lightness keep every colour at least 4.5:1 against the white background.
    colour = f"hsl({hue} 55% 38%)"
    cells = []
    for row in range(GRID):
        for col in range((GRID + 1) // 2):
            if digest[2 + row * 3 + col] % 2:
                mirrored = {col, GRID - 1 - col}
                cells.extend(
                    f'<rect x="{c * CELL + CELL // 2}" y="{row * CELL + CELL // 2}" '
                    f'width="{CELL}" height="{CELL}"/>'
                    for c in sorted(mirrored)
                )
    size = GRID * CELL + CELL
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" fill="#f4f4f5"/>'
        f'<g fill="{colour}" shape-rendering="crispEdges">{"".join(cells)}</g></svg>'
    )
