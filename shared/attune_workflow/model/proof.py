"""A quick proof that data is valid against a model, so that validation can be skipped.

Validating a large workflow with pydantic builds a model instance for every task,
transition and retry only to drop them again. :func:`valid_checker` reads a
model's fields once and builds a plain predicate that accepts data only where
every value already has the exact type the strict model asks for (``str``,
``int`` but not ``bool``, ``dict``, ``list``), every bound holds, no required key is
missing and no unknown key is given. It is conservative: any annotation,
constraint, validator or setting it does not know makes it give up (``None``),
and any value it is not sure of makes the predicate false. Only its "valid" is
used; everything else goes to pydantic, whose messages the findings show.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel, Strict
from pydantic.fields import FieldInfo

__all__ = ["valid_checker"]

Check = Callable[[Any], bool]

# pydantic may refuse a string that does not encode (a lone surrogate): left to it
_SURROGATE = re.compile("[\ud800-\udfff]")
# larger integers are left to pydantic
_INT_LIMIT = 2**63


class _Unknown(Exception):
    """An annotation or setting the proof does not handle."""


_CHECKERS: dict[type[BaseModel], Check | None] = {}


def valid_checker(model: type[BaseModel]) -> Check | None:
    """A predicate true only of data that ``model`` validates without error, or None."""
    if model not in _CHECKERS:
        try:
            _CHECKERS[model] = _model_check(model, {})
        except _Unknown:
            _CHECKERS[model] = None
    return _CHECKERS[model]


def _model_check(model: type[BaseModel], building: dict[type[BaseModel], Check]) -> Check:
    known = building.get(model)
    if known is not None:
        return known
    config = model.model_config
    decorators = model.__pydantic_decorators__
    if (
        config.get("strict") is not True
        or config.get("extra") != "forbid"
        or config.get("populate_by_name")
        or config.get("validate_by_name")
        or any(
            getattr(decorators, name)
            for name in ("validators", "field_validators", "root_validators", "model_validators")
        )
        or model.__pydantic_root_model__
    ):
        raise _Unknown
    fields: dict[str, Check | None] = {}  # None: any value
    allowed: set[str] = set()
    required: set[str] = set()

    def check(value: Any) -> bool:
        if value.__class__ is not dict:
            return False
        keys = value.keys()
        if not keys <= allowed:  # an unknown key, or a key that is not a string
            return False
        if not required <= keys:
            return False
        get = fields.get
        for key, item in value.items():
            field = get(key)
            if field is not None and not field(item):
                return False
        return True

    building[model] = check  # a model that holds itself (sub-tasks) finds it here
    for name, info in model.model_fields.items():
        key = info.alias or name
        if info.validation_alias is not None and info.validation_alias != key:
            raise _Unknown
        field = _check(info.annotation, list(info.metadata), building)
        fields[key] = None if field is _anything else field
        allowed.add(key)
        if info.is_required():
            required.add(key)
    return check


def _anything(value: Any) -> bool:
    return True


def _check(annotation: Any, metadata: list[Any], building: dict[type[BaseModel], Check]) -> Check:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = [*metadata, *extra]
    bounds: list[Check] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            if item.annotation is not None and item.annotation is not type(None):
                raise _Unknown
            bounds.extend(_bound(m) for m in item.metadata)
        elif isinstance(item, Strict):
            if not item.strict:
                raise _Unknown
        else:
            bounds.append(_bound(item))
    base = _base(annotation, building)
    if not bounds:
        return base
    if len(bounds) == 1:
        (bound,) = bounds
        return lambda value: base(value) and bound(value)
    return lambda value: base(value) and all(bound(value) for bound in bounds)


def _bound(item: Any) -> Check:
    if isinstance(item, Strict) and item.strict:
        return lambda value: True
    if isinstance(item, annotated_types.Ge):
        ge = item.ge
        return lambda value: value >= ge
    if isinstance(item, annotated_types.Gt):
        gt = item.gt
        return lambda value: value > gt
    if isinstance(item, annotated_types.Le):
        le = item.le
        return lambda value: value <= le
    if isinstance(item, annotated_types.Lt):
        lt = item.lt
        return lambda value: value < lt
    if isinstance(item, annotated_types.MinLen):
        low = item.min_length
        return lambda value: len(value) >= low
    if isinstance(item, annotated_types.MaxLen):
        high = item.max_length
        return lambda value: len(value) <= high
    raise _Unknown


def _is_text(value: Any) -> bool:
    return value.__class__ is str and (value.isascii() or _SURROGATE.search(value) is None)


def _is_int(value: Any) -> bool:
    return value.__class__ is int and -_INT_LIMIT < value < _INT_LIMIT


def _base(annotation: Any, building: dict[type[BaseModel], Check]) -> Check:
    if annotation is Any:
        return _anything
    if annotation is str:
        return _is_text
    if annotation is int:
        return _is_int
    if annotation is bool:
        return lambda value: value.__class__ is bool
    if annotation is type(None):
        return lambda value: value is None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_check(annotation, building)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        if not all(isinstance(arg, str) for arg in args):
            raise _Unknown
        allowed = frozenset(args)
        return lambda value: value.__class__ is str and value in allowed
    if origin is Union or origin is types.UnionType:
        members = [_check(arg, [], building) for arg in args if arg is not type(None)]
        optional = len(members) < len(args)
        if len(members) == 1:
            (member,) = members
            if optional:
                return lambda value: value is None or member(value)
            return member
        if optional:
            return lambda value: value is None or any(member(value) for member in members)
        return lambda value: any(member(value) for member in members)
    if origin is list and len(args) == 1:
        return _list_check(_check(args[0], [], building))
    if origin is dict and len(args) == 2:
        return _dict_check(_check(args[0], [], building), _check(args[1], [], building))
    raise _Unknown


def _list_check(item: Check) -> Check:
    def check(value: Any) -> bool:
        if value.__class__ is not list:
            return False
        for element in value:  # noqa: SIM110 - a loop costs less than all() over a generator
            if not item(element):
                return False
        return True

    return check


def _dict_check(key: Check, item: Check) -> Check:
    any_value = item is _anything

    def check(value: Any) -> bool:
        if value.__class__ is not dict:
            return False
        for k, v in value.items():
            if not key(k):
                return False
            if not any_value and not item(v):
                return False
        return True

    return check
