"""Live translation of posts on the web: the Translate button under posts and its view."""
