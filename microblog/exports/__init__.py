"""The export of one's posts (a background task mailed as posts.json) and its progress."""
