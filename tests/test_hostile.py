"""Hostile and odd workspaces: each odd file costs only its own findings, in bounded work.

Every trigger of ``hostile.TRIGGERS`` is put in one pack beside a good pack with
a known finding; ``--check`` and the registrar must keep the good pack's
findings, report the odd file under its own rule, never crash, never hang and
never read outside the pack. ``ATTUNE_LSP_FUZZ=1`` runs the property tests at
the end with many more examples.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attune_workflow.check as check_module
import attune_workflow.registrar.registration as registration
import attune_workflow.rules.workflow_file as workflow_file_rule
import attune_workflow.yamlsource as yamlsource
from attune_lsp.cli import build_parser, main, run_check
from attune_lsp.output import write_report
from attune_workflow.check import check_text
from attune_workflow.config import Config, ConfigError, load_config_file
from attune_workflow.context import FileKind
from attune_workflow.diagnostics import INTERNAL_ERROR, FileReport
from attune_workflow.packindex import PackIndex, read_pack
from attune_workflow.registrar.embedded import _read_config, _write_config
from attune_workflow.registrar.errors import (
    RedactingFilter,
    redact_text,
    redact_url,
    remember_secrets,
    scrub,
    url_passwords,
)
from attune_workflow.rules import RULES_BY_ID
from attune_workflow.rules.base import Rule
from attune_workflow.workspace import check_paths
from attune_workflow.yamlsource import parse_yaml
from hostile import GOOD_WORKFLOW, TRIGGERS, WORKFLOW_HEAD, alias_bomb, make_pack, make_workspace

FUZZ = os.environ.get("ATTUNE_LSP_FUZZ") == "1"
TIMEOUT = 120  # seconds; a hang (a FIFO opened, an alias bomb expanded) fails instead of stalling


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """The real command in a fresh process, with a time limit."""
    exe = Path(sys.executable).parent / "attune-lsp"
    proc = subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env={**os.environ, "GITHUB_ACTIONS": "false", "ATTUNE_LSP_LOG": ""},
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def in_process(*args: str) -> tuple[int, str, str]:
    """``attune-lsp check`` in this process (so that tests can patch the engine)."""
    parsed = build_parser().parse_args(["check", "--color", "never", *args])
    out, err = io.StringIO(), io.StringIO()
    code = run_check(parsed, out, err)
    return code, out.getvalue(), err.getvalue()


def codes(items: list[dict[str, Any]], part: str) -> set[str]:
    return {item["code"] for item in items if part in item["path"]}


# -- High 2 and 3: one odd file costs only its own findings; never a traceback -------------


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_odd_file_costs_only_its_own_findings(tmp_path: Path, trigger: str) -> None:
    workspace, odd = make_workspace(tmp_path)
    expected = TRIGGERS[trigger](odd)
    code, out, err = cli("--check", "--format", "json", str(workspace))
    assert "Traceback" not in err, err
    assert code == 1, (code, err)
    items = json.loads(out)
    assert "unknown-task" in codes(items, "good/"), "the good pack's finding is lost"
    assert expected in codes(items, "odd/"), items
    assert INTERNAL_ERROR not in {item["code"] for item in items}, items


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_odd_sibling_pack_does_not_stop_the_check(tmp_path: Path, trigger: str) -> None:
    workspace, odd = make_workspace(tmp_path)
    TRIGGERS[trigger](odd)
    code, out, _ = in_process("--format", "json", "--jobs", "1", str(workspace / "good"))
    assert code == 1
    assert {item["code"] for item in json.loads(out)} == {"unknown-task"}


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
def test_registrar_reads_an_odd_pack_without_crashing(tmp_path: Path, trigger: str) -> None:
    workspace, odd = make_workspace(tmp_path)
    TRIGGERS[trigger](odd)
    records, problems = registration.collect([workspace])
    good = [r for r in records if r.pack_ref == "good"]
    assert good and good[0].errors, "the good pack's record and its error are kept"
    odd_records = [r for r in records if r.pack_ref == "odd"]
    refused = any(r.errors for r in odd_records) or any("/odd/" in p for p in problems)
    # An action linking no file (the NUL name) holds back nothing that is registered.
    assert refused or trigger == "nul-in-workflow-file", (odd_records, problems)
    everything = [*problems, *(e for r in records for e in r.errors)]
    assert not any(INTERNAL_ERROR in line for line in everything), everything


def _raising_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(ctx: Any) -> Any:
        raise ZeroDivisionError("boom")

    broken = Rule(
        id="broken",
        severity=check_module.RULES[0].severity,
        kinds=frozenset(FileKind),
        check=explode,
        check_bytes=None,
        enabled=True,
        doc="",
        module=__name__,
    )
    monkeypatch.setattr(check_module, "RULES", (*check_module.RULES, broken))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_crashing_rule_is_exit_3_with_other_findings_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fmt: str
) -> None:
    pack = make_pack(tmp_path / "p", "p", GOOD_WORKFLOW)
    wf = pack / "actions" / "workflows" / "w.yaml"
    wf.write_text("# attune: ignore-file[internal-error]\n" + GOOD_WORKFLOW)
    _raising_rule(monkeypatch)
    with caplog.at_level(logging.ERROR):
        code, out, err = in_process("--format", fmt, "--jobs", "1", str(pack))
    assert code == 3
    assert "[unknown-task]" in out or '"unknown-task"' in out, "other findings still printed"
    assert INTERNAL_ERROR in out, "an internal error is never suppressed"
    if fmt == "json":
        json.loads(out)
    crash_lines = [line for line in err.splitlines() if "internal error" in line]
    assert len(crash_lines) == 1 and "Traceback" not in err
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "broken" in logged and any(r.exc_info for r in caplog.records), "rule id and traceback"


def test_crash_outside_the_files_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the index\nbroke")

    monkeypatch.setattr("attune_workflow.workspace.check_paths", fail)
    assert main(["--check", str(make_pack(tmp_path / "p", "p"))]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: the index broke" in err


def test_register_crash_is_exit_3_and_refuses_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = make_pack(tmp_path / "p", "p")

    def fail(*args: Any) -> Any:
        raise KeyError("odd")

    monkeypatch.setattr(registration, "_load_job", fail)
    monkeypatch.setenv("ATTUNE_DATABASE_URL", "postgresql://u:secret@127.0.0.1:1/none")
    assert main(["register", str(pack)]) == 3
    captured = capsys.readouterr()
    assert "nothing registered" in captured.out and "[internal-error]" in captured.out
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    workspace, _ = make_workspace(tmp_path)
    for i in range(30):
        make_pack(workspace / f"more{i}", f"more{i}", GOOD_WORKFLOW)
    exe = Path(sys.executable).parent / "attune-lsp"
    proc = subprocess.Popen(
        [str(exe), "--check", "--color", "never", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=TIMEOUT)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_terminal_escapes_from_files_are_shown_escaped() -> None:
    from attune_workflow.diagnostics import Diagnostic, Severity
    from attune_workflow.positions import Span

    report = FileReport(
        Path("/x/\x1b]0;t\x07w.yaml"),
        (Diagnostic(Span(0, 0, 0, 1), Severity.ERROR, "unknown-task", "bad '\x1b[2J\x9b31m'"),),
    )
    out = io.StringIO()
    write_report([report], "text", out, show_source=True, texts={report.path: "a: \x1b[5m\n"})
    out_github = io.StringIO()
    write_report([report], "github", out_github)
    for text in (out.getvalue(), out_github.getvalue()):
        assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "\\x1b[2J" in out.getvalue()


# -- High 5: alias expansion is bounded, reported, and refused by the registrar -----------


@pytest.mark.parametrize("where", ["input", "output_map", "when"])
def test_alias_bomb_is_one_finding_in_bounded_output(tmp_path: Path, where: str) -> None:
    bomb = alias_bomb()
    if where == "output_map":
        bomb = bomb.replace("    input:\n", "output_map:\n").replace("      l", "  l")
        bomb = bomb.replace("output_map:", "    input: {}\noutput_map:")
    elif where == "when":
        bomb += "    next:\n      - when: *l8\n"
    path = tmp_path / "bomb.workflow.yaml"
    path.write_text(bomb)
    code, out, err = cli("--check", "--format", "json", str(path))
    assert code == 1 and "Traceback" not in err
    assert len(out) < 10_000, f"{len(out):,} bytes of output from {len(bomb)} bytes"
    messages = [item["message"] for item in json.loads(out) if item["code"] == "yaml-syntax"]
    assert any("repetition limit exceeded" in m for m in messages), out


def test_alias_expansion_is_measured_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    built = 0
    original = yamlsource._Builder.build

    def counting(self: Any, node: Any) -> Any:
        nonlocal built
        built += 1
        return original(self, node)

    monkeypatch.setattr(yamlsource._Builder, "build", counting)
    tracemalloc.start()
    try:
        doc = parse_yaml(alias_bomb(levels=12, width=12))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc.syntax_error is not None and doc.data is None
    assert built == 0, "no data is built from a refused document"
    assert peak < 20 * 1024 * 1024


def test_ordinary_anchors_are_not_refused() -> None:
    text = "defaults: &d {retry: 2, delay: 5}\n" + "".join(
        f"t{i}: {{<<: *d, name: t{i}}}\n" for i in range(200)
    )
    doc = parse_yaml(text)
    assert doc.syntax_error is None and doc.data["t199"]["name"] == "t199"


def test_recursion_and_depth_are_findings_not_crashes() -> None:
    index = PackIndex()
    for text in (
        "a: &x [1, *x]\n",
        "a: &x {k: *x}\n",
        "a: " + "[" * 300 + "]" * 300 + "\n",
        "tasks: " + "{a: " * 200 + "1" + "}" * 200 + "\n",
    ):
        found = check_text(Path("w.workflow.yaml"), text, index=index, config=Config(strict=True))
        assert {d.code for d in found} == {"yaml-syntax"}, (text[:30], found)


def test_registrar_refuses_an_alias_bomb(tmp_path: Path) -> None:
    pack = make_pack(tmp_path / "p", "p", alias_bomb())
    records, problems = registration.collect([pack])
    assert not problems
    (record,) = records
    assert any("repetition limit exceeded" in e for e in record.errors)
    assert len(json.dumps(record.definition)) < 10_000


# -- Medium 6, 7, 8: FIFOs, links out of a pack, size before reading ------------------------


def test_fifo_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "w.workflow.yaml"
    os.mkfifo(fifo)
    code, out, _ = cli("--check", str(fifo))
    assert code == 1 and "FIFO" in out and "[unreadable-file]" in out


def test_fifo_in_a_loose_tree_is_skipped_with_a_notice(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "w.yaml")
    (tmp_path / "sub" / "x.yaml").write_text(GOOD_WORKFLOW)
    code, out, _ = cli("--check", str(tmp_path))
    assert code == 1, "the regular file is still checked"
    assert "w.yaml:1:1: warning: The file is a FIFO" in out and "[unknown-task]" in out


def test_link_out_of_the_pack_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:TOPSECRET-HASH:19000:0:99999:7:::\n")
    pack = make_pack(tmp_path / "p", "p")
    (pack / "actions" / "workflows" / "s.yaml").symlink_to(secret)
    (pack / "actions" / "s.yaml").symlink_to(secret)
    _, out, _ = cli("--check", "--color", "always", str(pack))
    assert "TOPSECRET" not in out
    assert out.count("outside the pack folder") == 2
    records, problems = registration.collect([pack])
    stored = json.dumps([r.definition for r in records]) + "".join(problems)
    assert "TOPSECRET" not in stored
    assert any("outside the pack folder" in e for r in records for e in r.errors)
    assert "p.s" not in {a.ref for a in read_pack(pack).actions.values()}


def test_size_limit_is_applied_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.workflow.yaml"
    with big.open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: no disk used
    tracemalloc.start()
    try:
        reports = check_paths([big], Config(), jobs=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (report,) = reports
    assert [d.code for d in report.diagnostics] == ["file-too-large"]
    assert "314,572,800 bytes" in report.diagnostics[0].message
    assert peak < 20 * 1024 * 1024, f"{peak:,} bytes allocated"


def test_large_sibling_action_file_is_not_parsed_for_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attune_workflow.packindex as packindex

    workspace, odd = make_workspace(tmp_path)
    (odd / "actions" / "big.yaml").write_text("ref: odd.big\n" + "k: v\n" * 600_000)
    parsed: list[int] = []
    original = packindex.parse_yaml

    def spy(text: str) -> Any:
        parsed.append(len(text))
        return original(text)

    monkeypatch.setattr(packindex, "parse_yaml", spy)
    code, _, _ = in_process("--jobs", "1", str(workspace / "good"))
    assert code == 1 and parsed
    assert max(parsed) <= packindex.MAX_INDEXED_SIZE


# -- Medium 9: findings per string are linear and capped -----------------------------------


def test_many_findings_in_one_string_are_linear_and_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    original = yamlsource.scalar_offsets

    def counting(text: str, node: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(text, node)

    monkeypatch.setattr(yamlsource, "scalar_offsets", counting)
    text = WORKFLOW_HEAD + '    input:\n      m: "' + " ".join(["{{ x }}"] * 8000) + '"\n'
    found = check_text(Path("w.workflow.yaml"), text, index=PackIndex(), config=Config())
    unknown = [d for d in found if d.code == "unknown-variable"]
    assert len(unknown) == check_module.FINDINGS_PER_STRING + 1
    assert any("and 7,980 more findings" in d.message for d in unknown)
    assert calls <= 5, f"the offsets of one string were computed {calls} times"


# -- Medium 10: passwords never shown -------------------------------------------------------

PASSWORDS = ["hunter2@corp?2024", "pa/ss@w?rd", "p%40ss", "a:b:c", "x#y@z", "1@2/3?4%5:6#7"]


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("encoded", [False, True])
def test_password_never_shown(password: str, encoded: bool) -> None:
    from urllib.parse import quote

    written = quote(password, safe="") if encoded else password
    url = f"postgresql://alice:{written}@db.example:5432/attune?sslmode=require"
    shown = redact_url(url)
    assert "***" in shown and written not in shown
    for reading in url_passwords(url):
        assert reading not in shown
    # libpq's reading (user info ends at the first "@" before any "/") is hidden too.
    rest = url.split("://", 1)[1]
    first_at = rest.find("@")
    if "/" not in rest[:first_at]:
        libpq = rest[: rest.find("@")].partition(":")[2]
        assert libpq not in shown
        assert libpq not in scrub(
            f"FATAL: password authentication failed ({libpq})", *url_passwords(url)
        )
    assert written not in redact_text(f"settings: {{'databaseUrl': '{url}'}}")


def test_query_and_keyword_passwords_are_hidden() -> None:
    assert "zz&q" not in redact_url("postgresql://h/d?password=zz&q&sslmode=require")
    assert "it's" not in redact_url("host=h password='it\\'s' user=u")
    assert "s3" not in redact_text('{"password": "s3cr\\"et", "user": "u"}')


def test_log_lines_never_hold_settings_passwords() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test_hostile.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    remember_secrets("postgresql://alice:pa%2Fss@db/attune")
    try:
        params = {"initializationOptions": {"databaseUrl": "postgresql://a:hunter2@corp?2024@db/x"}}
        logger.info("Language server initialized %s", params)
        logger.debug("Client response received: %s", [{"databaseUrl": "host=h password=kv-secret"}])
        logger.info("raw %s", "pa/ss")
        try:
            raise ValueError("cannot connect to postgresql://alice:tb-secret@db/x")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for secret in ("hunter2", "corp?2024", "kv-secret", "pa/ss", "tb-secret"):
        assert secret not in text, text


def test_server_log_never_holds_the_initialize_password(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "attune-lsp"
    url = "postgresql://alice:hunter2@corp?2024@db/attune"
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": tmp_path.as_uri(),
                "capabilities": {},
                "initializationOptions": {"databaseUrl": url},
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    data = b""
    for message in messages:
        body = json.dumps(message).encode()
        data += b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    proc = subprocess.run(
        [str(exe)],
        input=data,
        capture_output=True,
        timeout=TIMEOUT,
        env={**os.environ, "ATTUNE_LSP_LOG": "debug"},
        check=False,
    )
    log = proc.stderr.decode(errors="replace")
    assert "initialize" in log, "the debug log is on"
    assert "hunter2" not in log and "corp?2024" not in log


# -- Medium 11, 13, 14, 15 -------------------------------------------------------------------


def test_register_refuses_the_batch_when_an_action_file_is_not_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = make_pack(tmp_path / "p", "p")
    (pack / "actions" / "w.yaml").write_text(
        "ref: p.w\nworkflow_file: workflows/w.yaml\nparameters: {a: [\n"
    )
    monkeypatch.setenv("ATTUNE_DATABASE_URL", "postgresql://u:secret@127.0.0.1:1/none")
    assert main(["register", str(pack)]) == 1
    out = capsys.readouterr().out
    assert "actions/w.yaml:" in out and "[yaml-syntax]" in out and "nothing registered" in out


def test_open_document_with_an_unreadable_tagged_value_keeps_its_findings() -> None:
    text = 'tasks:\n  - name: a\n    action: core.echo\n    timeout: !!int "soon"\n    next:\n      - do: [b]\n'
    found = check_text(Path("w.workflow.yaml"), text, index=PackIndex(), config=Config(strict=True))
    found_codes = {d.code for d in found}
    assert {"yaml-syntax", "missing-key", "unknown-task"} <= found_codes, found
    assert INTERNAL_ERROR not in found_codes


def test_unreadable_workflow_folder_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = make_pack(tmp_path / "p", "p")
    locked = pack / "actions" / "workflows"
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    reports = check_paths([pack], Config(), jobs=1)
    folder = [r for r in reports if r.path == locked]
    assert folder and folder[0].diagnostics[0].code == "unreadable-file"
    assert "Permission denied" in folder[0].diagnostics[0].message
    _, problems = registration.collect([pack])
    assert any("Permission denied" in p for p in problems)


def test_dangling_links_cost_one_folder_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = make_pack(tmp_path / "p", "p")
    for i in range(300):
        (pack / "actions" / f"a{i}.yaml").write_text(
            f"ref: p.a{i}\nworkflow_file: workflows/gone{i}.yaml\n"
        )
        (pack / "actions" / "workflows" / f"g{i}.yaml").write_text(WORKFLOW_HEAD)
    listings = 0
    original = workflow_file_rule.yaml_files

    def counting(folder: Path) -> list[Path]:
        nonlocal listings
        listings += 1
        return original(folder)

    monkeypatch.setattr(workflow_file_rule, "yaml_files", counting)
    workflow_file_rule._listing.cache_clear()
    reports = check_paths([pack], Config(), jobs=1)
    dangling = [d for r in reports for d in r.diagnostics if "does not exist" in d.message]
    assert len(dangling) == 300
    assert listings <= 1, f"the folder was listed {listings} times"


# -- Low ---------------------------------------------------------------------------------------


def test_apostrophe_in_the_data_folder_survives_the_configuration(tmp_path: Path) -> None:
    pgdata = tmp_path / "it's data"
    pgdata.mkdir()
    (pgdata / "postgresql.conf").write_text("")
    _write_config(pgdata, 5433, pgdata, {"fsync": "off"})
    assert _read_config(pgdata)["unix_socket_directories"] == str(pgdata)
    line = next(
        line
        for line in (pgdata / "attune-lsp.conf").read_text().splitlines()
        if line.startswith("unix_socket_directories")
    )
    assert line == f"unix_socket_directories = '{str(pgdata).replace(chr(39), chr(39) * 2)}'"


def test_bad_data_folder_is_never_to_be_removed(tmp_path: Path) -> None:
    from attune_workflow.registrar import embedded
    from attune_workflow.registrar.errors import EmbeddedServerError

    pgdata = tmp_path / "pgdata"
    pgdata.mkdir(mode=0o755)
    pgdata.chmod(0o755)
    (pgdata / "PG_VERSION").write_text("16\n")
    account = embedded._Account(os.geteuid(), os.getegid(), "me")
    with pytest.raises(EmbeddedServerError) as caught:
        embedded._ensure_socket_dir(pgdata, account)
    assert "remove" not in str(caught.value).replace("do not remove", "")


def test_two_packs_of_one_ref_are_reported(tmp_path: Path) -> None:
    make_pack(tmp_path / "one", "same")
    make_pack(tmp_path / "two", "same")
    _, problems = registration.collect([tmp_path])
    assert any("pack ref 'same'" in p for p in problems)
    reports = check_paths([tmp_path], Config(), jobs=1)
    found = [
        (r.path, d.message) for r in reports for d in r.diagnostics if "also the ref" in d.message
    ]
    assert len(found) == 1 and found[0][0] == tmp_path.resolve() / "two" / "pack.yaml"
    alone = check_paths([tmp_path / "one"], Config(), jobs=1)
    assert not any("also the ref" in d.message for r in alone for d in r.diagnostics)


def test_project_pack_roots_may_not_leave_the_project(tmp_path: Path) -> None:
    config = tmp_path / ".attune-lsp.yaml"
    for roots in ('["/"]', '["../.."]'):
        config.write_text(f"pack_roots: {roots}\n")
        with pytest.raises(ConfigError, match="outside"):
            load_config_file(config, known_rules=RULES_BY_ID)
    (tmp_path / "packs").mkdir()
    config.write_text('pack_roots: ["packs"]\n')
    assert load_config_file(config, known_rules=RULES_BY_ID).pack_roots == (
        (tmp_path / "packs").resolve(),
    )


# -- robustness: no rule raises on odd documents -------------------------------------------

ODD_DOCUMENTS = [
    "? [a, b]\n: 1\ntasks: []\n",
    "{a: 1}: x\ntasks:\n  - name: a\n",
    "null: x\n~: y\ntasks:\n  - {name: a, action: core.echo}\n",
    ".nan: 1\n.inf: 2\n1: 3\ntrue: 4\ntasks: {}\n",
    "tasks:\n  - name: !!int 12x\n    action: !!float nope\n",
    "tasks:\n  - name: a\n    action: core.echo\n    input: {" + "9" * 5000 + ": 1}\n",
    "version: "
    + "1" * 4400
    + "\ntasks:\n  - name: a\n    action: core.echo\n    retry: {count: "
    + "7" * 4400
    + "}\n",
    "tasks:\n  - &t {name: a, action: core.echo, next: [{do: *t}]}\n",
    "tasks:\n  - name: a\n    action: core.echo\n    with_items: !!binary aGk=\n    when: !custom x\n",
    "ref: "
    + "9" * 4301
    + "\nversion: !!int soon\nworkflow_file: !!float x\nparameters: &p {a: *p}\n",
    "tasks:\n  - name: a\n    next:\n      - when: [1, {2: 3}]\n        publish: [{? [x] : y}]\n        do: {a: b}\n",
]


def _check_everywhere(text: str) -> list[str]:
    """The internal errors of a text checked as a workflow, an action and a manifest."""
    crashes = []
    for name in ("actions/workflows/w.yaml", "actions/a.yaml", "pack.yaml", "w.workflow.yaml"):
        found = check_text(Path("/p") / name, text, index=PackIndex(), config=Config(strict=True))
        crashes += [f"{name}: {d.message}" for d in found if d.code == INTERNAL_ERROR]
    return crashes


@pytest.mark.parametrize("text", ODD_DOCUMENTS, ids=range(len(ODD_DOCUMENTS)))
def test_no_rule_raises_on_odd_documents(text: str) -> None:
    assert _check_everywhere(text) == []


_KEYS = st.sampled_from(
    ["tasks", "name", "action", "input", "next", "when", "do", "publish", "with_items",
     "output_map", "version", "ref", "workflow_file", "parameters", "retry", "timeout", "vars"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.sampled_from(['"{{ x }}"', "!!int soon", "!!float x", "9" * 4301, "~", "[]", "{}", "*a"]),
    st.text(alphabet="ab{}[]:- ,'\"&*!\t", max_size=12),
)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines = []
    for depth in draw(st.lists(st.integers(0, 4), min_size=1, max_size=12)):
        key = draw(_KEYS)
        anchor = "&a " if draw(st.booleans()) else ""
        lines.append("  " * depth + f"{key}: {anchor}{draw(_SCALARS)}")
    return "\n".join(lines) + "\n"


@settings(
    max_examples=2000 if FUZZ else 60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(_documents())
def test_fuzz_no_rule_raises(text: str) -> None:
    assert _check_everywhere(text) == []
