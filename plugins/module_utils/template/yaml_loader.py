"""Safe, bounded YAML/JSON loading that reads templates the way Heat does.

Heat reads templates with a SafeLoader in which every ``str`` and ``timestamp`` scalar stays a
string (so ``heat_template_version: 2013-05-23`` is the string ``"2013-05-23"``) while YAML 1.1
booleans (``yes``/``no``/``on``/``off``) stay booleans.  A text starting with ``{`` is JSON.

The loader never hands libyaml's recursive C composer a document: libyaml only tokenizes
(when available), and composition happens here with bounded nesting depth, a bounded number
of aliases and a bounded expanded size, so a deeply nested list or an alias bomb fails with a
clean :class:`LimitError` instead of a segfault or a memory blow-up.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from typing import Any

try:  # PyYAML comes with ansible-core; guarded for ansible-test's bare import test
    import yaml
    from yaml.composer import Composer, ComposerError
    from yaml.constructor import SafeConstructor
    from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from yaml.resolver import Resolver

    HAS_YAML = True
except ImportError:  # pragma: no cover - depends on the environment
    HAS_YAML = False

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import LimitError, TemplateError

DEFAULT_MAX_DEPTH = 1_000
DEFAULT_MAX_ALIASES = 1_000
DEFAULT_MAX_NODES = 2_000_000


if HAS_YAML:
    class _LimitedComposer(Composer):
        """Composer that bounds depth, alias count and the expanded node count."""

        max_depth = DEFAULT_MAX_DEPTH
        max_aliases = DEFAULT_MAX_ALIASES
        max_nodes = DEFAULT_MAX_NODES

        def _init_limits(self) -> None:
            self._depth = 0
            self._aliases = 0
            self._sizes: dict[int, int] = {}
            self._total = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML hook
            if self.check_event(AliasEvent):
                event = self.get_event()
                self._aliases += 1
                if self._aliases > self.max_aliases:
                    raise LimitError("YAML has more than %d aliases" % self.max_aliases,
                                     path="line %d" % (event.start_mark.line + 1))
                anchor = event.anchor
                if anchor not in self.anchors:
                    raise ComposerError(None, None, "found undefined alias %r" % anchor,
                                        event.start_mark)
                node = self.anchors[anchor]
                self._count(self._sizes.get(id(node), 1), event)
                return node
            self._depth += 1
            if self._depth > self.max_depth:
                event = self.peek_event()
                raise LimitError("YAML nesting deeper than %d levels" % self.max_depth,
                                 path="line %d" % (event.start_mark.line + 1))
            try:
                event = self.peek_event()
                anchor = event.anchor
                if anchor is not None and anchor in self.anchors:
                    raise ComposerError("found duplicate anchor %r; first occurrence" % anchor,
                                        self.anchors[anchor].start_mark,
                                        "second occurrence", event.start_mark)
                self.descend_resolver(parent, index)
                if self.check_event(ScalarEvent):
                    node = self.compose_scalar_node(anchor)
                    size = 1
                elif self.check_event(SequenceStartEvent):
                    node = self.compose_sequence_node(anchor)
                    size = 1 + sum(self._sizes.get(id(c), 1) for c in node.value)
                elif self.check_event(MappingStartEvent):
                    node = self.compose_mapping_node(anchor)
                    size = 1 + sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1)
                                   for k, v in node.value)
                else:  # pragma: no cover - the parser never yields anything else here
                    raise ComposerError(None, None, "unexpected event", event.start_mark)
                if size > 1:
                    self._sizes[id(node)] = size
                if size > self.max_nodes:
                    raise LimitError("YAML expands to more than %d nodes" % self.max_nodes,
                                     path="line %d" % (event.start_mark.line + 1))
                if anchor is None:
                    self._count(1, event)
                self.ascend_resolver()
                return node
            finally:
                self._depth -= 1

        def _count(self, n: int, event: Any) -> None:
            self._total += n
            if self._total > self.max_nodes:
                raise LimitError("YAML expands to more than %d nodes" % self.max_nodes,
                                 path="line %d" % (event.start_mark.line + 1))

    class _HeatConstructor(SafeConstructor):
        """SafeConstructor where str and timestamp scalars stay strings (as in Heat)."""

        def construct_heat_str(self, node: ScalarNode) -> str:
            return str(self.construct_scalar(node))

    _HeatConstructor.add_constructor("tag:yaml.org,2002:str", _HeatConstructor.construct_heat_str)
    _HeatConstructor.add_constructor("tag:yaml.org,2002:timestamp",
                                     _HeatConstructor.construct_heat_str)

    class PyLoader(_LimitedComposer, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                   _HeatConstructor, Resolver):
        """Pure-Python bounded loader."""

        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _LimitedComposer.__init__(self)
            _HeatConstructor.__init__(self)
            Resolver.__init__(self)
            self._init_limits()

    try:
        from yaml._yaml import CParser as _CParser
        from yaml._yaml import get_version as _libyaml_version
    except ImportError:  # pragma: no cover - depends on the PyYAML build
        _CParser = None

    if _CParser is not None:
        class FastLoader(_LimitedComposer, _CParser, _HeatConstructor, Resolver):  # type: ignore[misc]
            """libyaml tokenizes/parses (iteratively); composition stays in bounded Python."""

            def __init__(self, stream: str) -> None:
                _CParser.__init__(self, stream)
                _LimitedComposer.__init__(self)
                _HeatConstructor.__init__(self)
                Resolver.__init__(self)
                self._init_limits()

        Loader: type = FastLoader

        class _CComposedLoader(_CParser, _HeatConstructor, Resolver):  # type: ignore[misc]
            """libyaml parses and composes: only used when the fast path is provably safe."""

            def __init__(self, stream: str) -> None:
                _CParser.__init__(self, stream)
                _HeatConstructor.__init__(self)
                Resolver.__init__(self)

        # libyaml >= 0.2.5 stops nesting at 1000 levels in its (iterative) parser, so its
        # composer cannot recurse deeper; older versions can crash on deep input.
        FAST_PATH = tuple(_libyaml_version()) >= (0, 2, 5)
    else:  # pragma: no cover - depends on the PyYAML build
        Loader = PyLoader
        FAST_PATH = False
else:  # pragma: no cover - depends on the environment
    FAST_PATH = False

#: anything that could be an anchor or an alias (false positives only cost speed)
_ANCHOR_OR_ALIAS = re.compile(r"[&*][0-9A-Za-z_-]")


def _json_depth_ok(data: Any, max_depth: int) -> bool:
    stack = [(data, 1)]
    while stack:
        v, d = stack.pop()
        if d > max_depth:
            return False
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return True


class _Fallback(Exception):
    """The tree uses a feature the direct builder leaves to PyYAML's constructor."""


