"""Maintenance commands of the escalation model.

``python -m redline.escalation effects [--trials N]``  rebuild the raid effects table from the engine
``python -m redline.escalation fit [--iters N]``       refit the posterior to the coded history (to 19 April 2024)

Run ``effects`` first when the engagement model or a scenario changes, then ``fit``.
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("effects", "fit"):
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "effects":
        from .effects import _main
    else:
        from .fit import _main
    return _main(rest)


if __name__ == "__main__":
    raise SystemExit(main())
