"""What the expression rules share: the references of each block, and facts of the workflow.

Parsing happens once, in the context; this module only reads the trees. The
references of an expression depend on its text alone and are cached by text;
the facts of a workflow (task names, `wait_for` keys, templated scalars) are
computed once per context.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from .context import Context, Expression
from .diagnostics import Edit, Fix
from .expressions import (
    Call,
    Expr,
    Member,
    Name,
    Path,
    Unsupported,
    children,
    parse_expression,
    paths,
    tokenize,
)
from .expressions.memo import file_memoized
from .frozen import quick_init
from .suggest import close_match
from .view import TaskView
from .yamlsource import MappingNode, ScalarNode

TASK_NAMESPACES = frozenset({"task", "tasks"})
WAIT_NAMESPACES = frozenset({"inquiry", "execution", "work_queue_item"})
WORKFLOW_NAMESPACES = frozenset({"workflow", "vars", "variables"})


@quick_init
@dataclass(frozen=True, slots=True)
class References:
    """The calls, bare names and reference paths of one expression, in source order.

    Names and paths inside StackStorm's `ctx(...)` are left out: that construct is
    reported as a whole by unsupported-syntax.
    """

    calls: tuple[Call, ...]
    names: tuple[Name, ...]
    paths: tuple[Path, ...]


_NONE = References((), (), ())


@file_memoized(4096)
def _references(src: str) -> References:
    ast = parse_expression(src).ast
    if ast is None:
        return _NONE
    calls: list[Call] = []
    names: list[Name] = []
    skipped: list[tuple[int, int]] = []
    stack: list[Expr] = [ast]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        kind = node.__class__
        if kind is Member:
            push(node.obj)  # type: ignore[union-attr]
        elif kind is Name:
            names.append(node)  # type: ignore[arg-type]
        elif kind is Call:
            calls.append(node)  # type: ignore[arg-type]
            extend(node.args)  # type: ignore[union-attr]
        elif kind is Unsupported and node.construct == "ctx":  # type: ignore[union-attr]
            skipped.append((node.start, node.end))
        else:
            extend(children(node))
    found = paths(ast)
    if skipped:
        found = tuple(p for p in found if not any(s <= p.root.start < e for s, e in skipped))
    if len(calls) > 1:
        calls.sort(key=lambda c: c.start)
    if len(names) > 1:
        names.sort(key=lambda n: n.start)
    return References(tuple(calls), tuple(names), found)


def references(expr: Expression) -> References:
    """The references of an expression (nothing when it does not parse)."""
    found = expr.known_references
    if found is None:
        found = _references(expr.block.expr)
        expr.known_references = found  # kept with the expression, filled in once
    return found


# -- facts of the workflow --------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class WorkflowFacts:
    """The tasks of every scope by name, and the `wait_for` keys of each."""

    tasks: dict[str, TaskView]  # first task of each name, at any depth
    wait_keys: dict[str, frozenset[str]]  # task name -> keys of its `wait_for` mapping


_FACTS: weakref.WeakKeyDictionary[Context, WorkflowFacts] = weakref.WeakKeyDictionary()


def workflow_facts(ctx: Context) -> WorkflowFacts:
    """The facts of the context's workflow, computed once."""
    found = _FACTS.get(ctx)
    if found is None:
        found = _build_facts(ctx)
        _FACTS[ctx] = found
    return found


def known_facts(ctx: Context) -> WorkflowFacts | None:
    """The facts of the context's workflow, if they were computed."""
    return _FACTS.get(ctx)


def adopt_facts(ctx: Context, facts: WorkflowFacts) -> None:
    """Give a context facts already known to hold for it (an edit that kept them)."""
    _FACTS[ctx] = facts


