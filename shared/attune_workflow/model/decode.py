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
    model: type[BaseModel], node: Node, data: Any, *, shared: bool = True
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
    """The decoded data, and the non-string scalars that string fields took as text.

    ``shared`` false promises that no node appears twice under ``node`` (a document
    without anchors): nothing is then remembered per node.
    """
    decoder = _Decoder(shared)
    return decoder.value(model, node, data, None), decoder.texts


def decode_list_item(
    model: type[BaseModel], key: str, index: int, node: Node, data: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
    """Item ``index`` of the list field ``key`` of ``model``, decoded as in the whole file."""
    (item,) = _plan(_fields(model)[key])[3]
    decoder = _Decoder(True)
    return decoder.value(item, node, data, ((None, key), index)), decoder.texts


def decode_field(
    model: type[BaseModel], key: str, node: Node, data: Any
) -> tuple[Any, list[tuple[ScalarNode, tuple[str | int, ...]]]]:
    """Field ``key`` of ``model``, decoded as in the whole file."""
    decoder = _Decoder(True)
    return decoder.value(_fields(model)[key], node, data, (None, key)), decoder.texts


# A data path as a chain of (parent, key) pairs from the root (None): cheap to extend,
# made a tuple only for the rare scalar a string field takes as text.
_Path = tuple[Any, str | int] | None


def _path_tuple(path: _Path) -> tuple[str | int, ...]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return tuple(keys)


class _Decoder:
    __slots__ = ("_seen", "texts")

    def __init__(self, shared: bool) -> None:
        # mapping results by (node, model) when nodes may be shared (anchors)
        self._seen: dict[tuple[int, int], Any] | None = {} if shared else None
        self.texts: list[tuple[ScalarNode, tuple[str | int, ...]]] = []

    def value(self, annotation: Any, node: Node, data: Any, path: _Path) -> Any:
        return self._planned(_plan(annotation), node, data, path)

    def _planned(
        self,
        plan: tuple[int, Any, bool, tuple[Any, ...]],
        node: Node,
        data: Any,
        path: _Path,
    ) -> Any:
        what, kind, optional, args = plan
        if optional and _is_null(node):
            return None
        if what == _MODEL:
            if node.__class__ is MappingNode and data.__class__ is dict:
                return self._model(kind, node, data, path)
            return {} if _empty_plain(node) else data
        if what == _TEXT:
            if node.__class__ is ScalarNode:
                if node.tag != _STR:
                    self.texts.append((node, _path_tuple(path)))
                return str(node.value)
            return data
        if what == _LIST:
            if node.__class__ is SequenceNode and data.__class__ is list:
                item_plan = _plan(args[0])
                if item_plan[0] == _MODEL and not item_plan[2]:
                    # a list of models (tasks, transitions): the common case, inlined
                    model = item_plan[1]
                    model_ = self._model
                    items: list[Any] = []
                    add = items.append
                    for i, (n, d) in enumerate(zip(node.value, data, strict=False)):
                        if n.__class__ is MappingNode and d.__class__ is dict:
                            add(model_(model, n, d, (path, i)))
                        else:
                            add({} if _empty_plain(n) else d)
                    return items
                if item_plan[0] == _OTHER and not item_plan[2]:
                    return data  # items kept as the YAML gave them: the list itself
                planned = self._planned
                return [
                    planned(item_plan, n, d, (path, i))
                    for i, (n, d) in enumerate(zip(node.value, data, strict=False))
                ]
            return [] if _empty_plain(node) else data
        if what == _DICT:
            key_type, item = args
            if node.__class__ is MappingNode and data.__class__ is dict:
                return self._mapping(key_type, item, node, data, path)
            return {} if _empty_plain(node) else data
        return data

    def _model(
        self,
        model: type[BaseModel],
        node: MappingNode,
        data: dict[Any, Any],
        path: _Path,
    ) -> Any:
        seen = self._seen
        if seen is not None:
            memo = (id(node), id(model))
            if memo in seen:
                return seen[memo]
        plans = _field_plans(model)
        result: dict[Any, Any] = {}
        if seen is not None:
            seen[memo] = result
        get = plans.get
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == _STR:
                key = key_node.value
            else:
                key = _key(key_node, data)
            if key not in data or key in result:
                continue  # a duplicate key: the first one counts, as in the plain data
            plan = get(key) if key.__class__ is str else None
            if plan is None:
                # kept as the YAML gave it (an optional field's plain null is None there too)
                result[key] = data[key]
                continue
            what = plan[0]
            if what == _OTHER:
                result[key] = data[key]
            elif what == _TEXT and value_node.__class__ is ScalarNode and value_node.tag == _STR:
                result[key] = value_node.value  # the hot path: a string in a string field
            else:
                result[key] = self._planned(plan, value_node, data[key], (path, key))
        return result

    def _mapping(
        self,
        key_type: Any,
        item: Any,
        node: MappingNode,
        data: dict[Any, Any],
        path: _Path,
    ) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        text_keys = _plan(key_type)[0] == _TEXT
        item_plan = _plan(item)
        as_given = item_plan[0] == _OTHER  # values kept as the YAML gave them
        if as_given and len(node.value) == len(data):
            # no duplicate key; when every key is a string too, the data is the result
            for key_node, _ in node.value:
                if key_node.__class__ is not ScalarNode or key_node.tag != _STR:
                    break
            else:
                return data
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
                result[name] = self._planned(item_plan, value_node, data[key], (path, name))
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
