"""rag: answer questions about a corpus of documents, citing the passages used."""

import os

# Set before any dependency is imported: onnxruntime sends telemetry unless told not to,
# Chroma phones home by default, and nothing may reach a model hub at run time.
for _name, _value in {
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
