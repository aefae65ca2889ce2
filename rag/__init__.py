"""BriefDesk's headless core: read, index and search documents; draft cited briefings.

Never imports Qt: the desktop app and the command line are two clients of its public API,
``rag.api``. This package itself imports nothing, so that importing a light submodule (a
reader, the settings) does not pay for chromadb and onnxruntime.
"""

__version__ = "0.1.0"
