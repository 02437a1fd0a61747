"""htpy components: pure functions from already-loaded data to HTML. No database access here."""
