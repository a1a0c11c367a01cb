"""Reading files into documents and chunks, and writing them into the store."""
