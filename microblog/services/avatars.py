"""Avatars: where a user's picture is (AVATAR_PROVIDER: our own identicons, or Gravatar), and
the identicons themselves: a symmetric 5x5 pattern in two tones of one hue on a pale ground of
that hue.

Identicons are served by the app itself, so no third party learns who looks at which profile or
which email addresses users have, and avatars work offline.

The hue comes from the user id stepped by the golden angle (about 137.5°), so users who joined
one after the other (the first users of a site, say) get hues as far apart as they can be; the
pattern, the cells' shape and the second tone come from a hash of the id. The picture carries
its own pale background, so it reads the same on the light and the dark theme.
"""

from __future__ import annotations

import hashlib

from flask import current_app, url_for

GRAVATAR_HOST = "https://www.gravatar.com"

GRID = 5
CELL = 10
GOLDEN_ANGLE = 137.508
# The shapes a cell may take: a square, a rounded square, a circle.
SHAPES = ("square", "rounded", "circle")


def avatar_url(*, user_id: int, email: str, size: int, provider: str | None = None) -> str:
    """The URL of a user's avatar of `size` pixels, from the user's choice of `provider`
    ("local" or "gravatar"), else from the configured one (AVATAR_PROVIDER)."""
    return provider_avatar_url(
        provider or current_app.config["AVATAR_PROVIDER"],
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


def identicon_hue(user_id: int) -> int:
    """The hue (0-359) of a user's identicon."""
    return round((user_id * GOLDEN_ANGLE) % 360)


def _cell(shape: str, x: int, y: int, fill: str) -> str:
    if shape == "circle":
        r = CELL // 2
        return f'<circle cx="{x + r}" cy="{y + r}" r="{r}" fill="{fill}"/>'
    radius = ' rx="3"' if shape == "rounded" else ""
    return f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}"{radius} fill="{fill}"/>'


def identicon_svg(user_id: int) -> str:
    """An SVG identicon; the same user always gets the same picture."""
    digest = hashlib.sha256(f"user:{user_id}".encode()).digest()
    hue = identicon_hue(user_id)
    # Dark enough to stand out 4.5:1 and more from the pale ground.
    ink = f"hsl({hue} 70% 32%)"
    accent = f"hsl({(hue + 40 + digest[0] % 40) % 360} 75% 45%)"
    ground = f"hsl({hue} 80% 92%)"
    shape = SHAPES[digest[1] % len(SHAPES)]
    margin = 12
    cells = []
    for row in range(GRID):
        for col in range((GRID + 1) // 2):
            bits = digest[2 + row * 3 + col]
            if bits % 2:
                fill = accent if bits % 7 == 0 else ink
                for c in sorted({col, GRID - 1 - col}):
                    cells.append(_cell(shape, margin + c * CELL, margin + row * CELL, fill))
    size = GRID * CELL + 2 * margin
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" fill="{ground}"/>'
        f"{''.join(cells)}</svg>"
    )
