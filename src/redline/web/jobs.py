"""Background runs for the web app: progress, a time limit, a bounded number at once.

A run's progress callback (called after every chunk of trials) records the
trials done and stops the run, by raising, once it passes the time limit; the
job is then marked ``timed_out`` and ``GET /api/runs/{id}`` answers 408.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Job", "JobManager", "Progress", "Busy", "TimeLimitExceeded"]


class Busy(RuntimeError):
    """All run slots are taken."""


class TimeLimitExceeded(RuntimeError):
    """A run went past the server's time limit."""


@dataclass
class Job:
    job_id: str
    total: int
    state: str = "queued"
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    timed_out: bool = False
    """True when the run was stopped by the time limit (the status endpoint then answers 408)."""
    attachments: dict[str, Any] = field(default_factory=dict)
    """What the work kept beside its result for other endpoints (e.g. a run's tables); never in the status."""

    def status(self, with_result: bool = True) -> dict[str, Any]:
        end = self.finished if self.finished is not None else time.monotonic()
        return {"job_id": self.job_id, "state": self.state, "done": self.done, "total": self.total,
                "elapsed_s": round(end - self.started, 3), "error": self.error,
                "result": self.result if with_result else None}


class Progress:
    """What a job's work is handed: call it with the work done so far (it raises
    :class:`TimeLimitExceeded` past the time limit); :meth:`attach` keeps a value beside the result."""

    def __init__(self, job: Job, time_limit_s: float):
        self.job = job
        self.time_limit_s = time_limit_s

    def __call__(self, done: int) -> None:
        job = self.job
        job.done = int(done)
        if time.monotonic() - job.started > self.time_limit_s:
            raise TimeLimitExceeded(f"the run passed the server's time limit of {self.time_limit_s:g} s after "
                                    f"{job.done:,} of {job.total:,} trials; ask for fewer trials")

    def attach(self, name: str, value: Any) -> None:
        self.job.attachments[name] = value


class JobManager:
    """Runs jobs on threads, at most ``max_concurrent`` at a time, keeping the last ``keep`` jobs."""

    def __init__(self, max_concurrent: int = 2, time_limit_s: float = 120.0, keep: int = 32):
        self.max_concurrent = max_concurrent
        self.time_limit_s = time_limit_s
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._running = 0

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def submit(self, total: int, work: Callable[[Progress], dict[str, Any]]) -> Job:
        """Start ``work(progress)`` on a thread; it returns the job's result. Raises :class:`Busy` when full."""
        with self._lock:
            if self._running >= self.max_concurrent:
                raise Busy(f"{self._running} runs are in progress (the limit is {self.max_concurrent}); "
                           "try again when one finishes")
            self._running += 1
            job = Job(job_id=secrets.token_hex(8), total=total)
            self._jobs[job.job_id] = job
            while len(self._jobs) > self.keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state in ("queued", "running"):
                    break
                self._jobs.popitem(last=False)

        progress = Progress(job, self.time_limit_s)

        def target() -> None:
            job.state = "running"
            try:
                job.result = work(progress)
                job.done = job.total
                job.state = "done"
            except TimeLimitExceeded as exc:
                job.error, job.state, job.timed_out = str(exc), "error", True
            except (ValueError, KeyError) as exc:
                job.error, job.state = str(exc).strip("'\""), "error"
            except Exception as exc:  # noqa: BLE001 - reported to the client, not swallowed
                job.error, job.state = f"internal error: {type(exc).__name__}: {exc}", "error"
            finally:
                job.finished = time.monotonic()
                with self._lock:
                    self._running -= 1

        threading.Thread(target=target, name=f"redline-job-{job.job_id}", daemon=True).start()
        return job
