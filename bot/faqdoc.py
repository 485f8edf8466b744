"""The FAQ file as YAML with line numbers, and the problem collector every section's validator uses."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from string import Formatter
from typing import Any

import yaml

TELEGRAM_TEXT_LIMIT = 4096
TITLE_LIMIT = 40
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
ID_RULE = "1-32 characters of a-z, 0-9 and '-'"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a FAQ file, located by file, line and entry."""

    file: str
    line: int
    message: str
    entry: str | None = None

    def __str__(self) -> str:
        # Line 0: the whole file (it cannot be read); "file:0:" pointed at a line that is none.
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: entry '{self.entry}': {self.message}"
            if self.entry
            else f"{where}: {self.message}"
        )


class FaqError(Exception):
    """The FAQ file is unusable; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- YAML with line numbers -------------------------------------------------------------------


class Map(dict[str, Any]):
    """A mapping that remembers the line of itself and of each key."""

    line = 0
    lines: dict[str, int]


class Seq(list[Any]):
    """A sequence that remembers its line and each item's line."""

    line = 0
    lines: list[int]


# A FAQ file needs neither deep nesting nor many aliases; hostile files use both to make a few
# kilobytes expand into gigabytes ("billion laughs") or to exhaust the parser's recursion.
MAX_DEPTH = 30
MAX_ALIASES = 100
MAX_NODES = 200_000
# A node whose expanded size is being counted (its children are being walked).
_EXPANDING = -1


class TooComplex(Exception):
    """The YAML nests too deeply or expands (through aliases) into too many values."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


# libyaml's parser when PyYAML was built with it (the wheels are): several times faster.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc]
    """A safe loader that keeps line numbers and refuses duplicate keys."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """A node's tag, as the safe loader resolves it."""
        # Most of a FAQ file's values are plain text whose first character begins no implicit
        # type (number, yes / no, null, date ...): text, without the loader's lookups.
        resolvers = self.yaml_implicit_resolvers
        if (
            kind is yaml.ScalarNode
            and implicit[0]
            and value
            and value[0] not in resolvers
            and None not in resolvers
            and not self.yaml_path_resolvers
        ):
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


def load_document(text: str) -> Any:
    """Parse YAML text within the limits: nesting, aliases and their expansion checked first."""
    loader = Loader(text)
    loader.source_lines = text.splitlines()
    try:
        try:
            # libyaml composes nodes without expanding aliases, and stops at its own nesting
            # limit: the tree is checked before anything is built from it.
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in str(exc.problem):  # libyaml's own limit, far above ours
                raise TooComplex(
                    f"nested more than {MAX_DEPTH} levels deep", _line(exc.problem_mark)
                ) from None
            raise
        if node is None:
            return None
        if check_shape(node) and _expanded_size(node, {}) > MAX_NODES:
            raise TooComplex(
                f"its aliases expand to more than {MAX_NODES:,} values", _line(node.start_mark)
            )
        return _construct(loader, node)
    finally:
        loader.dispose()


def check_shape(root: yaml.Node) -> int:
    """Refuse deep nesting and many aliases in the composed tree; the number of aliases."""
    if _plain_tree(root):
        return 0
    # An alias is a node met again: each is walked once, so a "billion laughs" costs little.
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise TooComplex(f"more than {MAX_ALIASES} aliases", _line(node.start_mark))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            continue
        if depth > MAX_DEPTH:
            raise TooComplex(f"nested more than {MAX_DEPTH} levels deep", _line(node.start_mark))
        stack.extend((child, depth + 1) for child in reversed(children))
    return aliases