_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SIMPLE = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
           "tag:yaml.org,2002:null")


def _construct_tree(loader: Any, root: Any) -> Any:
    """Build Python data from an alias-free node tree, iteratively and with Heat's reading.

    Same result as PyYAML's SafeConstructor with Heat's str/timestamp rule, much faster;
    anything unusual (explicit tags, merge keys, complex keys) goes to PyYAML's constructor.
    """
    try:
        return _build(loader, root)
    except _Fallback:
        return loader.construct_document(root)


def _build(loader: Any, root: Any) -> Any:
    ctors = loader.yaml_constructors

    def scalar(node: Any) -> Any:
        tag = node.tag
        if tag == _STR or tag == _TIMESTAMP:
            return node.value
        if tag in _SIMPLE:
            return ctors[tag](loader, node)
        raise _Fallback()

    def container(node: Any) -> Any:
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return {}
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return []
        raise _Fallback()

    if isinstance(root, ScalarNode):
        return scalar(root)
    out = container(root)
    stack = [(root, out)]
    while stack:
        node, target = stack.pop()
        if isinstance(target, dict):
            for knode, vnode in node.value:
                if not isinstance(knode, ScalarNode) or knode.tag == "tag:yaml.org,2002:merge":
                    raise _Fallback()
                key = scalar(knode)
                if isinstance(vnode, ScalarNode):
                    target[key] = scalar(vnode)
                else:
                    child = container(vnode)
                    target[key] = child
                    stack.append((vnode, child))
        else:
            for vnode in node.value:
                if isinstance(vnode, ScalarNode):
                    target.append(scalar(vnode))
                else:
                    child = container(vnode)
                    target.append(child)
                    stack.append((vnode, child))
    return out


def _yaml_error(exc: Exception, file: str | None, max_depth: int) -> Exception:
    mark = getattr(exc, "problem_mark", None)
    where = "line %d column %d" % (mark.line + 1, mark.column + 1) if mark else None
    problem = getattr(exc, "problem", None) or str(exc).split("\n", maxsplit=1)[0]
    if "nesting depth" in problem:
        return LimitError("YAML nesting deeper than %d levels" % max_depth, file=file,
                          path=where)
    return TemplateError("invalid YAML: %s" % problem, file=file, path=where)


def load_text(text: str, file: str | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
              max_aliases: int = DEFAULT_MAX_ALIASES, max_nodes: int = DEFAULT_MAX_NODES) -> Any:
    """Parse YAML (or JSON when the text starts with ``{``) with Heat's reading and limits.

    Raises :class:`TemplateError` for syntax errors and :class:`LimitError` for limits. The
    cyclic garbage collector is paused while parsing (many objects, no garbage cycles).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_text(text, file, max_depth, max_aliases, max_nodes)
    finally:
        if was_enabled:
            gc.enable()


def _load_text(text: str, file: str | None, max_depth: int, max_aliases: int,
               max_nodes: int) -> Any:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except RecursionError:
            raise LimitError("JSON nesting deeper than %d levels" % max_depth, file=file) from None
        except ValueError as exc:
            raise TemplateError("invalid JSON: %s" % exc, file=file) from None
        if not _json_depth_ok(data, max_depth):
            raise LimitError("JSON nesting deeper than %d levels" % max_depth, file=file)
        return data
    if not HAS_YAML:
        raise TemplateError("PyYAML is required to read YAML", file=file)
    if FAST_PATH and max_depth <= 1000 and not _ANCHOR_OR_ALIAS.search(text):
        # no aliases: the expanded size is the text's size; depth is bounded by libyaml
        loader = _CComposedLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else _construct_tree(loader, node)
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, file, max_depth) from None
        finally:
            loader.dispose()
        if max_depth < 1000 and not _json_depth_ok(data, max_depth):
            raise LimitError("YAML nesting deeper than %d levels" % max_depth, file=file)
        return data
    loader = Loader(text)
    loader.max_depth = max_depth
    loader.max_aliases = max_aliases
    loader.max_nodes = max_nodes
    old = sys.getrecursionlimit()
    need = 4 * max_depth + 2_000
    if need > old:
        sys.setrecursionlimit(need)
    try:
        return loader.get_single_data()
    except LimitError as exc:
        raise exc.with_location(file=file) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, max_depth) from None
    except RecursionError:
        raise LimitError("YAML nesting too deep", file=file) from None
    finally:
        loader.dispose()
        if need > old:
            sys.setrecursionlimit(old)
