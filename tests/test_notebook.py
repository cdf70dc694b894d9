"""examples/tour.ipynb runs from top to bottom (issue 15 item 4), so it cannot go stale.

Executed with nbclient in a fresh kernel with this tree's ``src`` first on the path; skipped only
when nbclient, nbformat or ipykernel is not installed (pip install 'redline[test]').
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "tour.ipynb"


def _need(module: str):
    try:
        return __import__(module)
    except ImportError:
        pytest.skip(f"{module} is not installed (pip install nbclient nbformat ipykernel, or 'redline[test]'); "
                    "the tour notebook was not executed")


def test_tour_notebook_executes(tmp_path, monkeypatch):
    nbformat = _need("nbformat")
    nbclient = _need("nbclient")
    _need("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "store the notebook without outputs"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("REDLINE_NO_STORE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outs if o.output_type == "execute_result" and "text/html" in o.get("data", {})]
    assert any("DiffResult" in h for h in html) and any("CrisisResult" in h for h in html)
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outs)
    assert "Result april-2024" in text and "leaked_by_class" in text
