"""OS::Cinder::Volume (marked in its metadata)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    CloudHandler, Found, HandlerError, to_plain)


class VolumeHandler(CloudHandler):
    """A Cinder volume; ``deletion_policy: Snapshot`` snapshots it and keeps it (Cinder keeps a
    volume while it has snapshots); ``Retain`` keeps it. Both drop the ownership marks."""

    type_name = "OS::Cinder::Volume"
    delete_rank = 3
    marking = "metadata"
    applied_defaults = ("metadata",)
    attributes = ("availability_zone", "size", "snapshot_id", "display_name", "display_description",
                  "volume_type", "metadata", "metadata_values", "source_volid", "status", "created_at",
                  "bootable", "encrypted", "attachments", "attachments_list", "multiattach", "show")
    observed = frozenset({"size", "name", "description", "metadata"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        return out

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        found = []
        volumes = self.call_list(self.conn.block_storage.volumes, details=True)
        with self.ctx.lock:  # VolumeAttachment reads attachments from this list
            self.ctx.cache["volumes:listed"] = {v.id: v for v in volumes}
        for vol in volumes:
            logical = ownership.logical_from_metadata(self.ctx.stack_name, vol.metadata)
            if logical and (vol.status or "").lower() not in ("deleting",):
                found.append(Found(logical, vol.id, vol))
        return found

    def fetch(self, physical_id: str) -> Any:
        return self.fetch_or_none(self.conn.block_storage.get_volume, physical_id)

    def _wait(self, volume_id: str, states: tuple, what: str, final: bool = False) -> Any:
        def failed(v: Any) -> str | None:
            if v is None:
                return "volume disappeared"
            if (v.status or "").lower().startswith("error"):
                return f"volume status {v.status}"
            return None
        return self.wait_for(lambda: self.fetch(volume_id), lambda v: (v.status or "").lower() in states,
                             failed, what, final=final)

    def readiness(self, obj: Any) -> str:
        status = (obj.status or "").lower()
        if status.startswith("error"):
            return "failed"
        return "pending" if status in ("creating", "downloading", "attaching", "reserved", "") else "ready"

    def wait_ready(self, physical_id: str) -> Any:
        return self._wait(physical_id, ("available", "in-use"), f"volume {physical_id} to become available")

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body: dict[str, Any] = {
            "name": props.get("name"),
            "metadata": {k: str(v) for k, v in ownership.metadata_for(
                self.ctx.stack_name, logical, props.get("metadata")).items()},
        }
        mapping = {"size": "size", "description": "description", "availability_zone": "availability_zone",
                   "snapshot_id": "snapshot_id", "source_volid": "source_volume_id",
                   "volume_type": "volume_type", "scheduler_hints": "scheduler_hints",
                   "multiattach": "is_multiattach", "backup_id": "backup_id"}
        for prop, attr in mapping.items():
            if props.get(prop) is not None:
                body[attr] = props[prop]
        if props.get("image"):
            body["image_id"] = self.resolve_id("image", props["image"])
        if "size" not in body and not any(k in body for k in ("snapshot_id", "source_volume_id", "image_id", "backup_id")):
            raise HandlerError("volume needs a size or a source")
        vol = self.call(self.conn.block_storage.create_volume, retry_conflict=False, **body)
        on_id(vol.id)
        return self._wait(vol.id, ("available",), f"volume {vol.id} to become available", final=True)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        if changed & {"name", "description"}:
            self.call(self.conn.block_storage.update_volume, obj, name=props.get("name"),
                      description=props.get("description"))
        if "metadata" in changed:
            want = {k: str(v) for k, v in ownership.metadata_for(
                self.ctx.stack_name, logical, props.get("metadata")).items()}
            stale = [k for k in (obj.metadata or {}) if k not in want]
            for key in stale:
                self.call(self.conn.block_storage.delete_volume_metadata, obj, keys=[key])
            self.call(self.conn.block_storage.set_volume_metadata, obj, **want)
        if "size" in changed and props.get("size"):
            if int(props["size"]) < int(obj.size or 0):
                raise HandlerError(f"volume size cannot shrink from {obj.size} to {props['size']}")
            if int(props["size"]) > int(obj.size or 0):
                self.call(self.conn.block_storage.extend_volume, obj, int(props["size"]))
                return self._wait(obj.id, ("available", "in-use"), f"volume {obj.id} to extend")
        if "volume_type" in changed and props.get("volume_type"):
            self.call(self.conn.block_storage.retype_volume, obj, props["volume_type"])
        return self.fetch(obj.id)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        vol = self.fetch(physical_id)
        if vol is None:
            return
        if policy == "Snapshot":
            # Cinder never deletes a volume that has snapshots: the snapshot keeps its volume,
            # which leaves the stack unmarked (as with Retain) instead of being deleted.
            self.snapshot(vol)
            self.unmark(physical_id)
            return
        self.delete_ignoring_missing(self.conn.block_storage.delete_volume, physical_id)
        self.wait_gone(lambda: self.fetch(physical_id), f"volume {physical_id}",
                       lambda v: f"volume status {v.status}" if v is not None and
                       (v.status or "").lower() == "error_deleting" else None)

    @staticmethod
    def snapshot_name(vol: Any) -> str:
        """The name of the snapshot ``deletion_policy: Snapshot`` takes: ``<volume name>-snapshot``."""
        return f"{vol.name or vol.id}-snapshot"

    def snapshot(self, vol: Any) -> Any:
        """Snapshot ``vol`` (reusing one a previous, interrupted delete took) and wait until available."""
        name = self.snapshot_name(vol)
        snap = next((s for s in self.call_list(self.conn.block_storage.snapshots, volume_id=vol.id)
                     if s.name == name and not (s.status or "").lower().startswith(("error", "deleting"))), None)
        if snap is None:
            snap = self.call(self.conn.block_storage.create_snapshot, volume_id=vol.id, name=name, force=True,
                             retry_conflict=False)
        return self.wait_for(lambda: self.fetch_or_none(self.conn.block_storage.get_snapshot, snap.id),
                             lambda s: s is not None and (s.status or "").lower() == "available",
                             lambda s: "snapshot disappeared" if s is None else
                             f"snapshot status {s.status}" if (s.status or "").lower().startswith("error") else None,
                             f"snapshot of volume {vol.id}")

    def unmark(self, physical_id: str) -> None:
        """Drop the ownership metadata (``deletion_policy: Retain``)."""
        if self.fetch(physical_id) is not None:
            self.call(self.conn.block_storage.delete_volume_metadata, physical_id, keys=[ownership.META_STACK, ownership.META_RESOURCE])

    def observe(self, obj: Any) -> dict:
        return {"size": obj.size, "name": obj.name, "description": obj.description,
                "metadata": ownership.user_metadata(obj.metadata)}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "metadata":
            return {k: str(v) for k, v in (desired or {}).items()} == dict(observed or {})
        return None

    def attrs(self, obj: Any) -> dict:
        plain = to_plain(obj)
        meta = ownership.user_metadata(obj.metadata)
        return {"availability_zone": obj.availability_zone, "size": obj.size, "snapshot_id": obj.snapshot_id,
                "display_name": obj.name, "display_description": obj.description,
                "volume_type": obj.volume_type, "metadata": meta, "metadata_values": meta,
                "source_volid": obj.source_volume_id, "status": obj.status, "created_at": obj.created_at,
                "bootable": obj.is_bootable, "encrypted": obj.is_encrypted,
                "attachments": plain.get("attachments") or [], "attachments_list": plain.get("attachments") or [],
                "multiattach": obj.is_multiattach, "show": plain}

    def attribute(self, obj: Any, name: str) -> Any:
        values = self.attrs(obj)
        if name in values:
            return values[name]
        return super().attribute(obj, name)