def _plain_tree(root: yaml.Node) -> bool:
    """True when no node is met twice (no alias) and none nests over MAX_DEPTH levels."""
    # A FAQ file's common case, checked a level at a time with its tens of thousands of strings
    # taken in bulk; any other tree is walked node by node, for the problem and its line.
    seen = {id(root)}
    level = [root] if not isinstance(root, yaml.ScalarNode) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            return False
        children: list[yaml.Node] = []
        for node in level:
            children += node.value if isinstance(node, yaml.SequenceNode) else chain(*node.value)
        size = len(seen) + len(children)
        seen.update(map(id, children))
        if len(seen) != size:
            return False
        level = [child for child in children if not isinstance(child, yaml.ScalarNode)]
        depth += 1
    return True


def _line(mark: Any) -> int:
    """The 1-based line of a YAML mark (Python's or libyaml's), 1 when there is none."""
    return int(mark.line) + 1 if mark is not None else 1


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values a node stands for once every alias is expanded (memoised per node)."""
    known = sizes.get(id(node))
    if known == _EXPANDING:  # met again while its own children are counted: a cycle
        raise TooComplex("an alias inside the value it names never ends", _line(node.start_mark))
    if known is not None:
        return known
    sizes[id(node)] = _EXPANDING
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _expanded_size(key, sizes) + _expanded_size(value, sizes) for key, value in node.value
        )
    sizes[id(node)] = min(size, MAX_NODES + 1)
    return sizes[id(node)]


def _construct_map(loader: Loader, node: yaml.MappingNode) -> Map:
    loader.flatten_mapping(node)
    result = Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    lines = result.lines
    for key_node, value_node in node.value:
        key_text = str(_construct(loader, key_node))
        if key_text in result:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key '{key_text}'", problem_mark=key_node.start_mark
            )
        result[key_text] = _construct(loader, value_node)
        lines[key_text] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: Loader, node: yaml.SequenceNode) -> Seq:
    if not node.flow_style:
        for child in node.value:
            # Only an item over more than one line can hold a line that begins with "- ".
            if child.end_mark.line > child.start_mark.line:
                _refuse_joined_item(loader, child)
    result = Seq([_construct(loader, child) for child in node.value])
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _refuse_joined_item(loader: Loader, node: yaml.Node) -> None:
    """Refuse a list item that goes on over a line beginning with "- ": two items indented apart.

    One space too many before the second "- " makes YAML read it as the rest of the item
    above ("will i get bruises - how long do bruises last"), without a word.
    """
    if not isinstance(node, yaml.ScalarNode) or node.style:  # quoted or a block: as written
        return
    lines: list[str] = getattr(loader, "source_lines", [])
    for number in range(node.start_mark.line + 1, node.end_mark.line + 1):
        if number < len(lines) and (lines[number].lstrip() + " ").startswith("- "):
            shown = _cut(" ".join(str(node.value).split()), JOINED_CHARS)
            raise yaml.MarkedYAMLError(
                problem=f"this line is indented further than the list item above it, so YAML "
                f"read both as one item ({shown}): line its '-' up with the one above",
                problem_mark=yaml.error.Mark("", 0, number, 0, None, 0),
            )


_STR_TAG = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG


def _construct(loader: Loader, node: yaml.Node) -> Any:
    """The value of a node: a string as it is, anything else as the loader builds it."""
    # What the safe loader's constructor returns for a string, without its bookkeeping: most of
    # a FAQ file's nodes are strings.
    if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError:
        if not isinstance(node, yaml.ScalarNode) or node.tag.startswith(_STANDARD_TAGS):
            raise
        # "- !hay fever": a red-flag sign written exceptions first reads as an unknown tag.
        raise yaml.MarkedYAMLError(
            problem=f"{_shown_with_tag(node)} begins with '!', which YAML reads as a tag: put "
            "the value in quotes, or, in a red-flag sign, write its words first and its "
            "exceptions after them, as in 'fever !hay'",
            problem_mark=node.start_mark,
        ) from None
    except _UNBUILDABLE:
        # PyYAML's constructors raise these, unmarked, for a day that does not exist
        # (2025-02-30), a number past Python's 4,300 digits or a value its !!tag cannot take.
        raise yaml.MarkedYAMLError(
            problem=f"{_shown(node)} is not a valid {node.tag.rpartition(':')[2]}; "
            "put it in quotes to keep it as text",
            problem_mark=node.start_mark,
        ) from None


_UNBUILDABLE = (ValueError, KeyError, IndexError, AttributeError, TypeError)
_STANDARD_TAGS = "tag:yaml.org,2002:"
SHOWN_CHARS = 40
JOINED_CHARS = 80  # two items read as one: enough of both to recognise them


def _shown_with_tag(node: yaml.ScalarNode) -> str:
    """A tagged value as the file writes it ("!hay fever"), quoted and cut to a readable length."""
    return _cut(f"{node.tag} {node.value}".strip(), SHOWN_CHARS)


def _shown(node: yaml.Node) -> str:
    """A value as the file writes it, quoted and cut to a readable length."""
    if not isinstance(node, yaml.ScalarNode):
        return "the list" if isinstance(node, yaml.SequenceNode) else "the mapping"
    return _cut(str(node.value), SHOWN_CHARS)


def _cut(value: str, limit: int) -> str:
    """A value quoted, cut to `limit` characters with "…" when it is longer."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# --- validation -------------------------------------------------------------------------------


