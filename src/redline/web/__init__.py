"""The local web app (``redline serve``): FastAPI with a small vendored front end.

Importing this package is cheap; FastAPI is imported by :func:`create_app`.
The front-end assets in ``static/`` (the SVG map, the views, plotly.js) are
also inlined into the HTML reports of :mod:`redline.report`.
"""
from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    """Build the FastAPI application (see :func:`redline.web.app.create_app`)."""
    from .app import create_app as _create

    return _create(*args, **kwargs)
