"""The models: the local GGUF model (llama.cpp), a model server client, the offline embedding
model, provisioning model files from PyPI, and choosing which model to load."""
