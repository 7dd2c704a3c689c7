"""Attune's `{{ }}` expression language: templates, tokenizer, parser, tree and tables.

Typical use::

    for block, result in parse_template(text):
        for error in result.errors:          # offsets relative to block.expr
            report(error.shifted(block.expr_start))
        for path in result.paths:            # task.x.result.y, parameters.p, ...
            check(path)

All results are immutable and cached by input string.
"""

from .ast import (
    ArrayLit,
    Binary,
    BinaryOp,
    Call,
    Construct,
    Expr,
    Index,
    Literal,
    LiteralValue,
    Member,
    Name,
    Path,
    PathSegment,
    Unary,
    UnaryOp,
    Unsupported,
    children,
    nodes_at,
    path_of,
    paths,
    reference_at,
    walk,
)
from .completion import CompletionContext, completion_context
from .functions import ALL_FUNCTIONS, BUILTINS, WORKFLOW_FUNCTIONS, FunctionInfo, lookup_function
from .namespaces import KEYWORDS, LITERAL_NAMES, NAMESPACES, NamespaceInfo
from .parser import MAX_DEPTH, ExprError, Fix, ParseResult, parse_expression, parse_template
from .templates import (
    Block,
    block_at,
    find_blocks,
    find_jinja_statements,
    is_mixed_template,
    is_pure_template,
)
from .tokens import Token, tokenize

__all__ = [
    "ALL_FUNCTIONS",
    "BUILTINS",
    "KEYWORDS",
    "LITERAL_NAMES",
    "MAX_DEPTH",
    "NAMESPACES",
    "WORKFLOW_FUNCTIONS",
    "ArrayLit",
    "Binary",
    "BinaryOp",
    "Block",
    "Call",
    "CompletionContext",
    "Construct",
    "Expr",
    "ExprError",
    "Fix",
    "FunctionInfo",
    "Index",
    "Literal",
    "LiteralValue",
    "Member",
    "Name",
    "NamespaceInfo",
    "ParseResult",
    "Path",
    "PathSegment",
    "Token",
    "Unary",
    "UnaryOp",
    "Unsupported",
    "block_at",
    "children",
    "completion_context",
    "find_blocks",
    "find_jinja_statements",
    "is_mixed_template",
    "is_pure_template",
    "lookup_function",
    "nodes_at",
    "parse_expression",
    "parse_template",
    "path_of",
    "paths",
    "reference_at",
    "tokenize",
    "walk",
]
