"""OS::Cinder::Volume: the Snapshot deletion policy."""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.cinder.volume import VolumeHandler

from ...conftest import Obj


class FakeBlockStorage:
    def __init__(self) -> None:
        self.volumes = {"v1": Obj(id="v1", name="data", status="available",
                                  metadata={ownership.META_STACK: "st", ownership.META_RESOURCE: "vol"})}
        self.snaps: dict[str, Obj] = {}
        self.deleted: list[str] = []

    def get_volume(self, vid: str) -> Obj:
        if vid not in self.volumes:
            err = Exception("nope")
            err.status_code = 404
            raise err
        return self.volumes[vid]

    def snapshots(self, volume_id: str | None = None, **_: Any) -> list:
        return [s for s in self.snaps.values() if s.volume_id == volume_id]

    def create_snapshot(self, volume_id: str, name: str, force: bool) -> Obj:
        snap = Obj(id=f"s{len(self.snaps) + 1}", name=name, volume_id=volume_id, status="available")
        self.snaps[snap.id] = snap
        return snap

    def get_snapshot(self, sid: str) -> Obj:
        return self.snaps[sid]

    def delete_volume(self, vid: str) -> None:
        self.deleted.append(vid)
        self.volumes.pop(vid)

    def delete_volume_metadata(self, vid: str, keys: list) -> None:
        for key in keys:
            self.volumes[vid].metadata.pop(key, None)


def test_snapshot_policy_snapshots_and_keeps_the_volume_unmarked():
    storage = FakeBlockStorage()
    handler = VolumeHandler(Context(conn=Obj(block_storage=storage), stack_name="st", poll=0.01))
    handler.delete("v1", None, "Snapshot")
    assert [(s.name, s.volume_id) for s in storage.snaps.values()] == [("data-snapshot", "v1")]
    assert storage.deleted == []  # Cinder refuses to delete a volume that has snapshots
    assert storage.volumes["v1"].metadata == {}
    storage.volumes["v1"].metadata = {ownership.META_STACK: "st", ownership.META_RESOURCE: "vol"}
    handler.delete("v1", None, "Snapshot")  # an interrupted delete, run again: same snapshot
    assert len(storage.snaps) == 1
    handler.delete("v1", None, "Delete")
    assert storage.deleted == ["v1"]
