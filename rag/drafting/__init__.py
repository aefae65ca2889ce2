"""Stage 4, drafting: from a template and a topic to a cited briefing, claim by claim, with
the checker's verdict on each."""
