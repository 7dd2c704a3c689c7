"""quick_init: a frozen dataclass keeps its behaviour with the quicker constructor."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from attune_workflow.frozen import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class _Point:
    x: int
    y: int
    label: str = "origin"


def test_fields_and_defaults_are_set() -> None:
    point = _Point(1, 2)
    assert (point.x, point.y, point.label) == (1, 2, "origin")
    assert _Point(y=4, x=3, label="p").label == "p"
    with pytest.raises(TypeError):
        _Point(1)  # type: ignore[call-arg]


def test_the_dataclass_behaviour_stays() -> None:
    point = _Point(1, 2, "p")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    assert point == _Point(1, 2, "p")
    assert point != _Point(1, 2, "q")
    assert hash(point) == hash(_Point(1, 2, "p"))
    assert repr(point) == "_Point(x=1, y=2, label='p')"
    assert dataclasses.replace(point, y=7) == _Point(1, 7, "p")


def test_only_plain_frozen_slotted_dataclasses_are_accepted() -> None:
    @dataclass(slots=True)
    class Mutable:
        x: int

    @dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclass(frozen=True, slots=True)
    class Factory:
        items: list[int] = field(default_factory=list)

    for cls in (Mutable, NoSlots, Factory):
        with pytest.raises(TypeError):
            quick_init(cls)
