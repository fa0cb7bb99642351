"""Spreading a run over worker processes, one per core.

A large run is bound by CPU, not by the model: each call's answer is parsed by the client
library, checked, assembled and scored, and one Python process does that on one core. So a
run with many samples forks workers that share the run between them:

- Children are forked (Linux), so they inherit the loaded suite, facts and templates: nothing
  is pickled or loaded twice. Elsewhere, or for small runs, the run stays in one process.
- Each child pulls the next sample from one shared cursor, so none sits idle while another
  has a queue. The run's limits are divided between them (`split`), so the sums still hold:
  at most `concurrency` calls in flight, each model's own cap and request rate.
- Each child appends to the run's journal itself (one `write` per line), so a kill loses no
  more than in one process, and sends each finished sample to the parent for progress.
- A child exits as soon as the parent is gone (kill -9 included): it must not go on calling
  the model for a run nobody will read.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar, cast

from pipeline.errors import DraftsmithError, InputError, ModelError

T = TypeVar("T")

MIN_SAMPLES_PER_WORKER = 16
"""Below this many samples per process, forking costs more than it saves."""

MAX_AUTO_WORKERS = 8
"""Beyond this, more processes mostly add connections and memory (`--workers` may ask more)."""


def available_cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked safely here (Linux; not macOS, not Windows)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def auto_workers(samples: int, concurrency: int) -> int:
    """How many processes a run of `samples` samples uses when `--workers` is not given."""
    if not can_fork():
        return 1
    cores = min(available_cpus(), MAX_AUTO_WORKERS)
    return max(1, min(cores, concurrency, samples // MIN_SAMPLES_PER_WORKER))


def split(total: int, parts: int) -> list[int]:
    """`total` divided into `parts` whole shares that add up to it (earlier ones larger)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class SharedCursor(Generic[T]):
    """Hands out the items of a list, each once, to every process that shares it."""

    def __init__(self, items: Sequence[T]):
        self._items = items
        self._next = multiprocessing.get_context("fork").Value("l", 0)

    def take(self) -> T | None:
        with self._next.get_lock():
            i = self._next.value
            if i >= len(self._items):
                return None
            self._next.value = i + 1
        return self._items[i]


class SharedPeak:
    """Calls in flight across processes, and the most there were at once."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._now = ctx.Value("l", 0)
        self._peak = ctx.Value("l", 0, lock=False)

    def enter(self) -> None:
        with self._now.get_lock():
            self._now.value += 1
            if self._now.value > self._peak.value:
                self._peak.value = self._now.value

    def leave(self) -> None:
        with self._now.get_lock():
            self._now.value -= 1

    @property
    def peak(self) -> int:
        return int(self._peak.value)


@dataclass
class _Failure:
    kind: str
    message: str
    details: str = ""


Child = Callable[[int, Callable[[Any], None]], Any]
"""A child's work: called with its index and a `send` for messages to the parent; its return
value is handed back to the parent."""


def run_forked(workers: int, child: Child, on_message: Callable[[Any], None]) -> list[Any]:
    """Run `child(i, send)` in `workers` forked processes; call `on_message` in this process
    with each message as it arrives; return what each child returned, in index order.

    An error a child reports is raised here as the same kind of `DraftsmithError`, and the
    other children are stopped; a child that dies without reporting is an error too. If this
    process is interrupted, the children are stopped before the interruption goes on."""
    ctx = multiprocessing.get_context("fork")
    watch_r, watch_w = os.pipe()  # only the parent holds the write end: EOF = parent gone
    procs: list[Any] = []
    readers: dict[Connection, int] = {}
    try:
        for i in range(workers):
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_child_main,
                args=(i, child, writer, watch_r, watch_w),
                name=f"draft-eval-worker-{i}",
                daemon=True,
            )
            proc.start()
            writer.close()
            procs.append(proc)
            readers[reader] = i
        results: dict[int, Any] = {}
        open_readers: dict[Connection, int] = dict(readers)
        while open_readers:
            for ready in wait(list(open_readers)):
                # wait() hands back some of the objects it was given; typeshed widens them
                # to any waitable (socket, file descriptor).
                conn = cast(Connection, ready)
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    del open_readers[conn]
                    continue
                if kind == "message":
                    on_message(payload)
                elif kind == "done":
                    results[open_readers[conn]] = payload
                else:
                    _raise(payload)  # the other workers are stopped on the way out
        for proc in procs:
            proc.join()
        missing = [i for i in range(workers) if i not in results]
        if missing:
            codes = ", ".join(str(procs[i].exitcode) for i in missing)
            raise DraftsmithError(
                f"evaluation worker(s) {missing} stopped unexpectedly (exit {codes}); "
                "finished samples are journaled: resume the run"
            )
        return [results[i] for i in range(workers)]
    finally:
        os.close(watch_w)
        os.close(watch_r)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=5)
        for conn in readers:
            conn.close()


def _raise(failure: _Failure) -> None:
    if failure.kind == "InputError":
        raise InputError(failure.message)
    if failure.kind == "ModelError":
        raise ModelError(failure.message)
    if failure.kind == "DraftsmithError":
        raise DraftsmithError(failure.message)
    if failure.kind == "KeyboardInterrupt":
        raise KeyboardInterrupt
    raise RuntimeError(f"an evaluation worker failed:\n{failure.details}")


def _child_main(index: int, child: Child, writer: Connection, watch_r: int, watch_w: int) -> None:
    os.close(watch_w)
    threading.Thread(target=_exit_with_parent, args=(watch_r,), daemon=True).start()

    def send(message: Any) -> None:
        writer.send(("message", message))

    try:
        writer.send(("done", child(index, send)))
    except DraftsmithError as exc:
        writer.send(("error", _Failure(type(exc).__name__, str(exc))))
    except KeyboardInterrupt:
        writer.send(("error", _Failure("KeyboardInterrupt", "")))
    except BrokenPipeError:
        os._exit(1)  # the parent is gone
    except BaseException as exc:  # a bug: the parent shows its traceback
        writer.send(("error", _Failure(type(exc).__name__, str(exc), traceback.format_exc())))
    finally:
        writer.close()


def _exit_with_parent(watch_r: int) -> None:
    """Block until the parent's end of the watch pipe closes, then leave at once."""
    try:
        while os.read(watch_r, 1):
            pass
    except OSError:
        pass
    os._exit(1)
