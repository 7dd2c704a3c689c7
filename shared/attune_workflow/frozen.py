"""A quicker constructor for the frozen dataclasses built by the thousand.

The ``__init__`` that ``dataclasses`` writes for a frozen class fills each field
with ``object.__setattr__``, which costs about twice a plain assignment; parse
trees and reference paths build many such values. :func:`quick_init` replaces
only that ``__init__`` by one that fills the slots through their descriptors:
equality, hash, repr, ``replace`` and the refusal of assignments stay the
dataclass's own.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["quick_init"]

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Give a frozen dataclass with slots an ``__init__`` that sets its slots directly."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    names: dict[str, Any] = {}
    arguments: list[str] = []
    body: list[str] = []
    for i, field in enumerate(dataclasses.fields(cls)):  # type: ignore[arg-type]
        if not field.init or field.kw_only or field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{field.name}: only plain fields are supported")
        if field.default is dataclasses.MISSING:
            arguments.append(field.name)
        else:
            names[f"_default{i}"] = field.default
            arguments.append(f"{field.name}=_default{i}")
        names[f"_set{i}"] = getattr(cls, field.name).__set__
        body.append(f"    _set{i}(self, {field.name})\n")
    lines = "".join(body) or "    pass\n"
    # the source is made of the class's own field names only
    exec(f"def __init__(self, {', '.join(arguments)}):\n{lines}", names)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - a method replaced on the class
    return cls
