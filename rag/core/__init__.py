"""Foundations every stage shares: errors, the data types (Document, Passage, Hit, Locator),
settings, where files live, atomic writes and crash points for tests. Imports no other stage."""
