"""Per-file results of the functions of an expression's text.

A global bounded cache stops helping once a file holds more distinct
expressions than it keeps: past that size every lookup misses. Here results
live with the file being analysed instead. While a :class:`FileMemo` is active
(``with memo.generation():``) the memoised functions store their results in it;
the results one analysis used are handed to the next one of the same file and
the rest dropped, so the memo holds one version's expressions, however many
edits there were. Behind it, analyses share the results of the first texts met
in the process (bounded, never evicted: an evicting cache would churn on every
miss of a large file), which serves the expressions many files repeat; outside
any analysis a small LRU cache serves alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, update_wrapper
from typing import Any, Generic, TypeVar

__all__ = ["FileMemo", "clear_shared_caches", "file_memoized"]

R = TypeVar("R")

_ACTIVE: ContextVar[FileMemo | None] = ContextVar("attune_file_memo", default=None)
_MISSING: Any = object()
# every memoised function, so their shared caches can be emptied together
_ALL: list[_Memoized[Any]] = []


class FileMemo:
    """The expression results of one file: this version's, and the last version's."""

    __slots__ = ("_current", "_previous")

    def __init__(self) -> None:
        # function -> its results by expression text
        self._current: dict[int, dict[str, Any]] = {}
        self._previous: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        tables = (*self._current.values(), *self._previous.values())
        return sum(len(table) for table in tables)

    def table(self, function: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """This version's results of a function, and the last version's (if any)."""
        table = self._current.get(function)
        if table is None:
            table = self._current[function] = {}
        return table, self._previous.get(function)

    @contextmanager
    def generation(self) -> Iterator[FileMemo]:
        """Analyse a new version: the last one's results serve, the unused are then dropped."""
        self._previous, self._current = self._current, {}
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)
            self._previous = {}


class _Memoized(Generic[R]):
    """A function of one string whose results go to the active file memo."""

    def __init__(self, function: Callable[[str], R], fallback_size: int) -> None:
        self._function = function
        self._fallback = lru_cache(maxsize=fallback_size)(function)
        # Results analyses share between files: the first ``fallback_size`` texts, never
        # evicted. A file of more distinct expressions would make an LRU evict on every
        # miss; its own results are in its file memo anyway.
        self._shared: dict[str, R] = {}
        self._shared_size = fallback_size
        self._id = id(self)
        update_wrapper(self, function)
        _ALL.append(self)

    def __call__(self, src: str) -> R:
        memo = _ACTIVE.get()
        if memo is None:
            return self._fallback(src)
        table = memo._current.get(self._id)
        if table is None:
            table = memo._current[self._id] = {}
        else:
            # a miss is the common case of a first analysis: no exception for it
            value = table.get(src, _MISSING)
            if value is not _MISSING:
                return value  # type: ignore[no-any-return]
        previous = memo._previous.get(self._id) if memo._previous else None
        value = _MISSING if previous is None else previous.get(src, _MISSING)
        if value is _MISSING:
            # the shared results still serve the expressions many files repeat
            shared = self._shared
            value = shared.get(src, _MISSING)
            if value is _MISSING:
                value = self._function(src)
                if len(shared) < self._shared_size:
                    shared[src] = value
        table[src] = value
        return value  # type: ignore[no-any-return]

    def cache_clear(self) -> None:
        """Empty the global caches: the fallback and the results shared by analyses."""
        self._fallback.cache_clear()
        self._shared.clear()


def file_memoized(fallback_size: int) -> Callable[[Callable[[str], R]], _Memoized[R]]:
    """Memoise a function of one string per file, with a global cache outside analyses."""

    def wrap(function: Callable[[str], R]) -> _Memoized[R]:
        return _Memoized(function, fallback_size)

    return wrap


def clear_shared_caches() -> None:
    """Empty the global caches of every memoised function (as in a fresh process)."""
    for memoized in _ALL:
        memoized.cache_clear()


def file_memo_active() -> bool:
    """Whether an analysis with a file memo is running in this context."""
    return _ACTIVE.get() is not None
