"""Run each fuzz input in a forked worker with a memory limit and an alarm, and classify what happened.

Classes
-------
clear             an :class:`redline.errors.InputError` of one line (file, field, fix)
unclear           an InputError whose message spans lines or names no file
traceback         any other exception (its type and innermost Redline frame are kept)
hang              the worker used :data:`ALARM_S` seconds of CPU (``RLIMIT_CPU``, SIGXCPU), its wall
                  alarm fired (:data:`WALL_S` seconds, for inputs that block without computing) or
                  the parent's own deadline passed and it killed the worker. The hang limit is CPU
                  time so that a loaded machine does not turn a slow input into a hang
memory            MemoryError, or the worker died under its address-space limit
crash             the worker died of another signal
accepted          the loader and the run took the input (fine unless the mutation was certainly invalid)
accepted-invalid  accepted although the mutation certainly made the file invalid

The parent never waits without a deadline: every worker is reaped with ``waitpid(WNOHANG)``
polls and killed (``SIGKILL``) once :data:`WALL_S` + :data:`GRACE_S` have passed.
The address-space limit is :data:`MEMORY_BYTES` *on top of* what the worker inherits from
the parent at fork (a warmed-up Redline process maps several hundred MiB of libraries), so
"about 1 GiB" is what one input may allocate.
"""
from __future__ import annotations

import json
import os
import resource
import selectors
import shutil
import signal
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from .mutate import Case
from .targets import TARGETS

ALARM_S = 30          # CPU seconds one input may use
WALL_S = 600          # wall seconds, generous: the machines are shared and often loaded
GRACE_S = 15
MEMORY_BYTES = 1 << 30
CLASSES = ("clear", "unclear", "traceback", "hang", "memory", "crash", "accepted", "accepted-invalid")


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0  # pragma: no cover - not Linux


def _child(case: Case, path: Path, wfd: int, alarm_s: int) -> None:
    """Runs in the forked worker; never returns."""
    code = 0
    try:
        os.environ["REDLINE_NO_STORE"] = "1"                    # a worker never writes a run store
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)           # the alarm kills: a hang in C code stops too
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        limit = _vm_size() + MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (alarm_s, alarm_s + 5))
        signal.alarm(max(WALL_S, alarm_s))
        from redline.errors import InputError

        out: dict = {}
        try:
            TARGETS[case.type].load(path)
            out = {"cls": "accepted-invalid" if case.invalid else "accepted"}
        except InputError as exc:
            msg = str(exc)
            one_line = "\n" not in msg and bool(exc.file) and len(msg) < 1000
            out = {"cls": "clear" if one_line else "unclear", "msg": msg[:300]}
        except MemoryError:
            out = {"cls": "memory"}
        except BaseException as exc:  # noqa: BLE001 - classifying is the point
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/redline/" in f.filename]
            where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
            out = {"cls": "traceback", "exc": type(exc).__name__, "where": where, "msg": str(exc)[:300]}
        os.write(wfd, json.dumps(out).encode())
    except MemoryError:
        code = 3
    except BaseException:  # noqa: BLE001
        code = 4
    os._exit(code)


class _Running:
    def __init__(self, case: Case, alarm_s: int):
        self.case = case
        self.dir = Path(tempfile.mkdtemp(prefix="redline-fuzz-"))
        self.path = self.dir / (case.name if case.name.endswith((".yaml", ".yml")) else case.name + ".yaml")
        self.path.write_bytes(case.data)
        self.rfd, wfd = os.pipe()
        self.start = time.monotonic()
        self.deadline = self.start + max(WALL_S, alarm_s) + GRACE_S
        self.buf = b""
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.close(self.rfd)
            _child(case, self.path, wfd, alarm_s)
        os.close(wfd)
        os.set_blocking(self.rfd, False)

    def read(self) -> None:
        try:
            while chunk := os.read(self.rfd, 65536):
                self.buf += chunk
        except BlockingIOError:
            pass

    def finish(self, status: int | None) -> dict:
        self.read()
        os.close(self.rfd)
        shutil.rmtree(self.dir, ignore_errors=True)
        res: dict = {"type": self.case.type, "label": self.case.label(), "seconds": round(time.monotonic() - self.start, 2)}
        if status is None:
            res["cls"] = "hang"
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            res["cls"] = ("hang" if sig in (signal.SIGALRM, signal.SIGXCPU) else "memory" if sig == signal.SIGKILL else "crash")
            res["signal"] = signal.Signals(sig).name
        elif os.WEXITSTATUS(status) == 3:
            res["cls"] = "memory"
        elif self.buf:
            try:
                res.update(json.loads(self.buf))
            except ValueError:
                res["cls"] = "crash"
        else:
            res["cls"] = "crash"
            res["exit"] = os.WEXITSTATUS(status)
        return res


