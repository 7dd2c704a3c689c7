"""Completion: keys, values, task names, action refs, inputs and ``{{ }}`` expressions.

The place of the cursor is read from the lines being typed (:mod:`attune_workflow.query.yamlpath`),
so completion works while the file is not valid YAML; names (tasks, variables,
parameters) come from the latest analysis plus what the current lines show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from attune_workflow.context import FileKind, classify
from attune_workflow.expressions import (
    BUILTINS,
    KEYWORDS,
    NAMESPACES,
    WORKFLOW_FUNCTIONS,
    CompletionContext,
    FunctionInfo,
    completion_context,
)
from attune_workflow.model import FLAT_TYPES, ParamSpec
from attune_workflow.packindex import ActionInfo, PackIndex
from attune_workflow.positions import LineIndex
from attune_workflow.query import docs
from attune_workflow.query.keys import KeyInfo, item_info, key_info, keys_of, model_at
from attune_workflow.query.navigation import TASK_ROOTS, WORKFLOW_ROOTS
from attune_workflow.query.yamlpath import (
    ITEM,
    LineContext,
    container_entries,
    item_entries,
    locate,
)
from attune_workflow.view import TaskView, WorkflowView
from attune_workflow.yamlsource import start_position

from .. import convert
from ..snippets import snippet_items

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..host import Host

TRIGGERS = [".", " ", ":", "-", "[", '"', "'", "{", "(", ","]
TARGET_KEYS = frozenset({"do", "on_success", "on_failure", "on_complete", "on_timeout"})
SCHEMA_PARENTS = frozenset({"parameters", "output", "conf_schema"})
_SNIPPET_ESCAPE = re.compile(r"([$}\\])")
_TASK_LINE = re.compile(r"^(\s*)-\s+name:\s*(['\"]?)([^'\"#]+?)\2\s*(?:#.*)?$")


class Completer:
    """Builds the completion items for one request."""

    def __init__(
        self,
        ls: Host,
        uri: str,
        lines: list[str],
        line: int,
        column: int,
        analysis: Analysis | None,
    ) -> None:
        self.ls = ls
        self.uri = uri
        self.lines = lines
        self.line = line
        self.column = column
        self.analysis = analysis
        self.index: PackIndex = analysis.index if analysis else ls.space.project.index
        self.path = ls.space.path_of(uri)
        kind = analysis.kind if analysis is not None else classify(self.path, None)[0]
        if kind is FileKind.OTHER:
            guess = classify(self.path, {"tasks": []} if _looks_workflow(lines) else None)[0]
            kind = guess
        self.kind = kind
        caps = ls.client_capabilities
        item_caps = (
            caps.text_document.completion.completion_item
            if (caps.text_document and caps.text_document.completion)
            else None
        )
        self.snippets = bool(item_caps and item_caps.snippet_support)
        self.doc_formats = list(item_caps.documentation_format or []) if item_caps else []

    # -- items ------------------------------------------------------------------------------

    def _range(self, start: int, end: int) -> lsp.Range:
        text = self.lines[self.line]
        return lsp.Range(
            start=convert.line_position(text, self.line, start),
            end=convert.line_position(text, self.line, end),
        )

    def _doc(self, text: str | None) -> str | lsp.MarkupContent | None:
        if not text:
            return None
        if lsp.MarkupKind.Markdown in self.doc_formats:
            return lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text)
        return text

    def item(
        self,
        label: str,
        kind: lsp.CompletionItemKind,
        *,
        start: int,
        end: int,
        insert: str | None = None,
        snippet: str | None = None,
        detail: str | None = None,
        doc: str | None = None,
        sort: str = "1",
    ) -> lsp.CompletionItem:
        """A completion item that replaces the columns ``start:end`` of the cursor line."""
        text, fmt = insert if insert is not None else label, lsp.InsertTextFormat.PlainText
        if snippet is not None and self.snippets:
            text, fmt = snippet, lsp.InsertTextFormat.Snippet
        return lsp.CompletionItem(
            label=label,
            kind=kind,
            detail=detail,
            documentation=self._doc(doc),
            sort_text=f"{sort}_{label}",
            insert_text_format=fmt,
            text_edit=lsp.TextEdit(range=self._range(start, end), new_text=text),
        )

    # -- the request ------------------------------------------------------------------------

    def complete(self) -> list[lsp.CompletionItem]:
        """Every item for the cursor, fitted to the word the editor filters on."""
        return [fitted for item in self.candidates() if (fitted := self.fit(item)) is not None]

    def fit(self, item: lsp.CompletionItem) -> lsp.CompletionItem | None:
        """An item that replaces the word before the cursor, or None if it cannot match.

        Editors filter on the word before the cursor, and Neovim 0.7 and eglot take that
        word to start after the last ``.`` (or other non-word character). So what is
        typed before that point (``shop.`` of ``shop.no``) must match already: the item
        then replaces only the word (``no``) by the rest (``notify``), with that rest as
        ``filterText``. Otherwise the item keeps its range and the default filter text
        (its label): Neovim 0.7 follows an item's range only when it has no filterText.
        """
        edit = item.text_edit
        if not isinstance(edit, lsp.TextEdit) or edit.range.start.line != self.line:
            return item
        line = self.lines[self.line]
        start = convert.line_column(line, edit.range.start.character)
        typed = line[start : max(start, self.column)]
        cut = len(typed)
        while cut > 0 and (typed[cut - 1].isalnum() or typed[cut - 1] == "_"):
            cut -= 1
        head = typed[:cut]
        if not head:
            return item
        if item.insert_text_format is lsp.InsertTextFormat.Snippet or not edit.new_text.startswith(
            head
        ):
            return None
        rest = edit.new_text[cut:]
        begin = convert.line_position(line, self.line, start + cut)
        item.text_edit = lsp.TextEdit(
            range=lsp.Range(start=begin, end=edit.range.end), new_text=rest
        )
        item.filter_text = rest
        return item

    def candidates(self) -> list[lsp.CompletionItem]:
        """Every item for the cursor, each replacing what it completes."""
        ctx = locate(self.lines, self.line, self.column)
        text = self.lines[self.line][: self.column]
        opening = text.rfind("{{")
        if opening >= 0 and "}}" not in text[opening:] and ctx.kind != "key":
            return self.expression(text[opening + 2 :], ctx)
        if self.kind is FileKind.OTHER:
            return []
        if ctx.kind == "key":
            return self.keys(ctx)
        if ctx.kind == "item":
            info = item_info(self.kind, ctx.path)
            if info is not None and info.item_shape == "mapping":
                return self.keys(ctx) + snippet_items(self, ctx)
            return self.values(ctx, ctx.path[-2] if len(ctx.path) >= 2 else None)
        if ctx.kind == "value":
            return self.values(ctx, ctx.key)
        return []

    # -- keys -------------------------------------------------------------------------------

    def keys(self, ctx: LineContext) -> list[lsp.CompletionItem]:
        path = ctx.path
        present = set(container_entries(self.lines, ctx))
        on_existing = ctx.key is not None
        if ctx.key is not None:
            present.discard(ctx.key)
        if self.kind is FileKind.WORKFLOW and len(path) >= 3 and path[-1] == "input":
            task = self.task_entries(ctx)
            if task is not None:
                return self.inputs(ctx, task.get("action", (0, ""))[1], present, on_existing)
        if len(path) == 2 and path[0] in SCHEMA_PARENTS:
            return self.model_keys(ctx, keys_of(ParamSpec), present, on_existing, extra=True)
        model = model_at(self.kind, path)
        if model is None:
            return []
        return self.model_keys(ctx, keys_of(model), present, on_existing)

    def model_keys(
        self,
        ctx: LineContext,
        infos: Mapping[str, KeyInfo],
        present: set[str],
        on_existing: bool,
        extra: bool = False,
    ) -> list[lsp.CompletionItem]:
        items = []
        entries: dict[str, tuple[str, str | None, str]] = {
            name: (info.type_text, info.markdown(), info.shape) for name, info in infos.items()
        }
        if extra:
            for name, (words, doc) in docs.SCHEMA_KEYS.items():
                text: str | None = f"**{name}**: {words}\n\n{doc}"
                entries.setdefault(name, (words, text, "scalar"))
        indent = " " * (ctx.column + 2)
        for name, (type_text, markdown, shape) in entries.items():
            if name in present or name.startswith("__"):
                continue
            info = infos.get(name)
            required = info is not None and info.required
            if on_existing:
                insert, snippet = name, None
            elif shape == "list":
                insert, snippet = f"{name}:", f"{name}:\n{indent}- $0"
            elif shape == "mapping":
                insert, snippet = f"{name}:", f"{name}:\n{indent}$0"
            else:
                insert, snippet = f"{name}: ", f"{name}: $0"
            items.append(
                self.item(
                    name,
                    lsp.CompletionItemKind.Property,
                    start=ctx.start,
                    end=ctx.end,
                    insert=insert,
                    snippet=snippet,
                    detail=type_text,
                    doc=markdown,
                    sort="0" if required else "1",
                )
            )
        return items

    def task_entries(self, ctx: LineContext) -> dict[str, tuple[int, str]] | None:
        """The keys of the task mapping the cursor is in (line-based)."""
        frames = ctx.frames
        for i in range(len(frames) - 1, 0, -1):
            if frames[i].segment == ITEM and frames[i - 1].segment == "tasks":
                return item_entries(self.lines, frames[i])
        return None

    def inputs(
        self, ctx: LineContext, action_ref: str, present: set[str], on_existing: bool
    ) -> list[lsp.CompletionItem]:
        action = self.index.action(action_ref)
        if action is None or not action.parameters:
            return []
        items = []
        for name, spec in action.parameters.items():
            if name in present:
                continue
            spec = spec if isinstance(spec, dict) else {}
            required = spec.get("required") is True and "default" not in spec
            default = spec.get("default")
            placeholder = "" if default is None else _yaml_scalar(default)
            escaped = _SNIPPET_ESCAPE.sub(r"\\\1", placeholder)
            snippet = f"{name}: ${{1:{escaped}}}"
            items.append(
                self.item(
                    name,
                    lsp.CompletionItemKind.Field,
                    start=ctx.start,
                    end=ctx.end,
                    insert=name
                    if on_existing
                    else f"{name}: {placeholder}".rstrip() + ("" if placeholder else " "),
                    snippet=None if on_existing else snippet,
                    detail=docs.param_type(spec) + (" (required)" if required else ""),
                    doc=docs.parameter(name, spec, action.ref),
                    sort="0" if required else "1",
                )
            )
        return items

    # -- values -----------------------------------------------------------------------------

    def values(self, ctx: LineContext, key: str | None) -> list[lsp.CompletionItem]:
        if key is None:
            return []
        path = ctx.path
        container = path[:-2] if ctx.kind == "item" and len(path) >= 2 else path
        if self.kind is FileKind.WORKFLOW:
            in_decision = len(container) >= 2 and container[-2] == "decision"
            if key in TARGET_KEYS or (key == "next" and in_decision):
                return self.task_names(ctx)
            if key == "action" and model_at(self.kind, container) is not None:
                return self.actions(ctx)
            if len(container) >= 3 and container[-1] == "input":
                return self.input_values(ctx, key)
        if key == "type" and len(container) == 2 and container[0] in SCHEMA_PARENTS:
            return self.words(ctx, FLAT_TYPES, lsp.CompletionItemKind.EnumMember)
        if self.kind is FileKind.ACTION and key == "workflow_file" and not container:
            return self.workflow_files(ctx)
        info = key_info(self.kind, container, key)
        if info is None:
            return []
        if info.values:
            return self.words(ctx, info.values, lsp.CompletionItemKind.EnumMember)
        if info.type_text == "boolean":
            return self.words(ctx, ("true", "false"), lsp.CompletionItemKind.Value)
        return []

    def words(
        self, ctx: LineContext, words: Iterable[str], kind: lsp.CompletionItemKind
    ) -> list[lsp.CompletionItem]:
        return [self.item(w, kind, start=ctx.start, end=ctx.end) for w in words]

    def known_tasks(self, current: str | None = None) -> dict[str, str | None]:
        """Task names (with their action) in scope: the analysis's, and those typed since."""
        names: dict[str, str | None] = {}
        view = self.view()
        scope: list[TaskView] = []
        if view is not None:
            task = view.task_named(current) if current else None
            scope = view.scope_of(task) if task is not None else list(view.all_tasks())
            for task in scope:
                if task.name is not None:
                    names.setdefault(task.name, task.string("action"))
        lines = self.view_lines()
        starts = [start_position(t.node, lines)[1] for t in scope] if lines is not None else []
        columns = {column - 2 for column in starts if column >= 2} if current else set()
        for text in self.lines:
            match = _TASK_LINE.match(text)
            if match and (not columns or len(match.group(1)) in columns):
                names.setdefault(match.group(3).strip(), None)
        return names

    def task_names(self, ctx: LineContext) -> list[lsp.CompletionItem]:
        entries = self.task_entries(ctx)
        current = entries.get("name", (0, ""))[1] if entries else ""
        names = self.known_tasks(current or None)
        names.pop(current, None)
        chosen = set()
        if ctx.flow:
            line = self.lines[self.line]
            inside = line[line.find("[") + 1 :]
            chosen = {part.strip().strip("'\"") for part in inside.split(",")}
        return [
            self.item(
                name,
                lsp.CompletionItemKind.Reference,
                start=ctx.start,
                end=ctx.end,
                detail=f"task → {action}" if action else "task",
            )
            for name, action in names.items()
            if name not in chosen or name == ctx.token
        ]

    def actions(self, ctx: LineContext) -> list[lsp.CompletionItem]:
        items = []
        for action in sorted(self.index.actions(), key=lambda a: a.ref):
            detail = action.label or action.description or action.ref
            items.append(
                self.item(
                    action.ref,
                    lsp.CompletionItemKind.Function,
                    start=ctx.start,
                    end=ctx.end,
                    detail=f"{detail} ({action.source})",
                    doc=docs.action(action),
                    sort="0" if action.source == "workspace" else "1",
                )
            )
        return items

    def input_values(self, ctx: LineContext, key: str) -> list[lsp.CompletionItem]:
        entries = self.task_entries(ctx)
        action = self.index.action(entries.get("action", (0, ""))[1]) if entries else None
        spec = (action.parameters or {}).get(key) if action else None
        if not isinstance(spec, dict):
            return []
        if isinstance(spec.get("enum"), list):
            return self.words(
                ctx, [_yaml_scalar(v) for v in spec["enum"]], lsp.CompletionItemKind.EnumMember
            )
        if spec.get("type") == "boolean":
            return self.words(ctx, ("true", "false"), lsp.CompletionItemKind.Value)
        return []

    def workflow_files(self, ctx: LineContext) -> list[lsp.CompletionItem]:
        folder = self.path.parent / "workflows"
        try:
            files = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
        except OSError:
            return []
        return self.words(ctx, [f"workflows/{name}" for name in files], lsp.CompletionItemKind.File)

    # -- expressions ------------------------------------------------------------------------

    def view_lines(self) -> LineIndex | None:
        """The lines of the analysis :meth:`view` comes from."""
        analysis = self.analysis
        if analysis is not None and analysis.ctx is not None and analysis.ctx.view is not None:
            return analysis.lines
        good = self.ls.scheduler.last_good.get(self.uri)
        return good.lines if good is not None and good.ctx is not None else None

    def view(self) -> WorkflowView | None:
        analysis = self.analysis
        if analysis is not None and analysis.ctx is not None and analysis.ctx.view is not None:
            return analysis.ctx.view
        good = self.ls.scheduler.last_good.get(self.uri)
        if good is not None and good.ctx is not None:
            return good.ctx.view
        return None

    def expression(self, source: str, ctx: LineContext) -> list[lsp.CompletionItem]:
        found = completion_context(source, len(source))
        if found is None:
            return []
        start = self.column - len(found.prefix)
        end = self.column
        rest = self.lines[self.line][self.column :]
        match = re.match(r"[A-Za-z0-9_]*", rest)
        if match:
            end += len(match.group(0))
        if found.kind == "name":
            return self.names(ctx, start, end)
        names = self.members(found, ctx)
        kind = lsp.CompletionItemKind.Field
        return [
            self.item(name, kind, start=start, end=end, detail=detail, doc=doc)
            for name, (detail, doc) in names.items()
            if (found.kind == "member" and name.isidentifier()) or found.kind == "key"
        ]

    def in_transition(self, ctx: LineContext) -> bool:
        path = (*ctx.path, ctx.key or "")
        if "decision" in path or "publish" in path:
            return True
        return "next" in path and path[-1] == "when"

    def names(self, ctx: LineContext, start: int, end: int) -> list[lsp.CompletionItem]:
        items = []
        for name, info in NAMESPACES.items():
            items.append(
                self.item(
                    name,
                    lsp.CompletionItemKind.Module,
                    start=start,
                    end=end,
                    detail="namespace",
                    doc=info.doc,
                    sort="0",
                )
            )
        functions: dict[str, FunctionInfo] = dict(BUILTINS)
        transition = self.in_transition(ctx)
        if transition:
            functions.update(WORKFLOW_FUNCTIONS)
        for name, fn in functions.items():
            snippet = f"{name}()" if fn.max_args == 0 else f"{name}($1)"
            items.append(
                self.item(
                    name,
                    lsp.CompletionItemKind.Function,
                    start=start,
                    end=end,
                    insert=f"{name}()" if fn.max_args == 0 else f"{name}(",
                    snippet=snippet,
                    detail=fn.signature,
                    doc=docs.function(fn),
                    sort="0" if transition and name in WORKFLOW_FUNCTIONS else "2",
                )
            )
        for name in sorted(self.variables()):
            if name.isidentifier() and name not in NAMESPACES and name not in KEYWORDS:
                items.append(
                    self.item(
                        name,
                        lsp.CompletionItemKind.Variable,
                        start=start,
                        end=end,
                        detail="workflow variable",
                        sort="1",
                    )
                )
        for word in sorted(KEYWORDS):
            items.append(
                self.item(word, lsp.CompletionItemKind.Keyword, start=start, end=end, sort="3")
            )
        return items

    def members(
        self, found: CompletionContext, ctx: LineContext
    ) -> dict[str, tuple[str | None, str | None]]:
        root, segments = found.root, found.segments
        if root is None:
            return {}
        if found.root_is_call:
            if root == "result" and not segments:
                entries = self.task_entries(ctx)
                action = self.index.action(entries.get("action", (0, ""))[1]) if entries else None
                return _outputs(action)
            return {}
        if segments:
            if root in TASK_ROOTS and len(segments) == 1 and root in ("task", "tasks"):
                view = self.view()
                task = view.task_named(str(segments[0])) if view is not None else None
                action = self.index.action(task.string("action") or "") if task else None
                return _outputs(action)
            return {}
        if root == "parameters":
            return {
                name: (docs.param_type(spec), docs.parameter(name, spec, None))
                for name, spec in self.parameters().items()
            }
        if root in WORKFLOW_ROOTS:
            return {name: ("workflow variable", None) for name in sorted(self.variables())}
        if root in TASK_ROOTS:
            if root in ("task", "tasks"):
                return {
                    name: (f"task → {action}" if action else "task", None)
                    for name, action in self.known_tasks().items()
                }
            view = self.view()
            result: dict[str, tuple[str | None, str | None]] = {}
            for task in view.all_tasks() if view is not None else ():
                if task.name is not None and _waits_for(task, root):
                    result[task.name] = (f"task → {task.string('action') or task.type}", None)
            return result
        if root == "config":
            pack = self.index.pack_for(self.path)
            schema = (pack.manifest or {}).get("conf_schema") if pack else None
            if isinstance(schema, dict):
                return {
                    str(k): (docs.param_type(v if isinstance(v, dict) else {}), None)
                    for k, v in schema.items()
                }
        if root == "system":
            return {"workflow_start": ("system value", "When the workflow execution started.")}
        return {}

    def parameters(self) -> dict[str, Any]:
        ctx = self.analysis.ctx if self.analysis is not None else None
        found: dict[str, Any] = {}
        if ctx is None:
            return found
        data = ctx.data if isinstance(ctx.data, dict) else {}
        own = data.get("parameters")
        if isinstance(own, dict):
            props = own.get("properties") if own.get("type") == "object" else None
            found.update(props if isinstance(props, dict) else own)
        action = ctx.linked_action
        if action is not None and action.parameters:
            found.update(action.parameters)
        return {str(k): (v if isinstance(v, dict) else {}) for k, v in found.items()}

    def variables(self) -> set[str]:
        analysis = self.analysis
        if analysis is not None and analysis.ctx is not None:
            return set(analysis.ctx.variables)
        good = self.ls.scheduler.last_good.get(self.uri)
        if good is not None and good.ctx is not None:
            return set(good.ctx.variables)
        return set()


