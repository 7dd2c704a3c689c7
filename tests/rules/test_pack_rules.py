"""Pack and cross-file rules: refs, actions and their inputs, files and schemas, and fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rulekit import Spec, apply, spec

from attune_workflow.check import check_text
from attune_workflow.config import Config
from attune_workflow.diagnostics import Diagnostic, Fix, Severity
from attune_workflow.packindex import PackIndex
from attune_workflow.rules import GROUPS, RULES_BY_ID
from attune_workflow.workspace import build_index

PACK_RULES = set(GROUPS["Pack and cross-file"])
LOOSE = Path("loose/w.yaml")
HEAD = 'version: "1.0.0"\ntasks:\n'


def diagnostics(
    text: str,
    *rules: str,
    path: Path = LOOSE,
    index: PackIndex | None = None,
    config: Config | None = None,
) -> list[Diagnostic]:
    found = check_text(path, text, index=index or PackIndex(), config=config or Config())
    wanted = set(rules) or PACK_RULES
    return [d for d in found if d.code in wanted]


def spans(
    text: str,
    *rules: str,
    path: Path = LOOSE,
    index: PackIndex | None = None,
    config: Config | None = None,
) -> list[Spec]:
    """Full span specs of the findings (see ``rulekit``)."""
    return [spec(d) for d in diagnostics(text, *rules, path=path, index=index, config=config)]


def only_fix(diagnostic: Diagnostic) -> Fix:
    assert len(diagnostic.fixes) == 1, diagnostic
    return diagnostic.fixes[0]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def check_file(
    root: Path, name: str, *rules: str, config: Config | None = None
) -> list[Diagnostic]:
    path = (root / name).resolve()
    index = build_index([root], Config())
    return diagnostics(
        path.read_text(encoding="utf-8"), *rules, path=path, index=index, config=config
    )


def task(action: str, extra: str = "") -> str:
    return HEAD + f"  - name: t\n    action: {action}\n{extra}"


# -- invalid-ref -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "bad"),
    [
        ("core.", True),
        (".echo", True),
        ("core..echo", True),
        ("echo", True),
        ('"core."', True),
        ("a.b.c", False),
        ("core.echo", False),
        ('"{{ parameters.action }}"', False),
    ],
)
def test_task_action_ref_format(action: str, bad: bool) -> None:
    found = spans(task(action), "invalid-ref")
    assert found == ([("invalid-ref", 4, 13, 4, 13 + len(action))] if bad else [])


def test_sub_task_action_refs_are_checked() -> None:
    text = HEAD + (
        "  - name: p\n    type: parallel\n    tasks:\n      - name: a\n        action: core.\n"
    )
    assert spans(text, "invalid-ref") == [("invalid-ref", 7, 17, 7, 22)]


def test_workflow_ref_gets_a_lowercase_fix() -> None:
    text = 'ref: "MyPack.Deploy"\n' + task("core.echo")
    (d,) = diagnostics(text, "invalid-ref")
    assert (d.span.line, d.span.column, d.span.end_column) == (0, 5, 20)
    assert "did you mean 'mypack.deploy'?" in d.message
    assert apply(text, only_fix(d)).startswith('ref: "mypack.deploy"\n')


def test_graph_file_without_ref_is_fine() -> None:
    assert (
        diagnostics(task("core.echo"), "invalid-ref", path=Path("p/actions/workflows/w.yaml")) == []
    )


def test_action_file_without_ref_gets_an_insert_fix(tmp_path: Path) -> None:
    write(tmp_path / "shop", {
        "pack.yaml": 'ref: shop\nversion: "1.0.0"\n',
        "actions/refund.yaml": "# Refund an order\nlabel: Refund\nrunner_type: python\n",
    })  # fmt: skip
    (d,) = check_file(tmp_path / "shop", "actions/refund.yaml", "invalid-ref")
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 0, 5)
    text = (tmp_path / "shop" / "actions" / "refund.yaml").read_text()
    assert apply(text, only_fix(d)) == (
        "# Refund an order\nref: shop.refund\nlabel: Refund\nrunner_type: python\n"
    )


def test_action_ref_of_wrong_type(tmp_path: Path) -> None:
    write(tmp_path / "shop", {"actions/a.yaml": "ref: 42\nrunner_type: shell\n"})
    (d,) = check_file(tmp_path / "shop", "actions/a.yaml", "invalid-ref")
    assert "not an integer" in d.message


# -- ref-mismatch ----------------------------------------------------------------------------


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    write(root, {
        "pack.yaml": 'label: Ledger\nref: ledger\nversion: "1.0.0"\n',
        "actions/close.yaml": "ref: ledger.close\nworkflow_file: workflows/close.yaml\n",
        "actions/workflows/close.yaml": "ref: ledger.closing\n" + task("core.echo"),
        "actions/pay.yaml": "ref: bank.pay\nrunner_type: python\n",
    })  # fmt: skip
    return root


def test_graph_ref_differs_from_linking_action(ledger: Path) -> None:
    (d,) = check_file(ledger, "actions/workflows/close.yaml", "ref-mismatch")
    assert (d.span.line, d.span.column, d.span.end_column) == (0, 5, 19)
    (related,) = d.related
    assert related.path == (ledger / "actions" / "close.yaml").resolve()
    assert (related.span.line, related.span.column, related.span.end_column) == (0, 5, 17)
    text = (ledger / "actions" / "workflows" / "close.yaml").read_text()
    assert apply(text, only_fix(d)).startswith("ref: ledger.close\n")


def test_action_ref_outside_its_pack(ledger: Path) -> None:
    (d,) = check_file(ledger, "actions/pay.yaml", "ref-mismatch")
    assert "does not belong to pack 'ledger'" in d.message
    (related,) = d.related
    assert related.path == (ledger / "pack.yaml").resolve()
    assert (related.span.line, related.span.column, related.span.end_column) == (1, 5, 11)
    assert apply("ref: bank.pay\n", only_fix(d)) == "ref: ledger.pay\n"


def test_graph_ref_equal_to_action_ref_defers_to_the_action(tmp_path: Path) -> None:
    write(tmp_path / "ledger", {
        "pack.yaml": 'ref: ledger\nversion: "1.0.0"\n',
        "actions/close.yaml": "ref: other.close\nworkflow_file: workflows/close.yaml\n",
        "actions/workflows/close.yaml": "ref: other.close\n" + task("core.echo"),
    })  # fmt: skip
    assert check_file(tmp_path / "ledger", "actions/workflows/close.yaml", "ref-mismatch") == []
    assert len(check_file(tmp_path / "ledger", "actions/close.yaml", "ref-mismatch")) == 1


def test_loose_workflow_ref_is_not_compared() -> None:
    assert diagnostics("ref: any.thing\n" + task("core.echo"), "ref-mismatch") == []


# -- unknown-action / unverified-action ------------------------------------------------------


def test_bundled_core_is_a_warning_with_a_fix() -> None:
    text = task('"core.ecko"')
    (d,) = diagnostics(text, "unknown-action")
    assert d.severity is Severity.WARNING
    assert (d.span.line, d.span.column, d.span.end_column) == (3, 12, 23)
    assert apply(text, only_fix(d)) == task('"core.echo"')


def test_workspace_pack_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "ops", {
        "pack.yaml": 'ref: ops\nversion: "1.0.0"\n',
        "actions/restart.yaml": "ref: ops.restart\nrunner_type: shell\n",
        "actions/w.yaml": "ref: ops.w\nworkflow_file: workflows/w.yaml\n",
        "actions/workflows/w.yaml": HEAD
        + "  - name: p\n    type: parallel\n    tasks:\n      - name: a\n"
        "        action: ops.Restart\n      - name: b\n        action: ops.restart\n",
    })  # fmt: skip
    (d,) = check_file(tmp_path / "ops", "actions/workflows/w.yaml", "unknown-action")
    assert d.severity is Severity.ERROR
    assert d.message.endswith("did you mean 'ops.restart'?")


def test_core_in_the_workspace_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {
        "core/pack.yaml": 'ref: core\nversion: "1.0.0"\n',
        "core/actions/x.yaml": "ref: core.x\nrunner_type: shell\n",
        "app/actions/w.yaml": "ref: app.w\nworkflow_file: workflows/w.yaml\n",
        "app/actions/workflows/w.yaml": task("core.nope")
        + "  - name: u\n    action: core.echo\n  - name: v\n    action: core.x\n",
    })  # fmt: skip
    found = check_file(tmp_path / "app", "actions/workflows/w.yaml", "unknown-action")
    assert [(d.severity, d.span.line) for d in found] == [(Severity.ERROR, 3)]


def test_database_pack_is_an_error() -> None:
    index = PackIndex()
    index.add_database_actions({"vault.read": {"param_schema": {"path": {"type": "string"}}}})
    found = diagnostics(task("vault.reed") + task("vault.read")[len(HEAD) :], index=index)
    assert [(d.code, d.severity, d.span.line) for d in found] == [
        ("unknown-action", Severity.ERROR, 3)
    ]
    assert "Attune database" in found[0].message


def test_unknown_pack_is_unverified_and_off_by_default() -> None:
    text = task("slack.post")
    assert diagnostics(text) == []
    (d,) = diagnostics(text, config=Config(strict=True))
    assert (d.code, d.severity) == ("unverified-action", Severity.INFORMATION)
    configured = Config(rules={"unverified-action": Severity.WARNING})
    assert [d.severity for d in diagnostics(text, config=configured)] == [Severity.WARNING]
    assert RULES_BY_ID["unverified-action"].enabled is False


def test_invalid_and_template_actions_are_not_looked_up() -> None:
    text = task("core.") + '  - name: u\n    action: "{{ parameters.a }}"\n'
    codes = {d.code for d in diagnostics(text, config=Config(strict=True))}
    assert codes == {"invalid-ref"}


# -- missing-input ---------------------------------------------------------------------------

CHAT = {
    "pack.yaml": 'ref: chat\nversion: "1.0.0"\n',
    "actions/post.yaml": (
        "ref: chat.post\nrunner_type: python\nparameters:\n"
        "  channel: {type: string, required: true}\n"
        "  count: {type: integer, required: true}\n"
        "  level: {type: string, required: true, enum: [low, high]}\n"
        "  quiet: {type: boolean, required: true, default: false}\n"
        "  note: {type: string}\n"
    ),
    "actions/w.yaml": "ref: chat.w\nworkflow_file: workflows/w.yaml\n",
}


def chat_fix(tmp_path: Path, body: str) -> tuple[Diagnostic, str]:
    text = HEAD + body
    write(tmp_path / "chat", {**CHAT, "actions/workflows/w.yaml": text})
    (d,) = check_file(tmp_path / "chat", "actions/workflows/w.yaml", "missing-input")
    return d, apply(text, only_fix(d))


def test_missing_input_without_input_key(tmp_path: Path) -> None:
    d, fixed = chat_fix(
        tmp_path, "  - name: t\n    action: chat.post  # post it\n    retry: {count: 1, delay: 1}\n"
    )
    assert (d.span.line, d.span.column, d.span.end_column) == (3, 12, 21)
    assert d.message.startswith("Required inputs 'channel', 'count', 'level' of action 'chat.post'")
    assert only_fix(d).title == "Add missing inputs"
    assert fixed == HEAD + (
        "  - name: t\n    action: chat.post  # post it\n    input:\n"
        '      channel: ""\n      count: 0\n      level: "low"\n'
        "    retry: {count: 1, delay: 1}\n"
    )
    assert [r.path.name for r in d.related if r.path] == ["post.yaml"] * 3
    assert [r.span.line for r in d.related] == [3, 4, 5]


def test_missing_input_in_block_input(tmp_path: Path) -> None:
    d, fixed = chat_fix(
        tmp_path,
        "  - name: t\n    action: chat.post\n    input:\n      channel: x\n      level: high\n",
    )
    assert (d.span.line, d.span.column, d.span.end_column) == (4, 4, 9)
    assert fixed.endswith("      channel: x\n      level: high\n      count: 0\n")


def test_missing_input_in_flow_input(tmp_path: Path) -> None:
    _, fixed = chat_fix(tmp_path, "  - name: t\n    action: chat.post\n    input: {channel: x}\n")
    assert fixed.endswith('    input: {channel: x, count: 0, level: "low"}\n')
    _, fixed = chat_fix(tmp_path, "  - name: t\n    action: chat.post\n    input: {}\n")
    assert fixed.endswith('    input: {channel: "", count: 0, level: "low"}\n')


def test_missing_input_with_empty_or_null_input(tmp_path: Path) -> None:
    _, fixed = chat_fix(tmp_path, "  - name: t\n    action: chat.post\n    input:\n")
    assert fixed.endswith('    input:\n      channel: ""\n      count: 0\n      level: "low"\n')
    _, fixed = chat_fix(tmp_path, "  - name: t\n    action: chat.post\n    input: null\n")
    assert fixed.endswith('    input: {channel: "", count: 0, level: "low"}\n')


def test_missing_input_in_flow_task(tmp_path: Path) -> None:
    _, fixed = chat_fix(tmp_path, "  - {name: t, action: chat.post}\n")
    assert fixed.endswith(
        '  - {name: t, action: chat.post, input: {channel: "", count: 0, level: "low"}}\n'
    )


def test_misspelt_input_is_not_also_missing(tmp_path: Path) -> None:
    text = (
        HEAD + "  - name: t\n    action: chat.post\n    input: {chanel: x, count: 1, level: low}\n"
    )
    write(tmp_path / "chat", {**CHAT, "actions/workflows/w.yaml": text})
    found = check_file(tmp_path / "chat", "actions/workflows/w.yaml")
    assert [d.code for d in found] == ["unknown-input"]


def test_json_schema_required_list() -> None:
    index = PackIndex()
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {}},
        "required": ["a", "b"],
    }
    index.add_database_actions({"db.act": {"param_schema": schema}})
    (d,) = diagnostics(task("db.act", "    input:\n      b: 1\n"), "missing-input", index=index)
    assert "'a'" in d.message and "'b'" not in d.message


def test_template_input_is_not_judged() -> None:
    found = diagnostics(task("core.build_pack_envs", '    input: "{{ parameters.all }}"\n'))
    assert "missing-input" not in {d.code for d in found}


# -- unknown-input ---------------------------------------------------------------------------


def test_unknown_input_rename_fix() -> None:
    text = task("core.echo", "    input:\n      'mesage': hi\n")
    (d,) = diagnostics(text, "unknown-input")
    assert (d.span.line, d.span.column, d.span.end_column) == (5, 6, 14)
    assert apply(text, only_fix(d)).endswith("      'message': hi\n")


def test_unknown_input_needs_known_parameters() -> None:
    index = PackIndex()
    index.add_database_actions({
        "db.free": {"param_schema": None},
        "db.open": {"param_schema": {"type": "object", "additionalProperties": True}},
    })  # fmt: skip
    text = (
        task("db.free", "    input: {x: 1}\n")
        + "  - name: u\n    action: db.open\n    input: {y: 2}\n"
    )
    assert diagnostics(text, "unknown-input", index=index) == []


# -- input-type ------------------------------------------------------------------------------

NUMS = {
    "db.nums": {
        "param_schema": {
            "i": {"type": "integer"},
            "n": {"type": "number"},
            "b": {"type": "boolean"},
            "e": {"type": "integer", "enum": [1, 2]},
            "s": {"type": "string", "enum": ["GET", "POST"]},
            "o": {"type": "object", "properties": {"k": {"type": "integer"}}},
        }
    }
}


def nums(body: str) -> list[Spec]:
    index = PackIndex()
    index.add_database_actions(NUMS)
    return spans(task("db.nums", "    input:\n" + body), "input-type", index=index)


@pytest.mark.parametrize(
    ("line", "bad"),
    [
        ("i: 3", False),
        ("i: true", True),
        ("i: 3.0", True),
        ("n: 3", False),
        ("n: 2.5", False),
        ("n: false", True),
        ("b: yes", True),
        ("b: true", False),
        ("e: 2", False),
        ("e: 3", True),
        ("i: null", False),
        ("i: '{{ parameters.i }}'", False),
        ("i: 'x {{ parameters.i }}'", False),
        ("s: POST", False),
        ("s: PUT", True),
        ("o: {k: 1}", False),
        ("o: {k: one}", True),
    ],
)
def test_input_type_literals(line: str, bad: bool) -> None:
    assert bool(nums(f"      {line}\n")) is bad


def test_enum_true_is_not_one() -> None:
    index = PackIndex()
    index.add_database_actions({"db.e": {"param_schema": {"e": {"enum": [1, 0]}}}})
    found = spans(task("db.e", "    input:\n      e: true\n"), "input-type", index=index)
    assert found == [("input-type", 6, 10, 6, 14)]


def test_input_type_fixes() -> None:
    text = task(
        "core.http_request", "    input:\n      url: 1.0\n      timeout: '30'\n      method: post\n"
    )
    found = diagnostics(text, "input-type")
    assert [
        apply(text, only_fix(d)).splitlines()[i] for d, i in zip(found, (5, 6, 7), strict=True)
    ] == [
        '      url: "1.0"',
        "      timeout: 30",
        "      method: POST",
    ]


def test_input_type_in_block_scalar_points_at_content() -> None:
    text = task("core.sleep", "    input:\n      seconds: >-\n        ten\n")
    assert spans(text, "input-type") == [("input-type", 7, 9, 7, 12)]


# -- workflow-file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("actions/workflows/w.yaml", "workflows/w.yaml"),
        ("./workflows/w.yaml", "workflows/w.yaml"),
        ("w.yaml", "workflows/w.yaml"),
        ("workflows/x.yaml", "workflows/w.yaml"),
        ("C:\\packs\\p\\actions\\workflows\\w.yaml", None),
        ("workflows/../workflows/w.yaml", None),
    ],
)
def test_workflow_file_paths(tmp_path: Path, value: str, fixed: str | None) -> None:
    text = f"ref: p.a\nworkflow_file: '{value}'\n"
    write(tmp_path / "p", {"actions/a.yaml": text, "actions/workflows/w.yaml": task("core.echo")})
    (d,) = check_file(tmp_path / "p", "actions/a.yaml", "workflow-file")
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 15, 17 + len(value))
    if fixed is None:
        assert d.fixes == ()
    else:
        assert apply(text, only_fix(d)) == f"ref: p.a\nworkflow_file: '{fixed}'\n"


def test_workflow_file_existence_needs_the_folder() -> None:
    text = "ref: p.a\nworkflow_file: workflows/w.yaml\n"
    assert diagnostics(text, path=Path("/nonexistent/p/actions/a.yaml")) == []


# -- orphan-workflow-file / legacy-location --------------------------------------------------


def test_orphan_related_points_at_the_namesake_action(tmp_path: Path) -> None:
    write(tmp_path / "p", {
        "pack.yaml": 'ref: p\nversion: "1.0.0"\n',
        "actions/deploy.yaml": "ref: p.deploy\nworkflow_file: workflows/deploy.yaml\n",
        "actions/workflows/deploy.workflow.yaml": "# the graph\n" + task("core.echo"),
    })  # fmt: skip
    found = check_file(
        tmp_path / "p", "actions/workflows/deploy.workflow.yaml", "orphan-workflow-file"
    )
    (d,) = found
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 0, 7)
    (related,) = d.related
    assert related.path is not None and related.path.name == "deploy.yaml"
    assert (related.span.line, related.span.column) == (1, 15)


def test_no_pack_no_orphan_or_legacy() -> None:
    assert diagnostics(task("core.echo"), path=Path("x/actions/workflows/w.yaml")) == []
    assert diagnostics(task("core.echo"), path=Path("x/workflows/w.yaml")) == []


def test_legacy_location_only_in_a_real_pack(tmp_path: Path) -> None:
    write(tmp_path, {
        "p/actions/a.yaml": "ref: p.a\nrunner_type: shell\n",
        "p/workflows/w.yaml": "ref: p.w\n" + task("core.echo"),
        "q/workflows/w.yaml": "ref: q.w\n" + task("core.echo"),
        "p/sub/workflows/w.yaml": "ref: p.v\n" + task("core.echo"),
    })  # fmt: skip
    assert [d.code for d in check_file(tmp_path / "p", "workflows/w.yaml")] == ["legacy-location"]
    assert check_file(tmp_path / "q", "workflows/w.yaml") == []
    assert check_file(tmp_path / "p", "sub/workflows/w.yaml", "legacy-location") == []


# -- schema-format ---------------------------------------------------------------------------


def schema_diags(params: str, kind_path: Path = LOOSE) -> list[Diagnostic]:
    return diagnostics(
        "parameters:\n" + params + task("core.echo"), "schema-format", path=kind_path
    )


def test_schema_fixes() -> None:
    text = "parameters:\n  a: str\n  b: {type: Int, required: 'yes'}\n" + task("core.echo")
    found = diagnostics(text, "schema-format")
    fixed = [
        apply(text, only_fix(d)).splitlines()[i] for d, i in zip(found, (1, 2, 2), strict=True)
    ]
    assert fixed == [
        "  a: {type: string}",
        "  b: {type: integer, required: 'yes'}",
        "  b: {type: Int, required: true}",
    ]


def test_schema_empty_field_points_at_its_key() -> None:
    assert [(d.span.line, d.span.column) for d in schema_diags("  a:\n")] == [(1, 2)]


def test_json_schema_shapes_are_accepted() -> None:
    ok = (
        "  type: object\n  properties:\n    a: {type: string}\n"
        "    b: {type: object, properties: {c: {type: integer}}, required: [c]}\n"
        "  required: [a]\n  additionalProperties: false\n"
    )
    assert schema_diags(ok) == []
    bad = "  type: object\n  properties:\n    a: {type: text}\n"
    assert "did you mean 'string'?" in schema_diags(bad)[0].message


def test_schema_not_a_mapping_in_action(tmp_path: Path) -> None:
    write(tmp_path / "p", {"actions/a.yaml": "ref: p.a\nrunner_type: shell\nparameters: [a, b]\n"})
    (d,) = check_file(tmp_path / "p", "actions/a.yaml", "schema-format")
    assert (d.span.line, d.span.column, d.span.end_column) == (2, 12, 18)


# -- pack-manifest ---------------------------------------------------------------------------


def manifest(text: str, tmp_path: Path, folder: str = "my-pack") -> list[Diagnostic]:
    write(tmp_path / folder, {"pack.yaml": text})
    return check_file(tmp_path / folder, "pack.yaml")


def test_manifest_inserts_missing_keys(tmp_path: Path) -> None:
    text = "# My pack\nlabel: Mine\n"
    found = manifest(text, tmp_path)
    assert [(d.code, d.span.line) for d in found] == [("pack-manifest", 1), ("pack-manifest", 1)]
    assert apply(text, only_fix(found[0])) == "# My pack\nref: my-pack\nlabel: Mine\n"
    assert apply(text, only_fix(found[1])) == '# My pack\nversion: "0.1.0"\nlabel: Mine\n'


@pytest.mark.parametrize(
    ("version", "fixed"),
    [
        ("1", '"1.0.0"'),
        ("1.10", '"1.10.0"'),
        ('"v2.1"', '"2.1.0"'),
        ('"1.2.3.4"', None),
        ("[1]", None),
    ],
)
def test_manifest_versions(tmp_path: Path, version: str, fixed: str | None) -> None:
    text = f"ref: p\nversion: {version}\n"
    (d,) = manifest(text, tmp_path)
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 9, 9 + len(version))
    if fixed is None:
        assert d.fixes == ()
    else:
        assert apply(text, only_fix(d)) == f"ref: p\nversion: {fixed}\n"


@pytest.mark.parametrize("version", ['"1.0.0"', "1.0.0", '"0.1.0-rc.1+exp.sha.5114f85"'])
def test_manifest_valid_versions(tmp_path: Path, version: str) -> None:
    assert manifest(f"ref: p\nversion: {version}\n", tmp_path) == []


def test_manifest_not_a_mapping_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path / "p", {"pack.yaml": "- ref: p\n"})
    found = check_file(tmp_path / "p", "pack.yaml", "not-a-workflow", *PACK_RULES)
    assert [d.code for d in found] == ["not-a-workflow"]


def test_manifest_legacy_alias_related(tmp_path: Path) -> None:
    (d,) = manifest('ref: p\nversion: "1.0.0"\nmeta: {}\nmetadata: {a: 1}\n', tmp_path)
    assert (d.span.line, d.span.column, d.span.end_column) == (3, 0, 8)
    assert [(r.span.line, r.message) for r in d.related] == [(2, "'meta' is given here")]


# -- the whole group on real files and at scale ----------------------------------------------


def test_big_valid_workflow_is_silent() -> None:
    body = "".join(
        f"  - name: t{i}\n    action: core.http_request\n    input:\n"
        f"      url: 'https://x/{i}'\n      method: GET\n      timeout: 5\n"
        for i in range(1000)
    )
    text = HEAD + body
    from attune_workflow.context import Context
    from attune_workflow.yamlsource import parse_yaml

    index = PackIndex()
    ctx = Context(
        Path("p/actions/workflows/w.yaml"), text, parse_yaml(text), index=index, config=Config()
    )
    assert ctx.view is not None
    for rule_id in sorted(PACK_RULES):
        rule = RULES_BY_ID[rule_id]
        if ctx.kind not in rule.kinds:
            continue
        assert list(rule.check(ctx)) == [], rule_id
