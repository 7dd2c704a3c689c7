"""What the pydantic models of the engine say about each key: type, values, documentation.

Key completion and key hover read the models of ``attune_workflow.model`` so that they
always match what the checker accepts.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from attune_workflow.context import FileKind
from attune_workflow.model import ActionFile, PackManifest, WorkflowFile

from .docs import LEGACY_KEYS
from .yamlpath import ITEM

Shape = Literal["scalar", "mapping", "list", "any"]

ROOTS: dict[FileKind, type[BaseModel]] = {
    FileKind.WORKFLOW: WorkflowFile,
    FileKind.ACTION: ActionFile,
    FileKind.PACK: PackManifest,
}


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """One key of a model."""

    name: str
    description: str | None
    type_text: str
    values: tuple[str, ...]
    shape: Shape
    required: bool
    default: Any
    model: type[BaseModel] | None
    item_shape: Shape = "any"

    def markdown(self) -> str:
        """The hover text of the key."""
        head = f"**{self.name}**: {self.type_text}"
        if self.required:
            head += " (required)"
        parts = [head]
        if self.description:
            parts.append(self.description)
        if self.values:
            parts.append("Values: " + ", ".join(f"`{v}`" for v in self.values))
        if self.default not in (None, PydanticUndefined, "", [], {}):
            parts.append(f"Default: `{self.default}`")
        return "\n\n".join(parts)


def _unwrap(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, without None, Annotated and aliases."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found.extend(_unwrap(arg))
        return found
    return [annotation]


_WORDS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _describe(annotation: Any) -> tuple[str, tuple[str, ...], Shape, type[BaseModel] | None, Shape]:
    """Type text, literal values, shape, nested model and item shape of an annotation."""
    alternatives = _unwrap(annotation)
    words: list[str] = []
    values: list[str] = []
    shape: Shape = "any"
    model: type[BaseModel] | None = None
    item_shape: Shape = "any"
    for alt in alternatives:
        origin = typing.get_origin(alt)
        if origin is Literal:
            values.extend(str(v) for v in typing.get_args(alt))
            words.append(" | ".join(f"'{v}'" for v in typing.get_args(alt)))
            shape = "scalar"
        elif isinstance(alt, type) and issubclass(alt, BaseModel):
            words.append("mapping")
            shape, model = "mapping", alt
        elif isinstance(alt, type) and issubclass(alt, enum.Enum):
            values.extend(str(m.value) for m in alt)
            words.append("string")
            shape = "scalar"
        elif origin is list or alt is list:
            args = typing.get_args(alt)
            inner = _unwrap(args[0]) if args else []
            models = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                model = models[0]
                words.append(f"list of {models[0].__name__} mappings")
                item_shape = "mapping"
            elif inner and all(a in _WORDS for a in inner):
                words.append("list of " + " or ".join(_WORDS[a] + "s" for a in inner))
                item_shape = "scalar"
            else:
                words.append("list")
            shape = "list"
        elif origin is dict or alt is dict:
            words.append("mapping")
            shape = "mapping"
        elif alt in _WORDS:
            words.append(_WORDS[alt])
            if shape == "any" or shape == "scalar":
                shape = "scalar"
        elif alt is Any:
            words.append("any value")
    unique = list(dict.fromkeys(words))
    return " or ".join(unique) or "any value", tuple(values), shape, model, item_shape


@cache
def keys_of(model: type[BaseModel]) -> dict[str, KeyInfo]:
    """The keys of a model by the name written in YAML (aliases included)."""
    result: dict[str, KeyInfo] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        type_text, values, shape, nested, item_shape = _describe(field.annotation)
        description = field.description
        if description is None and nested is not None and nested.__doc__:
            description = nested.__doc__.strip().splitlines()[0].replace("``", "`")
        if description is None:
            description = LEGACY_KEYS.get(key)
        default = field.default if field.default is not PydanticUndefined else None
        result[key] = KeyInfo(
            name=key,
            description=description,
            type_text=type_text,
            values=values,
            shape=shape,
            required=field.is_required(),
            default=default,
            model=nested,
            item_shape=item_shape,
        )
    return result


Place = tuple[Literal["model", "list"], type[BaseModel] | None]


def place_at(kind: FileKind, path: tuple[str, ...]) -> Place | None:
    """What the container at ``path`` is: a model's mapping, or a list (of a model's items)."""
    root = ROOTS.get(kind)
    if root is None:
        return None
    here: Place = ("model", root)
    for segment in path:
        what, model = here
        if segment == ITEM:
            if what != "list" or model is None:
                return None
            here = ("model", model)
            continue
        if what != "model" or model is None:
            return None
        info = keys_of(model).get(segment)
        if info is None:
            return None
        if info.shape == "list":
            here = ("list", info.model)
        elif info.shape == "mapping" and info.model is not None:
            here = ("model", info.model)
        else:
            return None
    return here


def model_at(kind: FileKind, path: tuple[str, ...]) -> type[BaseModel] | None:
    """The model whose keys belong in the mapping at ``path``."""
    place = place_at(kind, path)
    if place is None or place[0] != "model":
        return None
    return place[1]


def key_info(kind: FileKind, path: tuple[str, ...], key: str) -> KeyInfo | None:
    """What the models say about ``key`` in the mapping at ``path``."""
    model = model_at(kind, path)
    return keys_of(model).get(key) if model is not None else None


def path_of_steps(keys: typing.Iterable[str | int]) -> tuple[str, ...]:
    """A node path (keys and list indexes) as a model path (list indexes become items)."""
    return tuple(ITEM if isinstance(k, int) else k for k in keys)


def item_info(kind: FileKind, path: tuple[str, ...]) -> KeyInfo | None:
    """The key whose list holds the item at ``path`` (which ends with an item)."""
    if len(path) < 2 or path[-1] != ITEM:
        return None
    return key_info(kind, path[:-2], path[-2])
