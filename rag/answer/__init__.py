"""From focused sentences to a checked, cited Answer: drafting, citations, verification."""
