"""A subset of JQL, enough for what Kuber and its tests send: fields compared with `=`, `!=`,
`~`, `!~`, `<`, `<=`, `>`, `>=`, `IN`, `NOT IN`, `IS [NOT] EMPTY`; `AND`, `OR`, `NOT` and
parentheses; `ORDER BY` with `ASC`/`DESC`; quoted strings with Jira's escapes; the functions
`openSprints()`, `closedSprints()`, `futureSprints()`, `currentUser()`, `now()`, `startOfDay()`.

Errors read as Jira's do: a syntax error says where, a value that names nothing says so for
its field ("The value 'X' does not exist for the field 'project'."), and a reserved word used
unquoted is refused. Text search (`~`) matches when every word of the value starts a word of
the field, case ignored; Lucene's operators (`AND`, `OR`, `NOT`, `+`, `-`, `*`, …) inside the
value are not operators here, only words or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.jira_model import CATEGORIES, FLAG_VALUE, STATUSES, Issue, JiraWorld

#: Words JQL reserves: a value spelled like one must be quoted.
RESERVED = frozenset(
    {
        "and", "or", "not", "empty", "null", "order", "by", "in", "is", "was", "changed",
        "asc", "desc", "from", "to", "after", "before", "on", "during",
    }
)  # fmt: skip
_OPERATORS = ("!=", "!~", ">=", "<=", "=", "~", ">", "<")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t", "r": "\r", " ": " "}
_WORD = re.compile(r"[^\s=!<>~(),\"']+")
_RELATIVE = re.compile(r"^([-+]?)(\d+)([wdhm])$")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60}


class JqlError(Exception):
    """A query Jira would refuse with 400; the message is Jira's sentence."""


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, op, lparen, rparen, comma, end
    text: str
    position: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def tokenize(jql: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(jql):
        char = jql[index]
        if char.isspace():
            index += 1
            continue
        if char in "(),":
            kind = {"(": "lparen", ")": "rparen", ",": "comma"}[char]
            tokens.append(Token(kind, char, index))
            index += 1
            continue
        operator = next((op for op in _OPERATORS if jql.startswith(op, index)), None)
        if operator is not None:
            tokens.append(Token("op", operator, index))
            index += len(operator)
            continue
        if char in "\"'":
            text, index = _string(jql, index)
            tokens.append(Token("string", text, index))
            continue
        match = _WORD.match(jql, index)
        if match is None:
            raise JqlError(
                f"Error in the JQL Query: The character '{char}' is a reserved JQL character. "
                f"You must enclose it in a string or use the escape '\\u{ord(char):04X}' "
                f"instead. (line 1, character {index + 1})"
            )
        tokens.append(Token("word", match.group(0), index))
        index = match.end()
    tokens.append(Token("end", "", len(jql)))
    return tokens


def _string(jql: str, start: int) -> tuple[str, int]:
    quote = jql[start]
    index = start + 1
    out: list[str] = []
    while index < len(jql):
        char = jql[index]
        if char == "\\":
            following = jql[index + 1 : index + 2]
            if following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", jql[index + 2 : index + 6]):
                out.append(chr(int(jql[index + 2 : index + 6], 16)))
                index += 6
                continue
            if following not in _ESCAPES:
                raise JqlError(
                    f"Error in the JQL Query: '\\{following}' is an illegal JQL escape sequence. "
                    f"The valid escape sequences are \\', \\\", \\t, \\n, \\r, \\\\, '\\ ' and "
                    f"\\uXXXX. (line 1, character {index + 1})"
                )
            out.append(_ESCAPES[following])
            index += 2
            continue
        if char == quote:
            return "".join(out), index + 1
        out.append(char)
        index += 1
    raise JqlError(
        f"Error in the JQL Query: The quoted string '{''.join(out)}' has not been completed. "
        f"(line 1, character {start + 1})"
    )


# -- values --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Literal:
    text: str
    quoted: bool


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]


Operand = Literal | Function
Predicate = Callable[[Issue], bool]


@dataclass
class Query:
    predicate: Predicate
    order: list[tuple[str, bool]]  # (field, descending)


@dataclass
class Context:
    world: JiraWorld
    user: str
    now: datetime
    #: False (validateQuery=false or warn): a value naming nothing matches nothing, silently.
    strict: bool = True

    @property
    def zone(self) -> ZoneInfo:
        found = self.world.user(self.user)
        return ZoneInfo(found.time_zone if found else "UTC")


