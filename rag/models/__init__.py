"""The chat models and embedders, local and remote; only this package knows provider names."""
