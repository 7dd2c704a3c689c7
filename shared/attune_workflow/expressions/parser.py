"""Recursive-descent parser for Attune expressions, with exact spans and error recovery.

The grammar and precedence follow Attune's parser, lowest first: `or`, `and`, `not`,
comparisons and `in`, `+ -`, `* / %`, unary `-`, then postfix `.name`, `[index]` and
`name(args)`. Syntax of other template languages (Jinja filters and tests, conditional
expressions, object literals, slices, method calls, StackStorm's `ctx()` and `st2kv`) is
parsed too: each occurrence is reported as an `unsupported` error with Attune's
equivalent, and stands in the tree as an `Unsupported` node, so that the rest of the
expression can still be checked. Parsing stops at the first `syntax` error.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass
from typing import NoReturn

from ..frozen import quick_init
from .ast import (
    ArrayLit,
    Binary,
    BinaryOp,
    Call,
    Construct,
    Expr,
    Index,
    Literal,
    Member,
    Name,
    Path,
    Unary,
    Unsupported,
    paths,
)
from .hints import Hint, filter_hint, jinja_test_hint, method_hint
from .memo import file_memoized
from .templates import Block, find_blocks
from .tokens import EOF, ERROR, FLOAT, INT, KEYWORD_KINDS, NAME, STRING, UNTERMINATED, scan
from .tokens import string_value as _string_value

ErrorKind = typing.Literal["syntax", "unsupported"]

MAX_DEPTH = 100
"""Deepest nesting of brackets and prefix operators the parser accepts."""

_MAX_INT = 2**63 - 1
_MAX_MESSAGE_SUBJECT = 60
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_PRECEDENCE: dict[str, int] = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "in": 4,
    "+": 5,
    "-": 5,
    "~": 5,
    "*": 6,
    "/": 6,
    "%": 6,
    "//": 6,
    "**": 6,
}
_NOT_PRECEDENCE = 3
_COMPARISON_PRECEDENCE = 4
_UNARY_PRECEDENCE = 7

_TOKEN_HINTS = {
    "=": "; use '==' to compare",
    "!": "; use 'not' to negate",
    "&&": "; use 'and'",
    "||": "; use 'or'",
    "?": "; the `c ? a : b` conditional is not supported",
}
_LITERAL_KEYWORDS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_MEMBER_KINDS = KEYWORD_KINDS | {NAME}
_ARGUMENT_START_KINDS = frozenset({NAME, INT, FLOAT, STRING, "true", "false", "null", "["})


@quick_init
@dataclass(frozen=True, slots=True)
class Fix:
    """A replacement of `src[start:end]` by `text` that rewrites a construct for Attune."""

    start: int
    end: int
    text: str


@quick_init
@dataclass(frozen=True, slots=True)
class ExprError:
    """A problem in an expression; offsets are relative to the expression string."""

    kind: ErrorKind
    message: str
    start: int
    end: int
    fix: Fix | None = None

    def shifted(self, delta: int) -> ExprError:
        """The same error with its offsets (and its fix's) moved by `delta`."""
        fix = self.fix
        if fix is not None:
            fix = Fix(fix.start + delta, fix.end + delta, fix.text)
        return ExprError(self.kind, self.message, self.start + delta, self.end + delta, fix)


@quick_init
@dataclass(frozen=True, slots=True)
class ParseResult:
    """The tree of an expression (None after a syntax error) and its errors, in order."""

    ast: Expr | None
    errors: tuple[ExprError, ...]
    src: str = ""

    @property
    def paths(self) -> tuple[Path, ...]:
        """The reference paths of the tree (see `ast.paths`), computed once per expression."""
        if self.ast is None:
            return ()
        if parse_expression(self.src) is self:
            return _cached_paths(self.src)
        return paths(self.ast)

    @property
    def ok(self) -> bool:
        """Whether the expression is valid Attune syntax."""
        return not self.errors

    @property
    def syntax_error(self) -> ExprError | None:
        """The syntax error that stopped the parse, if any."""
        for error in self.errors:
            if error.kind == "syntax":
                return error
        return None

    @property
    def unsupported(self) -> tuple[ExprError, ...]:
        """The unsupported-syntax errors."""
        return tuple(error for error in self.errors if error.kind == "unsupported")


class _Abort(Exception):
    """Raised after a syntax error is recorded, to unwind the parse."""


class _Parser:
    """Parser state over the token arrays of one expression."""

    __slots__ = ("depth", "ends", "errors", "kinds", "pos", "rewrites", "src", "starts")

    def __init__(self, src: str) -> None:
        self.src = src
        self.kinds, self.starts, self.ends = scan(src)
        self.pos = 0
        self.depth = 0
        self.errors: list[ExprError] = []
        # Replacement text of constructs already rewritten, by (start, end), so that a
        # filter applied to a filter gets a composed suggestion.
        self.rewrites: dict[tuple[int, int], str] = {}

    # -- helpers -------------------------------------------------------------------

    def text(self, index: int) -> str:
        return self.src[self.starts[index] : self.ends[index]]

    def kind_at(self, index: int) -> str:
        kinds = self.kinds
        return kinds[index] if index < len(kinds) else EOF

    def is_name(self, index: int, word: str) -> bool:
        return self.kind_at(index) == NAME and self.text(index) == word

    def advance(self) -> int:
        index = self.pos
        if self.kinds[index] != EOF:
            self.pos = index + 1
        return index

    def last_end(self) -> int:
        return self.ends[self.pos - 1] if self.pos else 0

    def source(self, start: int, end: int) -> str:
        rewrite = self.rewrites.get((start, end))
        return rewrite if rewrite is not None else self.src[start:end]

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.too_deep()

    def too_deep(self) -> NoReturn:
        index = self.pos
        start = self.starts[index]
        self.fail("expression is nested too deeply", start, max(self.ends[index], start + 1))

    def fail(self, message: str, start: int, end: int) -> NoReturn:
        length = len(self.src)
        start = min(max(start, 0), length)
        end = min(max(end, start), length)
        self.errors.append(ExprError("syntax", message, start, end))
        raise _Abort

    def expect(self, kind: str, expected: str) -> int:
        if self.kinds[self.pos] != kind:
            self.unexpected(expected)
        return self.advance()

    def unexpected(self, expected: str | None = None) -> NoReturn:
        index = self.pos
        kind = self.kinds[index]
        start, end = self.starts[index], self.ends[index]
        if kind == EOF:
            self.unexpected_end(expected)
        if kind == UNTERMINATED:
            self.fail("unterminated string literal", start, end)
        if kind == ERROR:
            self.fail(f"unexpected character {self.text(index)!r}", start, end)
        if kind == NAME:
            what = f"name '{self.text(index)}'"
        elif kind in (INT, FLOAT):
            what = f"number {self.text(index)}"
        elif kind == STRING:
            what = "string"
        else:
            what = f"'{kind}'"
        message = f"unexpected {what}"
        if expected:
            message += f"; expected {expected}"
        self.fail(message + _TOKEN_HINTS.get(kind, ""), start, end)

    def unexpected_end(self, expected: str | None) -> NoReturn:
        src = self.src
        stripped = src.rstrip()
        if not stripped:
            self.fail("empty expression", 0, len(src))
        message = "unexpected end of expression"
        if expected:
            message += f"; expected {expected}"
        if src.endswith("-"):
            message += " (Jinja whitespace control `-}}` is not supported)"
        self.fail(message, len(stripped) - 1, len(stripped))

    def report(self, message: str, start: int, end: int, fix: Fix | None = None) -> None:
        self.errors.append(ExprError("unsupported", message, start, end, fix))

    def report_hint(
        self, hint: Hint, start: int, end: int, whole_start: int, whole_first: int
    ) -> None:
        """Report an unsupported construct covering `whole_start..last_end` with its fix."""
        fix = None
        whole_end = self.last_end()
        rewrite = hint.rewrite
        if rewrite is not None:
            is_whole = whole_first == 0 and self.kinds[self.pos] == EOF
            if not hint.atomic and not is_whole:
                rewrite = f"({rewrite})"
            fix = Fix(whole_start, whole_end, rewrite)
            self.rewrites[(whole_start, whole_end)] = rewrite
        self.report(hint.message, start, end, fix)

    # -- grammar -------------------------------------------------------------------

    def parse(self) -> Expr | None:
        try:
            node = self.expr()
            if self.kinds[self.pos] != EOF:
                kind = self.kinds[self.pos]
                operand_like = kind in (NAME, INT, FLOAT, STRING, "true", "false", "null")
                self.unexpected("an operator" if operand_like else None)
            return node
        except _Abort:
            return None
        except RecursionError:
            self.errors.append(
                ExprError("syntax", "expression is nested too deeply", 0, min(1, len(self.src)))
            )
            return None

    def expr(self) -> Expr:
        """Full expression: `or`-level, plus a trailing `if ... else ...` to report."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.too_deep()
        first = self.pos
        node = self.binary(1)
        pos = self.pos
        if self.kinds[pos] == NAME and self.src[self.starts[pos] : self.ends[pos]] == "if":
            node = self.conditional(node, first)
        self.depth -= 1
        return node

    def binary(self, min_prec: int) -> Expr:
        first = self.pos
        kinds = self.kinds
        left = self.prefix(min_prec) if kinds[first] in ("not", "-") else self.postfix()
        while True:
            kind = kinds[self.pos]
            prec = _PRECEDENCE.get(kind)
            if prec is None:
                if (
                    kind == "not"
                    and min_prec <= _COMPARISON_PRECEDENCE
                    and self.kind_at(self.pos + 1) == "in"
                ):
                    left = self.not_in(left, first)
                    continue
                return left
            if prec < min_prec:
                return left
            op_index = self.pos
            self.pos = op_index + 1
            right = self.binary(prec + 1)
            if kind in ("~", "//", "**"):
                left = self.unsupported_operator(kind, op_index, left, right, first)
            else:
                end = self.ends[self.pos - 1]
                left = Binary(self.starts[first], end, typing.cast(BinaryOp, kind), left, right)

    def prefix(self, min_prec: int) -> Expr:
        kind = self.kinds[self.pos]
        if kind == "not" and min_prec <= _NOT_PRECEDENCE:
            op_index = self.advance()
            self.enter()
            operand = self.binary(_NOT_PRECEDENCE)
            self.depth -= 1
            return Unary(self.starts[op_index], self.last_end(), "not", operand)
        if kind == "-":
            op_index = self.advance()
            self.enter()
            operand = self.prefix(_UNARY_PRECEDENCE)
            self.depth -= 1
            return Unary(self.starts[op_index], self.last_end(), "-", operand)
        return self.postfix()

    def postfix(self) -> Expr:
        first = self.pos
        node = self.primary()
        kinds = self.kinds
        while True:
            kind = kinds[self.pos]
            if kind == ".":
                index = self.pos + 1
                self.pos = index
                if kinds[index] in _MEMBER_KINDS:
                    self.pos = index + 1
                    start, end = self.starts[index], self.ends[index]
                    node = Member(self.starts[first], end, node, self.src[start:end], start, end)
                elif kinds[index] in (INT, FLOAT):
                    number = self.text(self.pos)
                    self.unexpected(f"a name after '.' (use [{number}] to index by position)")
                else:
                    self.unexpected("a name after '.'")
            elif kind == "[":
                node = self.index(node, first)
            elif kind == "(":
                if isinstance(node, Name):
                    node = self.call(node, first)
                elif isinstance(node, Member):
                    node = self.method_call(node, first)
                else:
                    index = self.pos
                    self.fail(
                        "only functions can be called, as name(args)",
                        self.starts[index],
                        self.ends[index],
                    )
            elif kind == "|":
                node = self.jinja_filter(node, first)
            elif kind == NAME and self.text(self.pos) == "is":
                node = self.jinja_test(node, first)
            else:
                return node

    def primary(self) -> Expr:
        index = self.pos
        kind = self.kinds[index]
        start, end = self.starts[index], self.ends[index]
        # Every token but the last is not `eof`, so `index + 1` exists.
        if kind == NAME:
            name = self.src[start:end]
            if name == "ctx" or name == "st2kv":
                stackstorm = self.stackstorm(name)
                if stackstorm is not None:
                    return stackstorm
            self.pos = index + 1
            return Name(start, end, name)
        if kind == INT:
            value = int(self.src[start:end])
            if value > _MAX_INT:
                self.fail("integer literal is too large (the limit is 2^63 - 1)", start, end)
            self.pos = index + 1
            return Literal(start, end, value)
        if kind == STRING:
            self.pos = index + 1
            return Literal(start, end, _string_value(self.src[start:end]))
        if kind == FLOAT:
            self.pos = index + 1
            return Literal(start, end, float(self.src[start:end]))
        if kind in _LITERAL_KEYWORDS:
            self.pos = index + 1
            return Literal(start, end, _LITERAL_KEYWORDS[kind])
        if kind == "(":
            self.pos = index + 1
            inner = self.expr()
            self.expect(")", "')'")
            return inner
        if kind == "[":
            return self.array()
        if kind == "{":
            return self.object_literal()
        self.unexpected("a value")

    def array(self) -> ArrayLit:
        open_index = self.advance()
        items: list[Expr] = []
        if self.kinds[self.pos] != "]":
            items.append(self.expr())
            while self.kinds[self.pos] == ",":
                self.advance()
                if self.kinds[self.pos] == "]":
                    break
                items.append(self.expr())
        close = self.expect("]", "',' or ']'")
        return ArrayLit(self.starts[open_index], self.ends[close], tuple(items))

    def call(self, name: Name, first: int) -> Call:
        self.advance()
        args: list[Expr] = []
        if self.kinds[self.pos] != ")":
            args.append(self.expr())
            while self.kinds[self.pos] == ",":
                self.advance()
                args.append(self.expr())
        close = self.expect(")", "',' or ')'")
        return Call(
            self.starts[first], self.ends[close], name.id, name.start, name.end, tuple(args)
        )

    def index(self, obj: Expr, first: int) -> Expr:
        open_index = self.advance()
        lower: Expr | None = None
        if self.kinds[self.pos] != ":":
            lower = self.expr()
            if self.kinds[self.pos] != ":":
                close = self.expect("]", "']'")
                return Index(self.starts[first], self.ends[close], obj, lower)
        return self.python_slice(obj, first, open_index, lower)

    # -- unsupported constructs ----------------------------------------------------

    def jinja_arguments(self) -> tuple[list[str], list[Expr], bool]:
        """Parse `(a, k=v, ...)`: positional source texts, every value, any keywords."""
        self.advance()
        positional: list[str] = []
        values: list[Expr] = []
        has_keywords = False
        kinds = self.kinds
        while kinds[self.pos] != ")":
            if kinds[self.pos] == NAME and self.kind_at(self.pos + 1) == "=":
                has_keywords = True
                self.advance()
                self.advance()
                values.append(self.expr())
            else:
                arg_first = self.pos
                values.append(self.expr())
                positional.append(self.source(self.starts[arg_first], self.last_end()))
            if kinds[self.pos] != ",":
                break
            self.advance()
        self.expect(")", "',' or ')'")
        return positional, values, has_keywords

    def jinja_filter(self, subject: Expr, first: int) -> Unsupported:
        pipe = self.advance()
        if self.kinds[self.pos] != NAME:
            self.unexpected("a filter name after '|'")
        name = self.text(self.advance())
        positional: list[str] = []
        values: list[Expr] = []
        has_keywords = False
        if self.kinds[self.pos] == "(":
            positional, values, has_keywords = self.jinja_arguments()
        subject_start = self.starts[first]
        subject_text = self.source(subject_start, self.ends[pipe - 1])
        hint = filter_hint(name, subject_text, positional, has_keywords)
        if len(subject_text) > _MAX_MESSAGE_SUBJECT:
            message = filter_hint(name, "x", positional, has_keywords).message
            hint = Hint(message, hint.rewrite, hint.atomic)
        end = self.last_end()
        self.report_hint(hint, self.starts[pipe], end, subject_start, first)
        return Unsupported(subject_start, end, "filter", (subject, *values))

    def jinja_test(self, subject: Expr, first: int) -> Unsupported:
        is_index = self.advance()
        negated = False
        if self.kinds[self.pos] == "not":
            self.advance()
            negated = True
        kind = self.kinds[self.pos]
        if kind not in (NAME, "true", "false", "null", "in"):
            self.unexpected("a test name after 'is'")
        name = self.text(self.advance())
        positional: list[str] = []
        values: list[Expr] = []
        has_keywords = False
        next_kind = self.kinds[self.pos]
        if next_kind == "(":
            positional, values, has_keywords = self.jinja_arguments()
        elif next_kind in _ARGUMENT_START_KINDS and not (
            next_kind == NAME and self.text(self.pos) in ("if", "else", "is")
        ):
            arg_first = self.pos
            self.enter()
            values.append(self.postfix())
            self.depth -= 1
            positional.append(self.source(self.starts[arg_first], self.last_end()))
        subject_start = self.starts[first]
        subject_end = self.ends[is_index - 1]
        subject_text = self.source(subject_start, subject_end)
        member = None
        if isinstance(subject, Member):
            member = (self.source(*self.receiver_span(subject, first)), subject.name)
        elif (
            isinstance(subject, Index)
            and isinstance(subject.index, Literal)
            and isinstance(subject.index.value, str)
        ):
            bracket = self.src.rfind("[", subject.obj.end, subject.index.start)
            obj_end = subject_start + len(self.src[subject_start:bracket].rstrip())
            member = (self.source(subject_start, obj_end), subject.index.value)
        if has_keywords:
            hint = Hint("Jinja tests are not supported", None)
        else:
            hint = jinja_test_hint(name, negated, subject_text, positional, member)
            if len(subject_text) > _MAX_MESSAGE_SUBJECT:
                short = jinja_test_hint(name, negated, "x", positional, None)
                hint = Hint(short.message, hint.rewrite, hint.atomic)
        end = self.last_end()
        self.report_hint(hint, self.starts[is_index], end, subject_start, first)
        return Unsupported(subject_start, end, "test", (subject, *values))

    def receiver_span(self, member: Member, first: int) -> tuple[int, int]:
        """Span of `obj` in `obj.name`, parentheses included."""
        dot = self.src.rfind(".", member.obj.end, member.name_start)
        start = self.starts[first]
        return start, start + len(self.src[start:dot].rstrip())

    def method_call(self, member: Member, first: int) -> Unsupported:
        receiver_start, receiver_end = self.receiver_span(member, first)
        dot = self.src.rfind(".", member.obj.end, member.name_start)
        receiver = self.source(receiver_start, receiver_end)
        positional, values, has_keywords = self.jinja_arguments()
        hint = method_hint(member.name, receiver, positional, has_keywords)
        if len(receiver) > _MAX_MESSAGE_SUBJECT:
            message = method_hint(member.name, "x", positional, has_keywords).message
            hint = Hint(message, hint.rewrite, hint.atomic)
        end = self.last_end()
        self.report_hint(hint, dot, end, receiver_start, first)
        return Unsupported(receiver_start, end, "method-call", (member.obj, *values))

    def conditional(self, node: Expr, first: int) -> Unsupported:
        if_index = self.advance()
        parts = [node, self.binary(1)]
        while self.is_name(self.pos, "else"):
            self.advance()
            parts.append(self.binary(1))
            if not self.is_name(self.pos, "if"):
                break
            self.advance()
            parts.append(self.binary(1))
        end = self.last_end()
        self.report(
            "conditional expressions (`a if c else b`) are not supported; branch with "
            "transitions (`next` entries with a `when`) or use a task `when` instead",
            self.starts[if_index],
            end,
        )
        return Unsupported(self.starts[first], end, "conditional", tuple(parts))

    def object_literal(self) -> Unsupported:
        open_index = self.advance()
        parts: list[Expr] = []
        while self.kinds[self.pos] != "}":
            parts.append(self.expr())
            self.expect(":", "':' after an object key")
            parts.append(self.expr())
            if self.kinds[self.pos] != ",":
                break
            self.advance()
        close = self.expect("}", "',' or '}'")
        start, end = self.starts[open_index], self.ends[close]
        self.report(
            "object literals are not supported; write the object as a YAML mapping whose "
            "values are templates",
            start,
            end,
        )
        return Unsupported(start, end, "object", tuple(parts))

    def python_slice(
        self, obj: Expr, first: int, open_index: int, lower: Expr | None
    ) -> Unsupported:
        bounds: list[Expr | None] = [lower]
        kinds = self.kinds
        while kinds[self.pos] == ":" and len(bounds) < 3:
            self.advance()
            bounds.append(None if kinds[self.pos] in (":", "]") else self.expr())
        close = self.expect("]", "']'")
        start, end = self.starts[open_index], self.ends[close]
        lower_node, upper_node = bounds[0], bounds[1]
        step = bounds[2] if len(bounds) > 2 else None
        parts = (obj, *(bound for bound in bounds if bound is not None))
        message = "Python slices are not supported"
        fix = None
        if step is not None:
            message += "; slice(v, start, end) has no step"
        elif any(isinstance(b, Unary) and b.op == "-" for b in (lower_node, upper_node)):
            message += "; slice(v, start, end) does not take negative bounds"
        else:
            subject = self.source(self.starts[first], self.ends[open_index - 1])
            args = [subject, "0" if lower_node is None else self.bound_text(lower_node)]
            if upper_node is not None:
                args.append(self.bound_text(upper_node))
            rewrite = f"slice({', '.join(args)})"
            message += f"; use {rewrite if len(rewrite) <= 80 else 'slice(v, start, end)'}"
            fix = Fix(self.starts[first], end, rewrite)
            self.rewrites[(fix.start, fix.end)] = rewrite
        self.report(message, start, end, fix)
        return Unsupported(self.starts[first], end, "slice", parts)

    def bound_text(self, node: Expr) -> str:
        return self.src[node.start : node.end]

    def not_in(self, left: Expr, first: int) -> Unsupported:
        not_index = self.advance()
        in_index = self.advance()
        right = self.binary(_COMPARISON_PRECEDENCE + 1)
        whole_start = self.starts[first]
        left_text = self.source(whole_start, self.ends[not_index - 1])
        right_text = self.source(self.starts[in_index + 1], self.last_end())
        rewrite = f"not ({left_text} in {right_text})"
        hint = Hint(f"`not in` is not supported; use {rewrite}", rewrite, atomic=False)
        if len(rewrite) > _MAX_MESSAGE_SUBJECT:
            hint = Hint("`not in` is not supported; use not (a in b)", rewrite, atomic=False)
        self.report_hint(hint, self.starts[not_index], self.ends[in_index], whole_start, first)
        return Unsupported(whole_start, self.last_end(), "not-in", (left, right))

    def unsupported_operator(
        self, kind: str, op_index: int, left: Expr, right: Expr, first: int
    ) -> Unsupported:
        construct: Construct
        whole_start = self.starts[first]
        op_start, op_end = self.starts[op_index], self.ends[op_index]
        if kind == "//":
            construct = "floor-division"
            left_text = self.source(whole_start, self.ends[op_index - 1])
            right_text = self.source(self.starts[op_index + 1], self.last_end())
            rewrite = f"floor({left_text} / {right_text})"
            shown = rewrite if len(rewrite) <= _MAX_MESSAGE_SUBJECT else "floor(a / b)"
            hint = Hint(f"floor division `//` is not supported; use {shown}", rewrite)
            self.report_hint(hint, op_start, op_end, whole_start, first)
        elif kind == "~":
            construct = "tilde"
            self.report(
                "Jinja's `~` is not supported; use `+` (convert non-strings with string(x))",
                op_start,
                op_end,
            )
        else:
            construct = "power"
            self.report("the power operator `**` is not supported", op_start, op_end)
        return Unsupported(whole_start, self.last_end(), construct, (left, right))

    def stackstorm(self, name: str) -> Unsupported | None:
        """StackStorm's `ctx(...)` or `st2kv(...)` / `st2kv.system.x`, if that is what follows."""
        index = self.pos
        next_kind = self.kinds[index + 1]
        if name == "ctx" and next_kind == "(":
            return self.stackstorm_ctx()
        if name == "st2kv" and (
            next_kind == "("
            or (
                next_kind == "."
                and (self.is_name(index + 2, "system") or self.is_name(index + 2, "user"))
            )
        ):
            return self.stackstorm_kv()
        return None

    def stackstorm_ctx(self) -> Unsupported:
        name_index = self.advance()
        _, values, has_keywords = self.jinja_arguments()
        variable: str | None = None
        if len(values) == 1 and not has_keywords:
            arg = values[0]
            if isinstance(arg, Literal) and isinstance(arg.value, str) and arg.value:
                variable = arg.value
            elif isinstance(arg, Name):
                variable = arg.id
        elif not values and self.kinds[self.pos] == "." and self.kind_at(self.pos + 1) == NAME:
            self.advance()
            variable = self.text(self.advance())
        start, end = self.starts[name_index], self.last_end()
        if variable is None:
            message = (
                "StackStorm's ctx() is not supported; use workflow.<name> for variables and "
                "parameters.<name> for inputs"
            )
        else:
            workflow = _reference("workflow", variable)
            message = (
                f"StackStorm's ctx() is not supported; use {workflow} "
                f"(or {_reference('parameters', variable)} for a workflow input)"
            )
        self.report(message, start, end)
        # ctx() arguments name variables; they are not expressions to check.
        return Unsupported(start, end, "ctx", ())

    def stackstorm_kv(self) -> Unsupported:
        name_index = self.advance()
        values: list[Expr] = []
        key: str | None = None
        if self.kinds[self.pos] == "(":
            _, values, _ = self.jinja_arguments()
            first_arg = values[0] if values else None
            if isinstance(first_arg, Literal) and isinstance(first_arg.value, str):
                key = first_arg.value
                for scope in ("system.", "user."):
                    if key.startswith(scope):
                        key = key[len(scope) :]
                        break
        else:
            self.advance()
            self.advance()
            segments: list[str] = []
            while self.kinds[self.pos] == "." and self.kind_at(self.pos + 1) in _MEMBER_KINDS:
                self.advance()
                segments.append(self.text(self.advance()))
            key = ".".join(segments)
        start, end = self.starts[name_index], self.last_end()
        if key:
            rewrite = f"keystore[{json.dumps(key, ensure_ascii=False)}]"
            hint = Hint(f"StackStorm's st2kv is not supported; use {rewrite}", rewrite)
            self.report_hint(hint, start, end, start, name_index)
        else:
            self.report('StackStorm\'s st2kv is not supported; use keystore["key"]', start, end)
        return Unsupported(start, end, "st2kv", tuple(values))


def _reference(namespace: str, key: str) -> str:
    if _IDENTIFIER_RE.match(key):
        return f"{namespace}.{key}"
    return f"{namespace}[{json.dumps(key, ensure_ascii=False)}]"


@file_memoized(4096)
def parse_expression(src: str) -> ParseResult:
    """Parse the inside of one `{{ }}` block; never raises, results are cached and immutable."""
    parser = _Parser(src)
    if parser.kinds[0] == EOF:
        return ParseResult(None, (ExprError("syntax", "empty expression", 0, len(src)),), src)
    node = parser.parse()
    errors = sorted(parser.errors, key=lambda error: (error.start, error.end))
    return ParseResult(node, tuple(errors), src)


@file_memoized(4096)
def _cached_paths(src: str) -> tuple[Path, ...]:
    node = parse_expression(src).ast
    return () if node is None else paths(node)


def parse_template(text: str) -> tuple[tuple[Block, ParseResult], ...]:
    """Every `{{ }}` block of a template string with its parse; offsets stay block-relative."""
    return tuple((block, parse_expression(block.expr)) for block in find_blocks(text))
