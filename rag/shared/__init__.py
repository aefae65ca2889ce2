"""A library shared by a team on a Chroma server: the storage backend that keeps a Library's
documents on the server, with a local copy for keyword search and drafting."""
