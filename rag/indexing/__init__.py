"""Stage 2, the library and its index: the SQLite store (the truth, with the FTS5 keyword
index), the Chroma vector index, and the Library that imports into both."""
