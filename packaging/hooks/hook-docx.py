# PyInstaller hook for python-docx.
#
# ``docx.Document()`` opens ``docx/templates/default.docx`` (and the header, footer and
# comments parts beside it) from the package folder: data files PyInstaller does not see.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("docx")
# docx.parts.hdrftr finds the header and footer templates as ``parts/../templates/...``: the
# ``parts`` folder must exist on disk for the OS to resolve "..", so the package's sources are
# laid out beside the archive too (a few hundred kB).
module_collection_mode = "pyz+py"