class Checker:
    """Collects problems while reading a parsed FAQ document."""

    def __init__(self, file: str, placeholders: tuple[str, ...]) -> None:
        self.file = file
        self.placeholders = placeholders
        self.problems: list[Problem] = []
        self.ids = Ids(self)
        # kind -> key -> line of things other than ids, for checks made across files later.
        self.places: dict[str, dict[str, int]] = {}

    def add(self, line: int, message: str, entry: str | None = None) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.file, line, message, entry))

    def place(self, kind: str, key: str, line: int) -> None:
        """Remember where something is (the first time), for problems found across files."""
        self.places.setdefault(kind, {}).setdefault(key, line)

    def mapping(
        self,
        value: Any,
        line: int,
        what: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        entry: str | None = None,
    ) -> Map | None:
        """Check a mapping's type and keys; None when it is not a mapping.

        Problems name the mapping's own `id` when it has one (a red flag, a decline, a rule).
        """
        if not isinstance(value, Map):
            self.add(line, f"{what} must be a mapping", entry)
            return None
        keys = (*required, *optional)
        if entry is None and "id" in keys and isinstance(value.get("id"), str):
            entry = value["id"]
        missing = [key for key in required if key not in value]
        for key in value:
            if key not in keys:
                # "not_exemples": one problem that names the key meant, not a second one saying
                # that key is missing.
                meant = difflib.get_close_matches(key, keys, n=1, cutoff=0.75)
                guess = f": did you mean '{meant[0]}'?" if meant else ""
                if meant and meant[0] in missing:
                    missing.remove(meant[0])
                self.add(
                    value.lines[key],
                    f"unknown key '{key}' in {what}{guess} (allowed: {', '.join(keys)})",
                    entry,
                )
        for key in missing:
            self.add(value.line, f"{what} is missing '{key}'", entry)
        return value

    def text(self, parent: Map, key: str, entry: str | None = None, limit: int = 0) -> str:
        """A required non-empty string field."""
        value = parent.get(key)
        line = parent.lines.get(key, parent.line)
        if key not in parent:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(line, f"'{key}' must be a non-empty text", entry)
            return ""
        if limit and len(value.strip()) > limit:
            self.add(line, f"'{key}' is {len(value.strip())} characters, at most {limit}", entry)
        return value.strip()

    def texts(self, parent: Map, key: str, entry: str | None, required: bool) -> tuple[str, ...]:
        """A list of non-empty strings."""
        if key not in parent:
            return ()
        value = parent[key]
        line = parent.lines[key]
        if not isinstance(value, Seq) or (required and not value):
            self.add(line, f"'{key}' must be a non-empty list", entry)
            return ()
        out: list[str] = []
        for item, item_line in zip(value, value.lines, strict=True):
            if type(item) is str and (text := item.strip()):  # most items: what the rest gives
                out.append(text)
                continue
            if isinstance(item, bool):
                self.add(item_line, f"'{key}' has a yes/no value: put the word in quotes", entry)
                continue
            text = str(item).strip() if isinstance(item, _TEXT_TYPES) else ""
            if not text:
                self.add(item_line, f"'{key}' has an empty or non-text item", entry)
                continue
            out.append(text)
        return tuple(out)

    def template(self, text: str, line: int, what: str, entry: str | None = None) -> None:
        """Check that a text formatted with the clinic's details uses only plain, known names."""
        allowed = ", ".join(f"{{{name}}}" for name in self.placeholders)
        advice = f"(allowed: {allowed}); write {{{{ and }}}} for literal braces"
        try:
            parsed = list(Formatter().parse(text))
        except ValueError:
            self.add(line, f"{what} has a {{ or }} that is not a placeholder {advice}", entry)
            return
        for _literal, name, spec, conversion in parsed:
            if name is None:
                continue
            fault = _placeholder_fault(name, spec, conversion, self.placeholders)
            if fault:
                self.add(line, f"{what} has {fault} {advice}", entry)

    def items(self, doc: Map, key: str) -> Iterator[tuple[Map, int]]:
        """The mappings of a top-level list."""
        value = doc.get(key)
        if value is None:
            return
        if not isinstance(value, Seq):
            self.add(doc.lines[key], f"'{key}' must be a list")
            return
        for item, line in zip(value, value.lines, strict=True):
            if not isinstance(item, Map):
                self.add(line, f"each item of '{key}' must be a mapping")
                continue
            yield item, line


