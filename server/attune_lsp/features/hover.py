"""Hover: keys, actions and their parameters, inputs, tasks, functions, namespaces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from attune_workflow.context import Context, FileKind
from attune_workflow.expressions import NAMESPACES, lookup_function
from attune_workflow.query import docs
from attune_workflow.query.keys import key_info, path_of_steps
from attune_workflow.query.navigation import Target, parameter_keys, target_at
from attune_workflow.query.yamlpath import locate

from .. import convert
from . import rehearsal

if TYPE_CHECKING:
    from ..host import Host


def describe(ctx: Context, target: Target) -> str | None:
    """The markdown of a target."""
    if target.kind == "key":
        path = path_of_steps(step.key for step in target.steps)
        if target.detail.get("value"):
            return None
        if len(path) == 2 and path[0] in ("parameters", "output"):
            return None
        info = key_info(ctx.kind, path, target.name)
        return info.markdown() if info is not None else None
    if target.kind == "task":
        if target.task is None:
            return f"Unknown task `{target.name}`"
        action = ctx.index.action(target.task.string("action") or "")
        return docs.task(target.task, action)
    if target.kind == "action":
        if target.action is None:
            return f"`{target.name}`: unknown action"
        return docs.action(target.action)
    if target.kind == "input":
        spec = (target.action.parameters or {}).get(target.name) if target.action else None
        if not isinstance(spec, dict):
            ref = target.task.string("action") if target.task is not None else None
            return f"**{target.name}**: not a parameter of `{ref}`"
        return docs.parameter(target.name, spec, target.action.ref if target.action else None)
    if target.kind == "parameter":
        spec, owner = parameter_spec(ctx, target.name)
        if spec is None:
            return f"**{target.name}**: undeclared parameter"
        return docs.parameter(target.name, spec, owner)
    if target.kind == "variable":
        data = ctx.data if isinstance(ctx.data, dict) else {}
        initial = (
            data.get("vars", {}).get(target.name) if isinstance(data.get("vars"), dict) else None
        )
        text = f"**{target.name}**: workflow variable"
        if isinstance(data.get("vars"), dict) and target.name in data["vars"]:
            text += (
                f"\n\nInitial value: `{initial!r}`"
                if initial is not None
                else "\n\nDeclared in `vars`"
            )
        elif target.name in ctx.variables:
            text += "\n\nPublished by a transition"
        else:
            text += "\n\nNeither in `vars` nor published"
        return text
    if target.kind == "function":
        fn = lookup_function(target.name)
        return docs.function(fn) if fn is not None else f"`{target.name}`: unknown function"
    if target.kind == "namespace":
        return docs.namespace(NAMESPACES[target.name])
    if target.kind == "file":
        return f"Graph file `{target.name}` (under `actions/`)"
    return None


def parameter_spec(ctx: Context, name: str) -> tuple[dict[str, Any] | None, str | None]:
    """A parameter's spec: the linked action's, else the workflow's own."""
    action = ctx.linked_action
    if action is not None and isinstance((action.parameters or {}).get(name), dict):
        return (action.parameters or {})[name], action.ref
    data = ctx.data if isinstance(ctx.data, dict) else {}
    params = data.get("parameters")
    if isinstance(params, dict):
        if params.get("type") == "object" and isinstance(params.get("properties"), dict):
            params = params["properties"]
        spec = params.get(name)
        if isinstance(spec, dict):
            return spec, None
    if ctx.kind is FileKind.ACTION and name in parameter_keys(ctx.doc.root):
        return {}, None
    return None, None


def register(server: Host) -> None:
    """Add the handler."""

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: Host, params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        analysis = await ls.scheduler.analysis(uri)
        if analysis is None:
            return None
        lines = analysis.lines
        line, column = convert.to_engine(params.position, lines)
        formats = None
        caps = ls.client_capabilities.text_document
        if caps is not None and caps.hover is not None:
            formats = caps.hover.content_format
        ctx = analysis.ctx
        value = rehearsal.hover(ls, analysis, line, column)
        if value is not None:
            return value
        if ctx is not None and ctx.doc.root is not None:
            target = target_at(ctx, line, column)
            if target is None:
                return None
            text = describe(ctx, target)
            if text is None:
                return None
            return lsp.Hover(
                contents=convert.markdown(formats, text),
                range=convert.span_to_range(target.span, lines),
            )
        # The file does not parse: keys can still be explained from the lines.
        where = locate(analysis.text.split("\n"), line, column)
        if where.kind != "key" or where.key is None or analysis.kind is FileKind.OTHER:
            return None
        info = key_info(analysis.kind, where.path, where.key)
        if info is None:
            return None
        return lsp.Hover(contents=convert.markdown(formats, info.markdown()))