class _Parser:
    def __init__(self, tokens: list[Token], context: Context) -> None:
        self.tokens = tokens
        self.at = 0
        self.context = context

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, expected: str) -> JqlError:
        token = self.peek()
        got = "the end of the query" if token.kind == "end" else f"'{token.text}'"
        return JqlError(
            f"Error in the JQL Query: Expecting {expected} but got {got}. "
            f"(line 1, character {token.position + 1})"
        )

    # query := [or] [ORDER BY key (, key)*] end
    def query(self) -> Query:
        predicate: Predicate = lambda _issue: True  # noqa: E731
        if not (self.peek().kind == "end" or self.peek().is_word("order")):
            predicate = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.peek().is_word("order"):
            self.take()
            if not self.peek().is_word("by"):
                raise self.fail("'by'")
            self.take()
            while True:
                token = self.take()
                if token.kind not in ("word", "string"):
                    self.at -= 1
                    raise self.fail("a field name")
                descending = False
                if self.peek().is_word("asc", "desc"):
                    descending = self.take().text.lower() == "desc"
                order.append((token.text, descending))
                if self.peek().kind != "comma":
                    break
                self.take()
        if self.peek().kind != "end":
            raise self.fail("either 'OR' or 'AND'" if not order else "',' or the end")
        return Query(predicate, order)

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.peek().is_word("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda issue: any(p(issue) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while self.peek().is_word("and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else (lambda issue: all(p(issue) for p in parts))

    def not_expr(self) -> Predicate:
        if self.peek().is_word("not"):
            self.take()
            inner = self.not_expr()
            return lambda issue: not inner(issue)
        if self.peek().kind == "lparen":
            self.take()
            inner = self.or_expr()
            if self.take().kind != "rparen":
                self.at -= 1
                raise self.fail("')'")
            return inner
        return self.clause()

    def clause(self) -> Predicate:
        token = self.take()
        if token.kind not in ("word", "string") or (
            token.kind == "word" and token.text.lower() in RESERVED
        ):
            self.at -= 1
            raise self.fail("a field name")
        field = field_named(token.text)
        operator = self.operator()
        if operator in ("is", "is not"):
            if not self.peek().is_word("empty", "null"):
                raise self.fail("'EMPTY'")
            self.take()
            empty = field.empty
            return empty if operator == "is" else (lambda issue: not empty(issue))
        if operator in ("in", "not in"):
            operands = self.operand_list()
        else:
            if self.peek().is_word("empty", "null"):
                self.take()
                if operator not in ("=", "!="):
                    raise JqlError(
                        f"Error in the JQL Query: The operator '{operator}' does not support "
                        f"the value EMPTY for field '{token.text}'."
                    )
                empty = field.empty
                return empty if operator == "=" else (lambda issue: not empty(issue))
            operands = [self.operand()]
        return field.compare(operator, operands, self.context)

    def operator(self) -> str:
        token = self.peek()
        if token.kind == "op":
            self.take()
            return token.text
        if token.is_word("in"):
            self.take()
            return "in"
        if token.is_word("not") and self.tokens[self.at + 1].is_word("in"):
            self.at += 2
            return "not in"
        if token.is_word("is"):
            self.take()
            if self.peek().is_word("not"):
                self.take()
                return "is not"
            return "is"
        if token.is_word("was", "changed"):
            raise JqlError(f"Error in the JQL Query: the sandbox does not support '{token.text}'.")
        raise self.fail("operator but got '" + token.text + "'. Expecting an operator")

    def operand_list(self) -> list[Operand]:
        following = self.tokens[self.at + 1]
        if self.peek().kind == "word" and following.kind == "lparen":
            return [self.operand()]  # `sprint in openSprints()`: a function gives the list
        if self.take().kind != "lparen":
            self.at -= 1
            raise self.fail("'('")
        operands = [self.operand()]
        while self.peek().kind == "comma":
            self.take()
            operands.append(self.operand())
        if self.take().kind != "rparen":
            self.at -= 1
            raise self.fail("')'")
        return operands

    def operand(self) -> Operand:
        token = self.take()
        if token.kind == "string":
            return Literal(token.text, quoted=True)
        if token.kind != "word":
            self.at -= 1
            raise self.fail("either a value, 'EMPTY' or a list of values")
        if self.peek().kind == "lparen":
            self.take()
            args: list[str] = []
            while self.peek().kind != "rparen":
                arg = self.take()
                if arg.kind not in ("word", "string"):
                    self.at -= 1
                    raise self.fail("a function argument")
                args.append(arg.text)
                if self.peek().kind == "comma":
                    self.take()
            self.take()
            return Function(token.text, tuple(args))
        if token.text.lower() in RESERVED:
            raise JqlError(
                f"Error in the JQL Query: '{token.text}' is a reserved JQL word. You must "
                "surround it in quotation marks to use it in a query. "
                f"(line 1, character {token.position + 1})"
            )
        return Literal(token.text, quoted=False)


def parse(jql: str, context: Context) -> Query:
    return _Parser(tokenize(jql), context).query()


def search(jql: str, context: Context) -> list[Issue]:
    """The issues `jql` selects, in its order (`ORDER BY`, else newest key first)."""
    query = parse(jql, context)
    found = [issue for issue in context.world.issues.values() if query.predicate(issue)]
    found.sort(key=lambda issue: -issue.id)
    for name, descending in reversed(query.order):
        key = sort_key(name, context)
        found.sort(key=key, reverse=descending)
    return found


# -- fields ----------------------------------------------------------------------------------
Values = Callable[[Issue], list[Any]]


@dataclass(frozen=True)
class FieldDef:
    name: str
    #: What an issue holds in this field, as values the operands resolve to.
    values: Values
    #: An operand -> the values it means, for this field; raises JqlError for a value naming
    #: nothing (when the query is strict).
    resolve: Callable[[Operand, Context], list[Any]]
    kind: str = "exact"  # exact, text, ordered

    def empty(self, issue: Issue) -> bool:
        return not [v for v in self.values(issue) if v not in (None, "")]

    def compare(self, operator: str, operands: list[Operand], context: Context) -> Predicate:
        if operator in ("~", "!~"):
            if self.kind != "text":
                raise JqlError(
                    f"Error in the JQL Query: The operator '{operator}' is not supported by "
                    f"the '{self.name}' field."
                )
            terms = _terms(" ".join(_text(o) for o in operands))
            values = self.values

            def contains(issue: Issue) -> bool:
                return _matches(terms, values(issue))

            return contains if operator == "~" else (lambda issue: not contains(issue))
        if self.kind == "text" and operator in ("=", "!=", "in", "not in"):
            raise JqlError(
                f"Error in the JQL Query: The operator '{operator}' is not supported by the "
                f"'{self.name}' field. Use '~' to search its text."
            )
        wanted: list[Any] = []
        for operand in operands:
            wanted.extend(self.resolve(operand, context))
        if operator in ("=", "in"):
            return lambda issue: any(v in wanted for v in self.values(issue))
        if operator in ("!=", "not in"):
            # As Jira: an empty field matches neither = nor !=.
            return lambda issue: (
                bool(present := self.values(issue)) and not any(v in wanted for v in present)
            )
        if self.kind != "ordered":
            raise JqlError(
                f"Error in the JQL Query: The operator '{operator}' is not supported by the "
                f"'{self.name}' field."
            )
        if not wanted:
            return lambda _issue: False
        bound = wanted[0]
        compare: dict[str, Callable[[Any, Any], bool]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        check = compare[operator]
        return lambda issue: any(v is not None and check(v, bound) for v in self.values(issue))


def _text(operand: Operand) -> str:
    return operand.text if isinstance(operand, Literal) else operand.name


def _terms(text: str) -> list[str]:
    words = re.findall(r"\w+", text)
    return [w.lower() for w in words if w not in ("AND", "OR", "NOT")]


def _matches(terms: list[str], values: list[Any]) -> bool:
    words = [w.lower() for value in values if value for w in re.findall(r"\w+", str(value))]
    return bool(terms) and all(any(w.startswith(t) for w in words) for t in terms)


def _unknown(value: str, field: str) -> JqlError:
    return JqlError(f"The value '{value}' does not exist for the field '{field}'.")


def _exact(
    field: str, choices: Callable[[Context], dict[str, Any]]
) -> Callable[[Operand, Context], list[Any]]:
    """Resolve a literal by the case-insensitive names `choices` gives."""

    def resolve(operand: Operand, context: Context) -> list[Any]:
        if isinstance(operand, Function):
            raise JqlError(
                f"Error in the JQL Query: Unable to find JQL function '{operand.name}()'."
            )
        known = {k.lower(): v for k, v in choices(context).items()}
        found = known.get(operand.text.lower())
        if found is None:
            if context.strict:
                raise _unknown(operand.text, field)
            return []
        return [found]

    return resolve


def _projects(context: Context) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for project in context.world.projects.values():
        names[project.key] = names[str(project.id)] = names[project.name] = project.key
    return names


def _statuses(context: Context) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for status in context.world.statuses.values():
        names[status.name] = names[status.id] = status.name
    return names


def _categories(_context: Context) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for key, (number, name, _colour) in CATEGORIES.items():
        names[key] = names[name] = names[str(number)] = key
    return names


def _types(context: Context) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for kind in context.world.issue_types.values():
        names[kind.name] = names[kind.id] = kind.name
    return names


def _users(field: str) -> Callable[[Operand, Context], list[Any]]:
    def resolve(operand: Operand, context: Context) -> list[Any]:
        if isinstance(operand, Function):
            if operand.name.lower() == "currentuser":
                return [context.user]
            raise JqlError(
                f"Error in the JQL Query: Unable to find JQL function '{operand.name}()'."
            )
        wanted = operand.text.lower()
        for user in context.world.users.values():
            if wanted in (user.name.lower(), user.email.lower(), user.key.lower()):
                return [user.name]
        if context.strict:
            raise _unknown(operand.text, field)
        return []

    return resolve


def _keys(operand: Operand, context: Context) -> list[Any]:
    if isinstance(operand, Function):
        raise JqlError(f"Error in the JQL Query: Unable to find JQL function '{operand.name}()'.")
    found = context.world.issue(operand.text)
    if found is None:
        if context.strict:
            raise JqlError(f"An issue with key '{operand.text}' does not exist for field 'key'.")
        return []
    return [found.key]


def _sprints(operand: Operand, context: Context) -> list[Any]:
    sprints = context.world.sprints.values()
    if isinstance(operand, Function):
        states = {
            "opensprints": ("active", "future"),
            "closedsprints": ("closed",),
            "futuresprints": ("future",),
        }.get(operand.name.lower())
        if states is None:
            raise JqlError(
                f"Error in the JQL Query: Unable to find JQL function '{operand.name}()'."
            )
        return [s.id for s in sprints if s.state in states]
    if operand.text.isdigit() and int(operand.text) in context.world.sprints:
        return [int(operand.text)]
    named = context.world.sprint_of_name(operand.text)
    if named is not None:
        return [named.id]
    if context.strict:
        raise _unknown(operand.text, "sprint")
    return []


def _number(operand: Operand, _context: Context) -> list[Any]:
    try:
        return [float(_text(operand))]
    except ValueError:
        raise JqlError(
            f"Error in the JQL Query: '{_text(operand)}' is not a number for field 'Story Points'."
        ) from None


def _date(field: str) -> Callable[[Operand, Context], list[Any]]:
    def resolve(operand: Operand, context: Context) -> list[Any]:
        now = context.now.astimezone(context.zone)
        if isinstance(operand, Function):
            name = operand.name.lower()
            if name == "now":
                return [now.astimezone(UTC)]
            if name == "startofday":
                return [datetime.combine(now.date(), time(), context.zone).astimezone(UTC)]
            raise JqlError(
                f"Error in the JQL Query: Unable to find JQL function '{operand.name}()'."
            )
        text = operand.text.strip()
        relative = _RELATIVE.match(text)
        if relative:
            sign = -1 if relative.group(1) == "-" else 1
            seconds = int(relative.group(2)) * _UNITS[relative.group(3)]
            return [now.astimezone(UTC) + sign * timedelta(seconds=seconds)]
        for pattern in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
            try:
                parsed = datetime.strptime(text, pattern)
            except ValueError:
                continue
            return [parsed.replace(tzinfo=context.zone).astimezone(UTC)]
        raise JqlError(
            f"Date value '{text}' for field '{field}' is invalid. Valid formats include: "
            "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
            "format e.g. '-5d', '4w 2d'."
        )

    return resolve


def _labels(operand: Operand, _context: Context) -> list[Any]:
    return [_text(operand)]


def _flag(operand: Operand, context: Context) -> list[Any]:
    if _text(operand).lower() == FLAG_VALUE.lower():
        return [True]
    if context.strict:
        raise _unknown(_text(operand), "Flagged")
    return []


def _resolution(operand: Operand, context: Context) -> list[Any]:
    text = _text(operand).lower()
    if text == "unresolved":
        return [None]
    if text == "done":
        return ["Done"]
    if context.strict:
        raise _unknown(_text(operand), "resolution")
    return []


def _fields() -> dict[str, FieldDef]:
    project = FieldDef("project", lambda i: [i.project], _exact("project", _projects))
    key = FieldDef("key", lambda i: [i.key], _keys)
    status = FieldDef("status", lambda i: [i.status], _exact("status", _statuses))
    category = FieldDef(
        "statusCategory",
        lambda i: [_category_of(i)],
        _exact("statusCategory", _categories),
    )
    assignee = FieldDef("assignee", lambda i: [i.assignee], _users("assignee"))
    reporter = FieldDef("reporter", lambda i: [i.reporter], _users("reporter"))
    issuetype = FieldDef("issuetype", lambda i: [i.issue_type], _exact("issuetype", _types))
    sprint = FieldDef("sprint", lambda i: list(i.sprints), _sprints)
    summary = FieldDef("summary", lambda i: [i.summary], _labels, kind="text")
    description = FieldDef("description", lambda i: [i.description], _labels, kind="text")
    text = FieldDef(
        "text",
        lambda i: [i.summary, i.description, *(c.body for c in i.comments)],
        _labels,
        kind="text",
    )
    comment = FieldDef("comment", lambda i: [c.body for c in i.comments], _labels, kind="text")
    labels = FieldDef("labels", lambda i: list(i.labels), _labels)
    created = FieldDef("created", lambda i: [i.created], _date("created"), kind="ordered")
    updated = FieldDef("updated", lambda i: [i.updated], _date("updated"), kind="ordered")
    resolved = FieldDef("resolved", lambda i: [i.resolved], _date("resolved"), kind="ordered")
    points = FieldDef("Story Points", lambda i: [i.points], _number, kind="ordered")
    flagged = FieldDef("Flagged", lambda i: [True] if i.flagged else [], _flag)
    resolution = FieldDef(
        "resolution",
        lambda i: [i.resolution] if i.resolution else [None],
        _resolution,
    )
    priority = FieldDef(
        "priority",
        lambda i: [i.priority],
        _exact(
            "priority", lambda _c: {n: n for n in ("Highest", "High", "Medium", "Low", "Lowest")}
        ),
    )
    return {
        "project": project,
        "key": key,
        "issuekey": key,
        "id": key,
        "status": status,
        "statuscategory": category,
        "category": category,
        "assignee": assignee,
        "reporter": reporter,
        "issuetype": issuetype,
        "type": issuetype,
        "sprint": sprint,
        "cf[10004]": sprint,
        "summary": summary,
        "description": description,
        "text": text,
        "comment": comment,
        "labels": labels,
        "created": created,
        "createddate": created,
        "updated": updated,
        "updateddate": updated,
        "resolved": resolved,
        "resolutiondate": resolved,
        "story points": points,
        "cf[10002]": points,
        "flagged": flagged,
        "cf[10006]": flagged,
        "resolution": resolution,
        "priority": priority,
    }


FIELDS = _fields()


def _category_of(issue: Issue) -> str:
    return next((s.category for s in STATUSES if s.name == issue.status), "new")


def field_named(name: str) -> FieldDef:
    found = FIELDS.get(name.lower())
    if found is None:
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    return found


_PRIORITY_ORDER = {"Highest": 0, "High": 1, "Medium": 2, "Low": 3, "Lowest": 4}


def sort_key(name: str, context: Context) -> Callable[[Issue], Any]:
    lowered = name.lower()
    if lowered in ("rank", "cf[10005]"):
        return lambda issue: context.world.rank_of(issue.key)
    if lowered in ("key", "issuekey", "id"):
        return lambda issue: (issue.project, issue.id)
    if lowered == "priority":
        return lambda issue: _PRIORITY_ORDER.get(issue.priority, 2)
    field = field_named(name)
    if field.kind == "ordered":
        # Empty values sort last, as Jira sorts them.
        return lambda issue: _ordered(field.values(issue))
    return lambda issue: [str(v or "") for v in field.values(issue)]


def _ordered(values: list[Any]) -> tuple[int, Any]:
    present = [v for v in values if v is not None]
    if not present:
        return (1, 0)
    value = present[0]
    return (0, value.timestamp() if isinstance(value, datetime) else value)