# What a list of texts may hold (a number is read as its text): the types, built once.
_TEXT_TYPES = (str, int, float)


def _placeholder_fault(
    name: str, spec: str | None, conversion: str | None, allowed: tuple[str, ...]
) -> str | None:
    """What is wrong with one replacement field, or None when it is a plain allowed name."""
    shown = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
    head = re.split(r"[.\[]", name, maxsplit=1)[0]
    if not head or head.isdigit():
        return f"a positional placeholder {shown}"
    if head != name:
        return f"a placeholder {shown} with attribute or index access"
    if spec or conversion:
        return f"a placeholder {shown} with a conversion or format spec"
    if name not in allowed:
        return f"an unknown placeholder {shown}"
    return None


class Ids:
    """Every id read so far, by kind: one pattern for all, no duplicates within a kind."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.first_lines: dict[str, dict[str, int]] = {}

    def claim(self, value: Any, line: int, kind: str) -> str:
        """The id, or "" when it is malformed; a duplicate of its kind is reported but returned."""
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.checker.add(line, _id_fault(value))
            return ""
        seen = self.first_lines.setdefault(kind, {})
        if value in seen:
            self.checker.add(
                line, f"duplicate id '{value}' (first used on line {seen[value]})", value
            )
        else:
            seen[value] = line
        return value


def _id_fault(value: Any) -> str:
    """Why a value is no id, in the words of the file: what YAML read it as, not Python's repr."""
    if isinstance(value, str):
        return f"id {value!r} must be {ID_RULE}"
    if value is None:
        return f"the id is empty: write one of {ID_RULE}"
    if isinstance(value, list | dict):
        return f"the id must be text, not {'a list' if isinstance(value, list) else 'a mapping'}"
    # YAML reads yes, off, 42, 0x1f and 2024-01-01 as other things than text ("True", 31, a date).
    if isinstance(value, bool):
        read_as = "a yes/no value"
    elif isinstance(value, date):
        read_as = "a date"
    else:
        read_as = "a number"
    return f"the id is read by YAML as {read_as}, not as text: put it in quotes ({ID_RULE})"
