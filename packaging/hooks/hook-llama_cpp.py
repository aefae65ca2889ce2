# PyInstaller hook for llama-cpp-python.
#
# llama_cpp loads its shared libraries (libllama, libggml*, libmtmd; llama.dll / .dylib on the
# other platforms) with ctypes from ``<package>/lib`` at import time. PyInstaller cannot see
# ctypes loads, so the libraries are collected explicitly, into the same relative folder.
from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs

binaries = collect_dynamic_libs("llama_cpp")
# Chat-template helpers and the like that ship as data (nothing large).
datas = collect_data_files("llama_cpp", excludes=["**/*.so", "**/*.so.*", "**/*.dll", "**/*.dylib"])
# The OpenAI-compatible server is never used by BriefDesk and pulls in a web stack.
excludedimports = ["llama_cpp.server"]
