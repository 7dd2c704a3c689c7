"""The quick validity proof never says "valid" where pydantic finds an error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from attune_workflow.config import Config
from attune_workflow.context import Context, FileKind, proved_as_decoded
from attune_workflow.model import ActionFile, WorkflowFile
from attune_workflow.model.decode import decode_with_texts
from attune_workflow.model.proof import valid_checker
from attune_workflow.packindex import PackIndex
from attune_workflow.yamlsource import parse_yaml

DATA = Path(__file__).parent / "data"

VALID: dict[str, Any] = {
    "version": "1.0.0",
    "ref": "p.flow",
    "vars": {"total": 0},
    "tasks": [
        {
            "name": "a",
            "action": "p.step",
            "input": {"message": "hi {{ parameters.x }}", "n": 1},
            "retry": {"count": 2, "delay": 1, "backoff": "linear"},
            "timeout": 30,
            "next": [
                {"when": "{{ succeeded() }}", "publish": [{"x": 1}, "y"], "do": ["b"]},
                {"__chart_meta__": {"x": 1}, "do": []},
            ],
        },
        {
            "name": "b",
            "type": "parallel",
            "tasks": [{"name": "c", "wait_for": {"inquiry": 3}, "join": 0}],
        },
    ],
    "output_map": {"total": "{{ workflow.total }}"},
}


def _pydantic_valid(model: type[BaseModel], data: Any) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def _proved(data: Any) -> bool:
    check = valid_checker(WorkflowFile)
    assert check is not None
    return check(data)


def test_a_valid_workflow_is_proved_valid() -> None:
    assert _pydantic_valid(WorkflowFile, VALID)
    assert _proved(VALID)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), 1),  # not a string
        (("version",), ""),  # too short
        (("ref",), "x" * 256),  # too long
        (("tasks", 0, "retry", "count"), True),  # a bool is no integer
        (("tasks", 0, "retry", "count"), 0),  # below the bound
        (("tasks", 0, "retry", "delay"), 2**40),  # above the bound
        (("tasks", 0, "retry", "backoff"), "slow"),  # not one of the literals
        (("tasks", 0, "timeout"), 0),  # an integer must be positive
        (("tasks", 0, "timeout"), 1.5),  # a float
        (("tasks", 0, "next", 0, "do"), "b"),  # a string is no list
        (("tasks", 0, "next", 1, "chart_meta"), 1),  # the field's name is not its key
        (("tasks", 0, "input"), {1: "x"}),  # a key that is not a string
        (("tasks", 0, "unknown"), 1),  # an unknown key
        (("tasks", 1, "tasks", 0, "join"), -1),  # in a sub-task
        (("tasks", 1, "tasks", 0, "wait_for", "inquiry"), 0),
        (("tasks", 0, "name"), "a\ud800"),  # a lone surrogate is left to pydantic
        (("tasks", 0, "retry", "count"), 2**70),  # a large integer is left to pydantic
        (("output_map", "total"), None),
    ],
)
def test_invalid_values_are_not_proved(path: tuple[Any, ...], value: Any) -> None:
    assert not _proved(_with(path, value))


def test_a_missing_required_key_is_not_proved() -> None:
    data = copy.deepcopy(VALID)
    del data["tasks"][1]["tasks"][0]["name"]
    assert not _proved(data)
    assert not _pydantic_valid(WorkflowFile, data)


def test_models_it_cannot_read_get_no_proof() -> None:
    # the action model lower-cases its enums before validating them
    assert valid_checker(ActionFile) is None


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**65), max_value=2**65)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.sampled_from(["action", "parallel", "linear", "constant", "", "x" * 60]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


_PATHS = _paths(VALID)
_KEYS = sorted({str(path[-1]) for path in _PATHS if isinstance(path[-1], str)} | {"join", "type"})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(_PATHS), st.sampled_from(_KEYS) | st.none(), _values),
        min_size=1,
        max_size=3,
    )
)
def test_a_proof_always_agrees_with_pydantic(edits: list[tuple[tuple[Any, ...], Any, Any]]) -> None:
    data = copy.deepcopy(VALID)
    for path, key, value in edits:
        target: Any = data
        try:
            for step in path[:-1]:
                target = target[step]
            if key is not None and isinstance(target, dict):
                target[key] = value  # a key added (or replaced) beside the path's
            else:
                target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    if _proved(data):
        assert _pydantic_valid(WorkflowFile, data)


def _workflow_files() -> list[Path]:
    return sorted(p for p in DATA.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def test_proofs_on_the_test_files_agree_with_pydantic() -> None:
    config = Config()
    index = PackIndex()
    proved = 0
    for path in _workflow_files():
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # the cases of unreadable files
        ctx = Context(path, text, parse_yaml(text), index=index, config=config)
        if ctx.kind is not FileKind.WORKFLOW or not isinstance(ctx.decoded, dict):
            continue
        if _proved(ctx.decoded):
            assert _pydantic_valid(WorkflowFile, ctx.decoded), path
        if proved_as_decoded(WorkflowFile, text, ctx.data):
            proved += 1
            assert _pydantic_valid(WorkflowFile, ctx.data), path
            root = ctx.doc.root
            assert decode_with_texts(WorkflowFile, root, ctx.data) == (ctx.data, []), path
    assert proved > 20  # the proof serves the common case


_TASK = "tasks:\n  - name: a\n    action: p.b\n"


@pytest.mark.parametrize(
    ("text", "proved"),
    [
        ('version: "1"\n' + _TASK, True),
        ('version: "1"\n' + _TASK + '    when: "{{ a != b }}"\n', True),  # an operator
        ("version: 1.0\n" + _TASK, False),  # a float the decoder reads as text
        ("version: !!str 1\n" + _TASK, False),  # a tag
        ('version: "1"\n' + _TASK + "    input:\n", False),  # empty: the decoder's {}
        ('version: "1"\nvars: {1: a}\n' + _TASK, False),  # a key the decoder makes text
        ('version: "1"\n' + _TASK + "    do: x\n", False),  # unknown key
    ],
)
def test_texts_proved_as_their_own_decoding(text: str, proved: bool) -> None:
    doc = parse_yaml(text)
    assert proved_as_decoded(WorkflowFile, text, doc.data) is proved
    if proved:
        assert doc.root is not None
        assert decode_with_texts(WorkflowFile, doc.root, doc.data) == (doc.data, [])
