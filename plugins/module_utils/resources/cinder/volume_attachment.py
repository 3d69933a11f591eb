"""OS::Cinder::VolumeAttachment (a relation between a server and a volume)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import CloudHandler, Found


class VolumeAttachmentHandler(CloudHandler):
    """Attach a volume to a server; identity is ``<server>:<volume>``."""

    type_name = "OS::Cinder::VolumeAttachment"
    delete_rank = 0
    marking = "derived"
    create_before_delete = False

    def _attachment(self, server: str, volume: str, listed: bool = False) -> Any:
        vol = None
        if listed:
            with self.ctx.lock:
                vol = (self.ctx.cache.get("volumes:listed") or {}).get(volume)
        if vol is None:
            vol = self.fetch_or_none(self.conn.block_storage.get_volume, volume)
        if vol is None:
            return None
        for att in vol.attachments or []:
            if att.get("server_id") == server:
                return vol
        return None

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        vol = self._attachment(props["instance_uuid"], props["volume_id"], listed=True)
        if vol is None:
            return None
        return Found(logical, f"{props['instance_uuid']}:{props['volume_id']}", vol)

    def fetch(self, physical_id: str) -> Any:
        server, _sep, volume = physical_id.partition(":")
        return self._attachment(server, volume, listed=True)

    def physical_id(self, obj: Any) -> str:
        att = obj.attachments[0]
        return f"{att.get('server_id')}:{obj.id}"

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        server, volume = props["instance_uuid"], props["volume_id"]
        body = {}
        if props.get("mountpoint"):
            body["device"] = props["mountpoint"]
        self.call(self.conn.compute.create_volume_attachment, server, volume, retry_conflict=False, **body)
        pid = f"{server}:{volume}"
        on_id(pid)
        return self.wait_for(lambda: self.fetch_or_none(self.conn.block_storage.get_volume, volume),
                             lambda v: v is not None and (v.status or "").lower() == "in-use",
                             lambda v: f"volume status {v.status}" if v is not None and
                             (v.status or "").lower().startswith("error") else None,
                             f"volume {volume} to attach to server {server}", final=True)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        server, _sep, volume = physical_id.partition(":")
        if self._attachment(server, volume) is None:
            return
        self.delete_ignoring_missing(self.conn.compute.delete_volume_attachment, server, volume)
        self.wait_for(lambda: self._attachment(server, volume), lambda v: v is None,
                      lambda v: None, f"volume {volume} to detach from server {server}", final=True)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        old_server = obj.attachments[0].get("server_id") if obj.attachments else None
        if old_server:
            self.delete(f"{old_server}:{obj.id}")
        return self.create(logical, props, lambda _pid: None)

    def ref(self, obj: Any, physical_id: str) -> str:
        return physical_id.partition(":")[2]
