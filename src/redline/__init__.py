"""Redline: strikes against layered air and missile defence, and the escalation they feed."""
from ._version import __version__

__all__ = ["__version__"]
