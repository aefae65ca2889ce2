"""Stage 1, reading and import: file readers (one per format, run in an isolated worker
process), chunking into passages, and making source text safe to show a model."""