def _build_facts(ctx: Context) -> WorkflowFacts:
    tasks: dict[str, TaskView] = {}
    wait_keys: dict[str, frozenset[str]] = {}
    view = ctx.view
    if view is not None:
        for task in view.all_tasks():
            if task.name is None or task.name in tasks:
                continue
            tasks[task.name] = task
            wait = task.value("wait_for")
            if isinstance(wait, MappingNode):
                wait_keys[task.name] = frozenset(
                    str(key.value) for key, _ in wait.value if isinstance(key, ScalarNode)
                )
    return WorkflowFacts(tasks, wait_keys)


def action_output(ctx: Context, task: TaskView | None) -> dict[str, object] | None:
    """The flat output schema of the action a task calls, when it is known."""
    if task is None:
        return None
    ref = task.string("action")
    if ref is None:
        return None
    info = ctx.index.action(ref)
    if info is None or not isinstance(info.output, dict):
        return None
    return info.output


# -- messages and fixes -------------------------------------------------------------------------


def string_literal(value: str, node: ScalarNode) -> str:
    """An expression string literal for `value`, quoted to sit well inside `node`."""
    quote = "'" if node.style == '"' else '"'
    body = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"


def scalar_text(node: ScalarNode, text: str) -> str | None:
    """`text` written for the source of `node`'s style, or None if it cannot be put there."""
    style = node.style
    if style == '"':
        return text.replace("\\", "\\\\").replace('"', '\\"')
    if style == "'":
        return text.replace("'", "''")
    if style in ("|", ">"):
        return None if "\n" in text else text
    if "\n" in text or ": " in text or " #" in text or text.endswith(":"):
        return None
    return text


def replace_fix(
    ctx: Context,
    expr: Expression,
    start: int,
    end: int,
    text: str,
    title: str,
    *,
    preferred: bool = True,
) -> tuple[Fix, ...]:
    """A quick fix replacing characters `start:end` of an expression by `text`."""
    source = scalar_text(expr.node, text)
    if source is None:
        return ()
    edit = Edit(ctx.expression_span(expr, start, end), source)
    return (Fix(title, (edit,), preferred),)


def suggest_key(
    ctx: Context, expr: Expression, path: Path, key: str, candidates: Iterable[str]
) -> tuple[str | None, tuple[Fix, ...]]:
    """A known key close to the first segment's ``key``, and the fix that writes it."""
    suggestion = close_match(key, candidates)
    if suggestion is None:
        return None, ()
    segment = path.segments[0]
    text = segment_text(expr, path, 0, suggestion)
    title = f"Change to '{suggestion}'"
    return suggestion, replace_fix(ctx, expr, segment.start, segment.end, text, title)


def segment_text(expr: Expression, path: Path, index: int, key: str) -> str:
    """How to write segment `index` of `path` with another key, keeping its form and quotes."""
    segment = path.segments[index]
    if not segment.bracketed:
        return key
    quote = expr.block.expr[segment.start]
    if quote not in "'\"":
        return string_literal(key, expr.node)
    body = key.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"


def path_text(expr: Expression, path: Path, index: int) -> str:
    """The source of `path` from its root through segment `index` (closing bracket included)."""
    src = expr.block.expr
    segment = path.segments[index]
    end = segment.end
    if segment.bracketed:
        close = src.find("]", end)
        end = close + 1 if close >= 0 else end
    return src[path.root.start : end]


def prefer_quotes(text: str, node: ScalarNode) -> str:
    """`text` with its double-quoted string literals single-quoted inside a double-quoted scalar.

    Keeps a rewrite readable: `keystore['a']` rather than `keystore[\\"a\\"]` in the YAML.
    """
    if node.style != '"' or '"' not in text:
        return text
    out: list[str] = []
    pos = 0
    for token in tokenize(text):
        if token.kind == "string" and token.text[0] == '"' and "'" not in token.text:
            out.append(text[pos : token.start])
            out.append("'" + token.text[1:-1].replace('\\"', '"') + "'")
            pos = token.end
    out.append(text[pos:])
    return "".join(out)