def _waits_for(task: TaskView, namespace: str) -> bool:
    from attune_workflow.yamlsource import mapping_get

    return mapping_get(task.value("wait_for"), namespace) is not None


def _outputs(action: ActionInfo | None) -> dict[str, tuple[str | None, str | None]]:
    if action is None or not isinstance(action.output, dict):
        return {}
    return {
        str(name): (
            docs.param_type(spec if isinstance(spec, dict) else {}),
            spec.get("description") if isinstance(spec, dict) else None,
        )
        for name, spec in action.output.items()
    }


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        plain = re.match(r"^[A-Za-z_][A-Za-z0-9_./-]*$", value) and value not in (
            "true",
            "false",
            "null",
            "yes",
            "no",
            "on",
            "off",
        )
        return value if plain else json.dumps(value)
    return json.dumps(value)


def _looks_workflow(lines: list[str]) -> bool:
    return any(line.startswith("tasks:") for line in lines)


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=TRIGGERS, resolve_provider=False),
    )
    async def completion(ls: Host, params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        doc = ls.workspace.get_text_document(uri)
        lines = [line.rstrip("\r") for line in doc.source.split("\n")]
        line = params.position.line
        if line >= len(lines):
            return lsp.CompletionList(is_incomplete=False, items=[])
        column = convert.line_column(lines[line], params.position.character)
        analysis = await ls.scheduler.analysis(uri)
        items = Completer(ls, uri, lines, line, column, analysis).complete()
        return lsp.CompletionList(is_incomplete=False, items=items)
