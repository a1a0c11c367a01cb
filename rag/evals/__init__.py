"""Scoring answers against gold questions: datasets and folds, metrics, runs, thresholds, reports."""
