# PyInstaller hook for python-docx.
#
# ``docx.Document()`` opens ``docx/templates/default.docx`` (and the header, footer and
# comments parts beside it) from the package folder: data files PyInstaller does not see.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("docx")
