"""Reading many returns with worker processes, where it pays: both cores of the secretariat's PC.

Reading and checking a return is independent of every other, so a large folder is cut into
chunks that worker processes read and check (`map_chunks`), and the results come back in the
folder's order, exactly what one process would have produced. What every chunk needs (the
survey expected, the master's figures, the limits) reaches each worker once, when it starts,
not with every chunk; a chunk's results travel back as one pickle. What a worker logs
(a file's traceback) is sent back with its results and logged by the calling process.

It pays only for large folders: a worker process costs an interpreter start (on Windows,
where workers are spawned, the imports too: 0.17 s for two spawned workers on the bench
machine, more on a slow office PC), and two cores at most halve the time. `workers_for` decides: the setting `WELFARE_XL_WORKERS` ("1": never; a number: that
many processes), else two processes (or the machine's cores, when fewer) from `POOL_FROM`
returns on. Anything that keeps a pool from starting or running (no process support, a worker
that dies) falls back to reading the rest here, in order.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator, Sequence, TypeVar

log = logging.getLogger(__name__)

SETTING = "WELFARE_XL_WORKERS"
POOL_FROM = 1000  # returns; below this a worker's start-up costs more than it saves (bench/run.py)
MAX_WORKERS = 2  # measured on 2 cores; more processes than cores only add start-up and memory
CHUNK = 100  # returns per chunk: small enough that the last ones leave no core idle for long

T = TypeVar("T")
R = TypeVar("R")


def workers_for(files: int) -> int:
    """How many processes should read `files` returns: 1 means here, without a pool."""
    setting = os.environ.get(SETTING, "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            log.warning("%s=%r is not a number; reading in one process", SETTING, setting)
            return 1
    if files < POOL_FROM:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def map_chunks(fn: Callable[..., list[R]], items: Sequence[T], args: tuple[Any, ...],
               workers: int) -> Iterator[R]:
    """`fn(chunk, *args)` over chunks of `items` in `workers` processes; the results flattened, in order.

    `fn` must be a module-level function (a worker imports it). When the pool cannot start or
    breaks, the chunks not yet returned are run here.
    """
    size = max(1, min(CHUNK, -(-len(items) // (workers * 4))))
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    done = 0
    try:
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(fn, args)) as executor:
            for results, records in executor.map(_run, chunks):
                for record in records:
                    logging.getLogger(record.name).handle(record)
                done += 1
                yield from results
    except (BrokenProcessPool, OSError, NotImplementedError, ImportError) as exc:
        log.warning("worker processes failed (%s); reading the remaining %d chunks here", exc, len(chunks) - done)
    for chunk in chunks[done:]:
        yield from fn(chunk, *args)


class _Capture(logging.Handler):
    """A worker's log records, kept to be sent back (tracebacks as text: they do not pickle)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        record.msg, record.args = record.getMessage(), None
        self.records.append(record)


_capture = _Capture()


_job: tuple[Callable[..., list[Any]], tuple[Any, ...]] | None = None  # in a worker: (fn, args) of every chunk


def _start_worker(fn: Callable[..., list[Any]], args: tuple[Any, ...]) -> None:
    """In a worker: keep the job's function and arguments; end with the process that started it;
    what the project logs goes to the caller, not to handlers a fork inherited."""
    global _job
    _job = (fn, args)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent,), name="welfare-xl-parent-watch", daemon=True).start()
    root = logging.getLogger("welfare_xl")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_capture)
    root.setLevel(logging.INFO)
    root.propagate = False


def _end_with(parent: multiprocessing.process.BaseProcess) -> None:
    """Wait for the calling process to end, then end this worker at once. Killed (Task Manager,
    Ctrl+C twice, a crash), the caller cannot stop its workers, and a worker waiting for work it
    will never get would otherwise live on, holding memory and the master's lock (a fork shares it)."""
    parent.join()
    os._exit(1)


def _run(chunk: list[T]) -> tuple[list[Any], list[logging.LogRecord]]:
    assert _job is not None, "a worker runs chunks only after _start_worker"
    fn, args = _job
    _capture.records = []
    return fn(chunk, *args), _capture.records
