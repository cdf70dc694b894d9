"""Engagement layer: geometry, Monte Carlo engines, results."""
