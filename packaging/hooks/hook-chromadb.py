# PyInstaller hook for chromadb.
#
# Chroma picks most of its implementation by dotted name at run time (chromadb.config maps each
# component to a class path such as "chromadb.api.rust.RustBindingsAPI"), so the static
# analysis misses them: every submodule is collected, except the test suite, the HTTP server
# and the command line, which BriefDesk never runs and which pull in web frameworks. Its SQL
# migrations and logging configuration are data files, and its version comes from metadata.
from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

_UNUSED = ("chromadb.test", "chromadb.server", "chromadb.cli", "chromadb.app")


def _wanted(name: str) -> bool:
    return not any(name == prefix or name.startswith(prefix + ".") for prefix in _UNUSED)


hiddenimports = collect_submodules("chromadb", filter=_wanted)
hiddenimports += ["chromadb_rust_bindings"]
datas = collect_data_files(
    "chromadb", includes=["**/*.sql", "**/*.yml", "**/*.yaml", "**/*.json", "**/*.txt"]
)
datas += copy_metadata("chromadb")
excludedimports = list(_UNUSED)
