"""A post's own page, and changing or deleting one's own posts (the blueprint is in routes.py)."""
