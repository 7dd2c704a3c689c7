"""The document as serde_yaml_ng decodes it into Attune's workflow structs."""

from __future__ import annotations

from typing import Any

import pytest

from attune_workflow.model import WorkflowFile
from attune_workflow.model.decode import decode, decode_with_texts
from attune_workflow.yamlsource import parse_yaml


def decoded(text: str) -> Any:
    doc = parse_yaml(text)
    assert doc.root is not None
    return decode(WorkflowFile, doc.root, doc.data)


@pytest.mark.parametrize(
    ("value", "text"),
    [("1.0", "1.0"), ("1.10", "1.10"), ("010", "010"), ("true", "true"), ("~", "~"), ("", "")],
)
def test_a_required_string_field_takes_the_scalar_text(value: str, text: str) -> None:
    assert decoded(f"version: {value}\ntasks: []\n")["version"] == text


def test_optional_fields_treat_plain_null_as_absent() -> None:
    data = decoded('version: "1"\ndescription: ~\ntasks:\n  - name: a\n    when:\n')
    assert data["description"] is None
    assert data["tasks"][0]["when"] is None


def test_empty_values_are_empty_collections_but_tilde_stays_null() -> None:
    data = decoded(
        'version: "1"\ntasks:\n  - name: a\n    input:\n    next:\n  - name: b\n    input: ~\n'
    )
    assert data["tasks"][0]["input"] == {}
    assert data["tasks"][0]["next"] == []
    assert data["tasks"][1]["input"] is None


def test_text_keys_and_typed_values() -> None:
    data = decoded(
        'version: "1"\nvars: {1: 2}\ntasks:\n  - name: a\n    timeout: 30\n    join: 2\n'
        "    next:\n      - do: [1, b]\n        publish:\n          - x: 5\n"
    )
    assert data["vars"] == {"1": 2}  # the key is text, the value keeps its type
    task = data["tasks"][0]
    assert (task["timeout"], task["join"]) == (30, 2)  # untagged int-or-template; u32
    assert task["next"][0]["do"] == ["1", "b"]
    assert task["next"][0]["publish"] == [{"x": 5}]  # publish values keep their type


def test_the_scalars_taken_as_text_are_listed_with_their_paths() -> None:
    doc = parse_yaml(
        "version: 1.0\ntasks:\n  - name: 7\n    action: p.a\noutput_map:\n  ok: true\n"
    )
    assert doc.root is not None
    _, texts = decode_with_texts(WorkflowFile, doc.root, doc.data)
    assert [(node.value, path) for node, path in texts] == [
        ("1.0", ("version",)),
        ("7", ("tasks", 0, "name")),
        ("true", ("output_map", "ok")),
    ]


def test_aliases_decode_once() -> None:
    text = 'version: "1"\ntasks:\n  - &t {name: a, action: p.a}\n  - *t\n'
    data = decoded(text)
    assert data["tasks"][0] == data["tasks"][1] == {"name": "a", "action": "p.a"}
