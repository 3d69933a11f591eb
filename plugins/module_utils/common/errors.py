"""Typed errors of the heatlike engine.

Every error the engine raises on purpose is a :class:`HeatlikeError`.  Its string form is one
line: ``<file>: <path>: <message>`` (file and path are omitted when unknown), so modules can
hand it to ``fail_json`` unchanged and users never see a traceback.
"""

from __future__ import annotations

from typing import Any


class HeatlikeError(Exception):
    """Base class of every error the engine raises on purpose."""

    #: What went wrong, by name: the class name of the errors defined here unless the class
    #: names another; error classes defined elsewhere keep the kind of the class they extend.
    kind = "HeatlikeError"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__ and cls.__module__ == __name__:
            cls.kind = cls.__name__

    def __init__(self, message: str, file: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = " ".join(str(message).split("\n"))
        self.file = file
        self.path = path

    def with_location(self, file: str | None = None, path: str | None = None) -> "HeatlikeError":
        """Fill in file/path when not yet known; returns self for ``raise err.with_location()``."""
        if self.file is None and file is not None:
            self.file = file
        if self.path is None and path is not None:
            self.path = path
        return self

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        parts.append(self.message)
        return ": ".join(parts)


class TemplateError(HeatlikeError):
    """Bad template / environment / section / function arguments."""


class ParameterError(HeatlikeError):
    """Missing parameter, wrong type, constraint violated."""


class PropertyError(HeatlikeError):
    """Resource property validation (type catalog)."""


class FileAccessError(HeatlikeError):
    """get_file / nested template confinement, fetch failures."""


class LimitError(HeatlikeError):
    """Size, depth, aliases, resources, nesting limits."""


class CycleError(HeatlikeError):
    """Dependency cycle; the message names the cycle."""


class CloudError(HeatlikeError):
    """An OpenStack API error, with resource name and type."""


class RestrictedActionError(HeatlikeError):
    """The plan needs an action the environment's ``restricted_actions`` forbid."""

    kind = "ResourceActionRestricted"


class LockError(HeatlikeError):
    """Stack lock held; the message names the holder."""
