"""OS::Heat::SoftwareConfig, OS::Heat::CloudConfig, OS::Heat::MultipartMime.

Config resources live inside the stack. Their reference id is a deterministic UUID derived
from the content (a changed config is a new config, as in Heat, so a server using it sees a new
``user_data``); a server whose ``user_data`` is such an id gets the config's content.
"""

from __future__ import annotations

import hashlib
import uuid
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any, Mapping

try:  # PyYAML ships with ansible-core; guarded for the sanity import test
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import LocalHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override

CONFIG_CACHE_PREFIX = "software_config:"


class SoftwareConfigHandler(LocalHandler):
    """A piece of configuration (``config`` text); ``get_attr: [x, config]`` reads it."""

    type_name = "OS::Heat::SoftwareConfig"
    applied_defaults = ("group",)
    attributes = ("config", "show")

    def content(self, props: Mapping[str, Any]) -> str:
        """The configuration text."""
        config = props.get("config")
        return config if isinstance(config, str) or config is None else yaml.safe_dump(config)

    def ref(self, obj: Any, physical_id: str) -> str:
        content = self.content(obj.get("props") or {}) or ""
        digest = hashlib.sha256(content.encode()).hexdigest()
        config_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"heatlike:{self.ctx.stack_name}/{physical_id}/{digest}"))
        with self.ctx.lock:
            self.ctx.cache[CONFIG_CACHE_PREFIX + config_id] = content
        return config_id

    def attrs(self, obj: Any) -> dict:
        return {"config": self.content(obj.get("props") or {})}


class CloudConfigHandler(SoftwareConfigHandler):
    """``cloud_config`` map rendered as a ``#cloud-config`` document."""

    type_name = "OS::Heat::CloudConfig"
    schema_overrides = {
        "cloud_config": Override(default={},
                                 reason="an absent cloud_config is an empty map in the plan and the record (as before the catalog)"),
    }
    applied_defaults = ("cloud_config",)

    def content(self, props: Mapping[str, Any]) -> str:
        return "#cloud-config\n" + yaml.safe_dump(dict(props.get("cloud_config") or {}), default_flow_style=False)


class MultipartMimeHandler(SoftwareConfigHandler):
    """Several configs (ids of other config resources, or text) as one multipart MIME document."""

    type_name = "OS::Heat::MultipartMime"
    applied_defaults = ("parts", "group")

    def content(self, props: Mapping[str, Any]) -> str:
        message = MIMEMultipart(boundary="===============heatlike==")
        for part in props.get("parts") or []:
            config = part.get("config") or ""
            with self.ctx.lock:
                text = self.ctx.cache.get(CONFIG_CACHE_PREFIX + str(config), config)
            subtype = part.get("subtype") or ("cloud-config" if str(text).startswith("#cloud-config")
                                              else "x-shellscript")
            if part.get("type") == "multipart":
                subtype = "mixed"
            sub = MIMEText(str(text), subtype, "utf-8")
            if part.get("filename"):
                sub.add_header("Content-Disposition", "attachment", filename=part["filename"])
            message.attach(sub)
        return message.as_string()
