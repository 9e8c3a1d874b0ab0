"""One safe YAML loader for every document silkway reads from a user (scenarios above all).

``yaml.safe_load`` already refuses Python object tags, but not a "billion laughs": a few hundred
bytes of nested anchors and aliases that expand to gigabytes when walked. :func:`load_yaml`
refuses, before building anything large:

- documents over :data:`MAX_YAML_BYTES` bytes of UTF-8,
- more than :data:`MAX_ALIASES` aliases (``*name``) in one document,
- nesting deeper than :data:`MAX_DEPTH` collections,
- non-finite numbers (``.nan``, ``.inf``), which no silkway document needs and which make
  searches and sums silently wrong or endless,
- more than one document in one text,
- numbers that YAML 1.1 reads otherwise than they look: ``1_5`` (15), ``010`` (octal 8),
  ``0x10`` (16), ``1:30`` (90, base 60); ``1e-3`` is read as the number it is (YAML 1.2).

Every refusal is an :class:`~silkway.errors.InputError` (the user's document: exit 2, HTTP 422)
with one sentence that names the problem.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from silkway.errors import InputError

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_YAML_BYTES", "load_yaml"]

MAX_YAML_BYTES = 64 * 1024
"""Largest YAML document accepted, in UTF-8 bytes."""

MAX_ALIASES = 16
"""Most aliases (``*name``) one document may use."""

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences."""


class _RefusedError(Exception):
    """Raised inside the loader; turned into an InputError with the document's label."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases and depth while composing, and refuses non-finite floats
    and keys given twice."""

    def __init__(self, stream: str, *, finite_only: bool = True) -> None:
        super().__init__(stream)
        self._finite_only = finite_only
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _RefusedError(f"it uses more than {MAX_ALIASES} aliases (*name)")
            return Composer.compose_node(self, parent, index)  # type: ignore[no-any-return]
        nested = self.check_event(MappingStartEvent) or self.check_event(SequenceStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _RefusedError(f"it nests more than {MAX_DEPTH} levels deep")
        try:
            return Composer.compose_node(self, parent, index)  # type: ignore[no-any-return]
        finally:
            if nested:
                self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        # YAML keeps the last value of a repeated key, silently: "month: 3" then "month: 7".
        # (Keys merged in with "<<" may be overridden: that is what merging is for.)
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if key.value in seen:
                    raise _RefusedError(f"it gives the key {key.value[:60]!r} twice in one "
                                        f"mapping (line {key.start_mark.line + 1})")
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def _plain(self, node: ScalarNode, value: float) -> None:
        # YAML 1.1 reads 1_5 as 15, 010 as 8 (octal), 0x10 as 16 and 1:30 as 90 (base 60): a
        # number a person types is meant as a plain decimal, so the others are refused
        text = node.value.lstrip("+-")
        octal = (len(text) > 1 and text[0] == "0" and text.isdigit()
                 and int(text, 10) != abs(value))  # 07 is 7 either way; 010 is not
        if "_" in text or ":" in text or text[:2].lower() in ("0x", "0o", "0b") or octal:
            raise _RefusedError(f"{node.value[:40]!r} (line {node.start_mark.line + 1}) is not "
                                f"a plain decimal number (YAML reads it as {value}); write the "
                                "number as a plain decimal, or quote it if it is text")

    def construct_yaml_int(self, node: ScalarNode) -> int:  # type: ignore[override]
        value = int(super().construct_yaml_int(node))
        self._plain(node, value)
        return value

    def construct_yaml_float(self, node: ScalarNode) -> float:  # type: ignore[override]
        value = float(super().construct_yaml_float(node))
        self._plain(node, value)
        if self._finite_only and not math.isfinite(value):
            raise _RefusedError(f"{node.value!r} is not a finite number")
        return value

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:  # type: ignore[override]
        # YAML reads 2026-02-30 as a date, and Python's date then fails: that was reported
        # as "a number too long to read"
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _RefusedError(f"{node.value[:40]!r} (line {node.start_mark.line + 1}) looks "
                                f"like a date but is not one ({exc}); quote it if it is "
                                "text") from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
# YAML 1.1 (PyYAML) reads 1e-3 and 5E2 as text (its floats need a dot: 1.0e-3), so that a
# scenario's "wait_factor: 5e-1" was refused as "should be a number, not text"; YAML 1.2 and
# JSON read them as numbers, and so does this loader. The resolver lists are copied first:
# add_implicit_resolver would append to the lists SafeLoader shares with every other loader.
_Loader.yaml_implicit_resolvers = {k: list(v) for k, v in
                                   yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def load_yaml(text: str | bytes, *, label: str = "YAML document",
              max_bytes: int = MAX_YAML_BYTES, finite_only: bool = True) -> Any:
    """Parse one YAML document safely.

    Parameters
    ----------
    text
        The document (bytes must be UTF-8).
    label
        Names the document in error messages, e.g. ``"scenario my.yaml"``.
    max_bytes
        Size limit in UTF-8 bytes.
    finite_only
        Refuse ``.nan`` and ``.inf``. A caller that validates every number against a schema that
        refuses them itself (scenarios) passes False, so that the error names the key.

    Returns
    -------
    Any
        Plain data: dicts, lists, strings, numbers, booleans, dates, None.

    Raises
    ------
    InputError
        If the text is too large, not UTF-8, not valid YAML, or refused (see the module).
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise InputError(f"{label} is {len(text):,} bytes; the limit is {max_bytes:,}")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{label} is not UTF-8 text") from None
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InputError(f"{label} is not valid Unicode text") from None
    if size > max_bytes:
        raise InputError(f"{label} is {size:,} bytes; the limit is {max_bytes:,}")
    if "\x00" in text:
        raise InputError(f"{label} is not text: it contains NUL characters")
    loader: _Loader | None = None
    try:
        loader = _Loader(text, finite_only=finite_only)
        return loader.get_single_data()
    except _RefusedError as exc:
        raise InputError(f"{label} is refused: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        where = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise InputError(f"{label} is not valid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{label} is not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise InputError(f"{label} is refused: it nests too deeply") from None
    except (ValueError, OverflowError):
        raise InputError(f"{label} is not valid YAML: it holds a number too long to read") from None
    finally:
        if loader is not None:
            loader.dispose()
