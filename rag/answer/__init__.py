"""From focused sentences to a checked, cited Answer: the evidence gate, drafting, verification."""