def run_cases(cases, jobs: int = 2, alarm_s: int = ALARM_S, on_result=None, stop=None) -> list[dict]:
    """Run every case in a forked worker, ``jobs`` at a time; the results in case order.

    ``on_result(result)`` is called as each finishes; ``stop(result) -> bool`` ends the run early
    (the workers still running are killed and reaped).
    """
    cases = list(cases)
    results: list[dict | None] = [None] * len(cases)
    running: dict[int, tuple[int, _Running]] = {}
    sel = selectors.DefaultSelector()
    nxt = 0
    stopping = False
    try:
        while nxt < len(cases) or running:
            while not stopping and nxt < len(cases) and len(running) < jobs:
                w = _Running(cases[nxt], alarm_s)
                running[w.pid] = (nxt, w)
                sel.register(w.rfd, selectors.EVENT_READ, w)
                nxt += 1
            if stopping and not running:
                break
            for key, _ in sel.select(timeout=0.05):
                key.data.read()
            now = time.monotonic()
            for pid, (i, w) in list(running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done == 0 and now < w.deadline:
                    continue
                if done == 0:                                  # past the deadline: kill and reap
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    status = None
                sel.unregister(w.rfd)
                del running[pid]
                results[i] = w.finish(status)
                if on_result:
                    on_result(results[i])
                if stop and stop(results[i]):
                    stopping = True
            if stopping:
                for pid, (i, w) in list(running.items()):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    sel.unregister(w.rfd)
                    results[i] = w.finish(None)
                    results[i]["cls"] = "stopped"
                    del running[pid]
                break
    finally:
        for pid, (_i, w) in running.items():
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            shutil.rmtree(w.dir, ignore_errors=True)
        sel.close()
    return [r for r in results if r is not None]


BAD = ("unclear", "traceback", "hang", "memory", "crash", "accepted-invalid")


def summarize(results: list[dict]) -> str:
    """A table of counts per type and class, and the distinct failures (type, class, exception, place)."""
    types = sorted({r["type"] for r in results})
    count = Counter((r["type"], r["cls"]) for r in results)
    width = max(len(c) for c in CLASSES)
    head = f"{'class':<{width}}  " + "  ".join(f"{t:>9}" for t in types) + f"  {'total':>7}"
    lines = [head]
    for c in CLASSES:
        row = [count[(t, c)] for t in types]
        lines.append(f"{c:<{width}}  " + "  ".join(f"{n:>9,}" for n in row) + f"  {sum(row):>7,}")
    lines.append(f"{'inputs':<{width}}  " + "  ".join(f"{sum(count[(t, c)] for c in CLASSES):>9,}" for t in types)
                 + f"  {len(results):>7,}")
    distinct = Counter((r["type"], r["cls"], r.get("exc", r.get("signal", "")), r.get("where", ""),
                        r["label"].split("/", 2)[-1].split(":", 1)[0]) for r in results if r["cls"] in BAD)
    if distinct:
        lines.append("")
        lines.append("distinct failures (type, class, exception, where, mutation): count")
        for k, n in sorted(distinct.items()):
            lines.append("  " + ", ".join(x for x in k if x) + f": {n}")
    return "\n".join(lines)
