"""Attune workflow engine."""
