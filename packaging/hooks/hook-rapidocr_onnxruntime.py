# PyInstaller hook for rapidocr-onnxruntime (text recognition of scanned pages).
#
# RapidOCR finds its ONNX models (models/*.onnx: detection, recognition, angle classifier) and
# its settings (config.yaml) beside its own package at run time: data files PyInstaller does
# not see. OpenCV (cv2), which it imports, is collected by pyinstaller-hooks-contrib's hook;
# it is imported only by the reader worker, which the frozen app starts as
# ``BriefDesk --briefdesk-read-worker``, never in the window's process.
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("rapidocr_onnxruntime", includes=["**/*.onnx", "**/*.yaml", "**/*.txt"])
hiddenimports = collect_submodules("rapidocr_onnxruntime")
