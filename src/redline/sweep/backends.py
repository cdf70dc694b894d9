"""Where design points run: local processes (default) or a Dask cluster.

Both back ends call the same point function with the same base and points,
so they give the same bits. They report each finished point as it arrives
(``on_done``) and each point that could not be run (``on_fail``), so the
coordinator can save it at once.

Faults. Locally, a worker process that dies breaks the pool. The points in
flight (at most one per worker) are run again in a new pool, each alone, so
that the point that kills its worker is known; a point whose worker dies
while it runs alone is run again up to ``retries`` times, then reported as
failed, and the sweep goes on with the rest. On Dask the scheduler does the same (its
``allowed-failures`` setting, which a ``local:N`` cluster takes from
``retries``; a remote cluster keeps its own) and reports a point that kept
killing workers as ``KilledWorker``. An exception raised by a point is
reported at once and not retried: it would fail again.
"""
from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Sequence

from .worker import Point, PointFn, SweepBase

__all__ = ["LocalBackend", "DaskBackend", "make_backend"]

OnDone = Callable[[Point, dict], None]
OnFail = Callable[[Point, str, int], None]

_BASE: SweepBase | None = None
_FN: PointFn | None = None


def _init_worker(base: SweepBase, fn: PointFn) -> None:
    global _BASE, _FN
    _BASE, _FN = base, fn


def _call(point: Point) -> dict:
    assert _BASE is not None and _FN is not None
    return _FN(_BASE, point)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class LocalBackend:
    """A pool of ``workers`` local processes (spawned, so safe on every platform)."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers

    def describe(self) -> str:
        return f"local processes x {self.workers}"

    def map(self, base: SweepBase, points: Sequence[Point], fn: PointFn, on_done: OnDone, on_fail: OnFail,
            retries: int, stop: Callable[[], bool]) -> None:
        pending = deque(points)
        suspects: deque[Point] = deque()  # in flight when a pool broke: each is rerun alone
        suspect_ids: set[int] = set()
        deaths: dict[int, int] = {}       # deaths while running alone: the point's own doing
        ctx = multiprocessing.get_context("spawn")
        barren = 0  # consecutive pools that broke before finishing any point
        while (pending or suspects) and not stop():
            if barren > 2 * (retries + 1) + self.workers:
                from .store import SweepError

                raise SweepError(f"worker processes died {barren} times in a row before finishing any point: they "
                                 "probably fail at start-up (out of memory, a broken install, or a script that starts a "
                                 "sweep without `if __name__ == \"__main__\":`); finished points are kept")
            finished_here = 0
            pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                                       initargs=(base, fn))
            inflight: dict = {}
            try:
                while True:
                    if not stop() and not any(p.index in suspect_ids for p in inflight.values()):
                        # a point leaves its queue only once submitted: submit raises if the pool just broke
                        if suspects:
                            if not inflight:
                                f = pool.submit(_call, suspects[0])
                                inflight[f] = suspects.popleft()
                        else:
                            # one point per worker, so a dying worker can only have run the points in flight
                            while pending and len(inflight) < self.workers:
                                f = pool.submit(_call, pending[0])
                                inflight[f] = pending.popleft()
                    if not inflight:
                        break
                    done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for f in sorted(done, key=lambda f: inflight[f].index):
                        p = inflight[f]
                        exc = f.exception()
                        if isinstance(exc, BrokenProcessPool):
                            raise exc
                        del inflight[f]
                        suspect_ids.discard(p.index)
                        if exc is None:
                            finished_here += 1
                            on_done(p, f.result())
                        else:
                            on_fail(p, _describe(exc), deaths.get(p.index, 0) + 1)
            except BrokenProcessPool:
                lost = []
                for f, p in sorted(inflight.items(), key=lambda kv: kv[1].index):
                    if f.done() and f.exception() is None:
                        finished_here += 1
                        suspect_ids.discard(p.index)
                        on_done(p, f.result())
                    else:
                        lost.append(p)
                barren = 0 if finished_here else barren + 1
                if len(lost) == 1:
                    p = lost[0]
                    deaths[p.index] = deaths.get(p.index, 0) + 1
                    if deaths[p.index] > retries:
                        suspect_ids.discard(p.index)
                        on_fail(p, f"its worker process died every time it ran ({deaths[p.index]} times alone)",
                                deaths[p.index])
                        lost = []
                suspect_ids.update(p.index for p in lost)
                suspects.extendleft(reversed(lost))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            finally:
                _close(pool)


def _close(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down; after a worker died, end the surviving workers first.

    CPython 3.11's ``shutdown(wait=True)`` of a broken pool can wait forever on a surviving worker
    blocked on the call queue (seen in the suite under load: the poison-point test hung), so the
    workers of a broken pool are terminated before the join. ``_processes`` is the executor's own
    table of worker processes (a private attribute; absent, nothing is terminated).
    """
    if getattr(pool, "_broken", False):
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            if proc.is_alive():
                proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend:
    """A Dask distributed cluster: ``tcp://HOST:PORT`` of a running scheduler, or ``local:N``
    for a :class:`distributed.LocalCluster` of N single-threaded worker processes on loopback."""

    def __init__(self, address: str):
        self.address = address
        self.local_workers = None
        if address.startswith("local:"):
            try:
                self.local_workers = int(address.split(":", 1)[1])
            except ValueError:
                raise ValueError(f"--cluster {address!r}: write local:N with N a number of workers") from None
            if self.local_workers < 1:
                raise ValueError(f"--cluster {address!r}: N must be at least 1")

    def describe(self) -> str:
        if self.local_workers:
            return f"dask LocalCluster x {self.local_workers} (127.0.0.1)"
        return f"dask {self.address}"

    def _client(self, retries: int):
        import dask
        from distributed import Client, LocalCluster

        if self.local_workers:
            with dask.config.set({"distributed.scheduler.allowed-failures": retries}):
                cluster = LocalCluster(n_workers=self.local_workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
            return Client(cluster), cluster
        try:
            return Client(self.address, timeout="10s"), None
        except OSError as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {self.address} ({exc}); start one with "
                                  f"`dask scheduler` and `dask worker {self.address}`, or use --cluster local:N") from None

    def map(self, base: SweepBase, points: Sequence[Point], fn: PointFn, on_done: OnDone, on_fail: OnFail,
            retries: int, stop: Callable[[], bool]) -> None:
        from distributed import KilledWorker, as_completed

        if not points:
            return
        client, cluster = self._client(retries)
        try:
            base_f = client.scatter(base, broadcast=True, hash=False)
            futs = {client.submit(fn, base_f, p, key=f"redline-point-{base.sweep_sha256[:12]}-{p.index}", pure=False): p
                    for p in points}
            ac = as_completed(list(futs))
            for fut in ac:
                p = futs.pop(fut)
                try:
                    rec = fut.result()
                except KilledWorker:
                    on_fail(p, f"workers died while running this point ({retries + 1} times; dask KilledWorker)",
                            retries + 1)
                except Exception as exc:  # the point's own error, reported with the point
                    on_fail(p, _describe(exc), 1)
                else:
                    on_done(p, rec)
                fut.release()
                if stop():
                    client.cancel(list(futs))
                    break
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_backend(workers: int | None = None, cluster: str | None = None):
    """The back end for ``--workers`` / ``--cluster``."""
    if cluster:
        return DaskBackend(cluster)
    import os

    return LocalBackend(workers or os.cpu_count() or 1)
