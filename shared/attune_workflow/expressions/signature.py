"""The function call around a cursor and the argument it is in, for signature help.

Works on text being typed (``length(``, ``replace(s, ``): the tokens before the cursor
are read with a stack of open brackets, so no tree is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .functions import FunctionInfo, lookup_function
from .tokens import KEYWORD_KINDS, NAME, scan

_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Signature:
    """One way to call a function: its label and the names of its parameters."""

    label: str
    parameters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignatureAt:
    """The call around a cursor: the function, its signatures and which one is active."""

    function: FunctionInfo
    signatures: tuple[Signature, ...]
    active_signature: int
    active_parameter: int


def signatures_of(function: FunctionInfo) -> tuple[Signature, ...]:
    """The signatures written in a function's table entry (``range(n) / range(start, end)``)."""
    found = []
    for label in function.signature.split(" / "):
        label = label.strip()
        inside = label[label.find("(") + 1 : label.rfind(")")]
        found.append(Signature(label, tuple(_PARAMETER.findall(inside))))
    return tuple(found)


def signature_at(src: str, offset: int) -> SignatureAt | None:
    """The innermost function call whose argument list holds ``offset``, or None."""
    kinds, starts, _ = scan(src)
    # Each open bracket: the function it calls (None for a group or a list) and the
    # commas seen at its level.
    frames: list[tuple[str | None, int]] = []
    for i, kind in enumerate(kinds):
        if starts[i] >= offset or kind == "eof":
            break
        if kind in ("(", "["):
            name = None
            if kind == "(" and i > 0 and kinds[i - 1] == NAME and kinds[i - 1] not in KEYWORD_KINDS:
                name = src[starts[i - 1] : starts[i]].strip()
            frames.append((name, 0))
        elif kind in (")", "]"):
            if frames:
                frames.pop()
        elif kind == "," and frames:
            frames[-1] = (frames[-1][0], frames[-1][1] + 1)
    for name, commas in reversed(frames):
        if name is None:
            continue
        function = lookup_function(name)
        if function is None:
            return None
        signatures = signatures_of(function)
        active = 0
        for index, signature in enumerate(signatures):
            if len(signature.parameters) > commas:
                active = index
                break
        else:
            active = len(signatures) - 1
        return SignatureAt(function, signatures, active, commas)
    return None
