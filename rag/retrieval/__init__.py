"""From a question to the sentences the model reads: search, fusion, hops, focus."""
