"""Did you mean: the one place that picks a close name and words the suggestion."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache


def close_match(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word`` (a difference of case only first), if one is close."""
    return _close_match(word, tuple(candidates), cutoff)


@lru_cache(maxsize=4096)
def _close_match(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    lowered = word.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(suggestion: str | None) -> str:
    """The ``; did you mean 'x'?`` tail of a message (empty without a suggestion)."""
    return f"; did you mean '{suggestion}'?" if suggestion else ""
