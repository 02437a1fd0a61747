"""Identicons: a symmetric 5x5 pattern in one colour, drawn from a hash of the user id.

Served by the app itself, so no third party learns who looks at which profile or which email
addresses users have, and avatars work offline.
"""

from __future__ import annotations

import hashlib

GRID = 5
CELL = 10


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
