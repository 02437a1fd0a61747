"""Work that is not a view: avatars, and later search, translation, email and jobs."""
