"""A workflow document as Attune's decoder (serde_yaml_ng 0.10) hands it to the model.

serde reads each value with the type of the field it lands in, not with the
YAML tag:

* a string field takes any scalar as its text (``version: 1.0`` is "1.0",
  ``name: 123`` is "123", ``when: true`` is "true"; ``~`` in a non-optional
  string field is the text "~");
* an optional field given a plain null (``~``, ``null`` or nothing) is absent;
* a mapping or list field given nothing at all (``input:``) is empty; ``~``
  stays null, which such a field refuses;
* the keys of a string-keyed map are texts too (``vars: {1: a}`` has key "1");
* integer and boolean fields take only plain scalars of their type, and the
  untagged unions (``timeout``, ``wait_for`` values, publish directives) keep
  the YAML types, so both are left as the YAML gave them.

:func:`decode` walks the nodes beside the plain data built from them and
returns that data with these conversions made, for the model to validate and
for the stored definition.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

from pydantic import BaseModel

from ..yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    node_end,
    node_start,
    scalar_value,
)

_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"


def _strip(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``Annotated`` and ``None``, and whether None was allowed."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        if len(members) == 1:
            inner, _ = _strip(members[0])
            return inner, optional
        return annotation, optional
    return annotation, False


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    return typing.get_origin(annotation) is Literal and all(
        isinstance(arg, str) for arg in typing.get_args(annotation)
    )


def _empty_plain(node: Node) -> bool:
    """A plain scalar with no text at all (``key:`` with nothing after it)."""
    return (
        isinstance(node, ScalarNode)
        and node.tag == _NULL
        and not node.style
        and node_start(node) == node_end(node)
    )


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL and not node.style


def decode(model: type[BaseModel], node: Node, data: Any) -> Any:
    """``data`` (built from ``node``) as serde decodes it into ``model``."""
    return decode_with_texts(model, node, data)[0]


def decode_with_texts(
    model: type[BaseModel], node: Node, data: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
    """The decoded data, and the non-string scalars that string fields took as text."""
    decoder = _Decoder()
    return decoder.value(model, node, data, ()), decoder.texts


def decode_list_item(
    model: type[BaseModel], key: str, index: int, node: Node, data: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
    """Item ``index`` of the list field ``key`` of ``model``, decoded as in the whole file."""
    (item,) = _plan(_fields(model)[key])[3]
    decoder = _Decoder()
    return decoder.value(item, node, data, (key, index)), decoder.texts


def decode_field(
    model: type[BaseModel], key: str, node: Node, data: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
    """Field ``key`` of ``model``, decoded as in the whole file."""
    decoder = _Decoder()
    return decoder.value(_fields(model)[key], node, data, (key,)), decoder.texts


class _Decoder:
    __slots__ = ("_seen", "texts")

    def __init__(self) -> None:
        self._seen: dict[tuple[int, int], Any] = {}
        self.texts: list[tuple[ScalarNode, tuple[str | int, ...]]] = []

    def value(self, annotation: Any, node: Node, data: Any, path: tuple[str | int, ...]) -> Any:
        return self._planned(_plan(annotation), node, data, path)

    def _planned(
        self,
        plan: tuple[int, Any, bool, tuple[Any, ...]],
        node: Node,
        data: Any,
        path: tuple[str | int, ...],
    ) -> Any:
        what, kind, optional, args = plan
        if optional and _is_null(node):
            return None
        if what == _MODEL:
            if isinstance(node, MappingNode) and isinstance(data, dict):
                return self._model(kind, node, data, path)
            return {} if _empty_plain(node) else data
        if what == _TEXT:
            if isinstance(node, ScalarNode):
                if node.tag != _STR:
                    self.texts.append((node, path))
                return str(node.value)
            return data
        if what == _LIST:
            (item,) = args
            if isinstance(node, SequenceNode) and isinstance(data, list):
                item_plan = _plan(item)
                return [
                    self._planned(item_plan, n, d, (*path, i))
                    for i, (n, d) in enumerate(zip(node.value, data, strict=False))
                ]
            return [] if _empty_plain(node) else data
        if what == _DICT:
            key_type, item = args
            if isinstance(node, MappingNode) and isinstance(data, dict):
                return self._mapping(key_type, item, node, data, path)
            return {} if _empty_plain(node) else data
        return data

    def _model(
        self,
        model: type[BaseModel],
        node: MappingNode,
        data: dict[Any, Any],
        path: tuple[str | int, ...],
    ) -> Any:
        memo = (id(node), id(model))
        if memo in self._seen:
            return self._seen[memo]
        plans = _field_plans(model)
        result: dict[Any, Any] = {}
        self._seen[memo] = result
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == _STR:
                key = key_node.value
            else:
                key = _key(key_node, data)
            if key not in data or key in result:
                continue  # a duplicate key: the first one counts, as in the plain data
            plan = plans.get(key) if isinstance(key, str) else None
            what = _OTHER if plan is None else plan[0]
            if what == _OTHER:
                # kept as the YAML gave it (an optional field's plain null is None there too)
                result[key] = data[key]
            elif what == _TEXT and value_node.__class__ is ScalarNode and value_node.tag == _STR:
                result[key] = value_node.value  # the hot path: a string in a string field
            else:
                assert plan is not None
                result[key] = self._planned(plan, value_node, data[key], (*path, key))
        return result

    def _mapping(
        self,
        key_type: Any,
        item: Any,
        node: MappingNode,
        data: dict[Any, Any],
        path: tuple[str | int, ...],
    ) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        text_keys = _plan(key_type)[0] == _TEXT
        item_plan = _plan(item)
        as_given = item_plan[0] == _OTHER  # values kept as the YAML gave them
        for key_node, value_node in node.value:
            key = _key(key_node, data)
            if key not in data:
                continue
            name = str(key_node.value) if text_keys and isinstance(key_node, ScalarNode) else key
            if name in result:
                continue
            if as_given:
                result[name] = data[key]
            else:
                result[name] = self._planned(item_plan, value_node, data[key], (*path, name))
        return result


_MODEL, _TEXT, _LIST, _DICT, _OTHER = range(5)
# Annotation -> how to decode it; annotations live as long as their models.
_PLANS: dict[int, tuple[Any, tuple[int, Any, bool, tuple[Any, ...]]]] = {}
_FIELDS: dict[type[BaseModel], dict[str, Any]] = {}


def _plan(annotation: Any) -> tuple[int, Any, bool, tuple[Any, ...]]:
    """What a field's annotation asks of its value, worked out once per annotation."""
    known = _PLANS.get(id(annotation))
    if known is not None and known[0] is annotation:
        return known[1]
    kind, optional = _strip(annotation)
    plan: tuple[int, Any, bool, tuple[Any, ...]]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        plan = (_MODEL, kind, optional, ())
    elif _is_text(kind):
        plan = (_TEXT, kind, optional, ())
    elif typing.get_origin(kind) is list:
        plan = (_LIST, kind, optional, typing.get_args(kind) or (Any,))
    elif typing.get_origin(kind) is dict:
        plan = (_DICT, kind, optional, typing.get_args(kind) or (str, Any))
    else:
        plan = (_OTHER, kind, optional, ())
    _PLANS[id(annotation)] = (annotation, plan)
    return plan


_FIELD_PLANS: dict[type[BaseModel], dict[str, tuple[int, Any, bool, tuple[Any, ...]]]] = {}


def _field_plans(model: type[BaseModel]) -> dict[str, tuple[int, Any, bool, tuple[Any, ...]]]:
    """The plan of each field of a model, by the key a document uses for it."""
    plans = _FIELD_PLANS.get(model)
    if plans is None:
        plans = {key: _plan(annotation) for key, annotation in _fields(model).items()}
        _FIELD_PLANS[model] = plans
    return plans


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields by the key a document uses for them."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = {info.alias or name: info.annotation for name, info in model.model_fields.items()}
        _FIELDS[model] = fields
    return fields


def _key(key_node: Node, data: dict[Any, Any]) -> Any:
    """The key of ``key_node`` in the plain data built from its mapping."""
    if isinstance(key_node, ScalarNode):
        return key_node.value if key_node.tag == _STR else scalar_value(key_node)
    value = key_node.value
    return value if isinstance(value, str) else repr(value)
