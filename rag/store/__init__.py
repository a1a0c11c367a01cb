"""Where chunks live: Chroma for vectors, the BM25 keyword index and its chunk table, the manifest."""
