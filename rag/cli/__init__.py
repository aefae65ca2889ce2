"""The command line: a client of rag's public API, like the desktop app."""
