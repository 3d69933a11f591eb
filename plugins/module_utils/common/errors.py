"""Typed errors of the heatlike engine.

Every error the engine raises on purpose is a :class:`HeatlikeError`.  Its string form is one
line: ``<file>: <path>: <message>`` (file and path are omitted when unknown), so modules can
hand it to ``fail_json`` unchanged and users never see a traceback.
"""

from __future__ import annotations


class HeatlikeError(Exception):
    """Base class of every error the engine raises on purpose."""

    kind = "HeatlikeError"

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

    kind = "TemplateError"


class ParameterError(HeatlikeError):
    """Missing parameter, wrong type, constraint violated."""

    kind = "ParameterError"


class PropertyError(HeatlikeError):
    """Resource property validation (type catalog)."""

    kind = "PropertyError"


class FileAccessError(HeatlikeError):
    """get_file / nested template confinement, fetch failures."""

    kind = "FileAccessError"


class LimitError(HeatlikeError):
    """Size, depth, aliases, resources, nesting limits."""

    kind = "LimitError"


class CycleError(HeatlikeError):
    """Dependency cycle; the message names the cycle."""

    kind = "CycleError"


class CloudError(HeatlikeError):
    """An OpenStack API error, with resource name and type."""

    kind = "CloudError"


class RestrictedActionError(HeatlikeError):
    """The plan needs an action the environment's ``restricted_actions`` forbid."""

    kind = "ResourceActionRestricted"


class LockError(HeatlikeError):
    """Stack lock held; the message names the holder."""

    kind = "LockError"
