"""Stage 5, export: a briefing to a Word file in the house style, with footnotes."""
