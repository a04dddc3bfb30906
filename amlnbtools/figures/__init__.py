"""Figures: pure builders of plotly ``go.Figure`` objects from core values (no widgets, no I/O)."""
