"""A library shared by a team on a Chroma server: the same Library API over records on the
server, with a local copy for keyword search and drafting."""
