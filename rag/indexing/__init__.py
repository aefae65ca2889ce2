"""Stage 2, the library and its index: the Library (import, documents, search) over a storage
backend, the folder backend (the SQLite store as the truth, with the FTS5 keyword index, and
the Chroma vector index), and the store and index themselves. Knows nothing of servers."""
