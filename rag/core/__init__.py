"""Foundations every stage shares: errors, the data types (Document, Passage, Hit, Locator),
settings, where files live, atomic writes, crash points for tests and the demo's definition.
Imports no other stage."""
