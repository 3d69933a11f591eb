"""OS::Nova::Server (marked in its metadata).

Updates follow Heat's rules: ``name``, ``metadata``, ``tags``, ``admin_pass`` in place;
``flavor`` by resize + confirm (``flavor_update_policy: RESIZE``); ``image`` by rebuild
(``image_update_policy: REBUILD`` / ``REBUILD_PRESERVE_EPHEMERAL``); ``networks`` by
interface detach/attach; ``user_data`` replaces the server unless
``user_data_update_policy`` is ``IGNORE`` (kept as is) or ``REBUILD`` (rebuilt with the new
user data). Every ``*_update_policy: REPLACE`` replaces; ``security_groups``,
``user_data_format`` and the other create-only properties replace, as in Heat.
"""

from __future__ import annotations

import base64
from typing import Any, Callable, Iterable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.ids import looks_like_id
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    CloudHandler, Found, HandlerError, to_plain)
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex, first_prop, reference_key

CONFIG_CACHE_PREFIX = "software_config:"  # where config resources publish their content by id

#: changed property -> (policy property, {policy value: how the change is applied in place})
_POLICIES = {
    "flavor": ("flavor_update_policy", {"RESIZE": "resize"}),
    "image": ("image_update_policy", {"REBUILD": "rebuild", "REBUILD_PRESERVE_EPHEMERAL": "rebuild, preserve ephemeral"}),
    "user_data": ("user_data_update_policy", {"IGNORE": "not applied: user_data_update_policy IGNORE",
                                              "REBUILD": "rebuild"}),
}


class ServerHandler(CloudHandler):
    """A Nova server; waits for ACTIVE, reports the fault on ERROR."""

    type_name = "OS::Nova::Server"
    delete_rank = 2

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> Iterable[str]:
        """As Heat: a server waits for the subnets of its networks; with a network it cannot
        name before creation (or a port-only entry), for every subnet of the stack."""
        nets = resource.properties.get("networks") if isinstance(resource.properties, dict) else None
        if not nets or not isinstance(nets, list):
            return ()
        net_ids = []
        for n in nets:
            nid = reference_key(first_prop(n, "network", "uuid")) if isinstance(n, dict) else None
            if nid is None or nid == "":
                return index.names_of_type("OS::Neutron::Subnet")
            net_ids.append(nid)
        found = list(index.on("OS::Neutron::Subnet", ("network", "network_id"), None))
        for nid in net_ids:
            found.extend(index.on("OS::Neutron::Subnet", ("network", "network_id"), nid))
        return found

    marking = "metadata"
    create_before_delete = False  # ports given by the template can be bound to one server only
    schema_overrides = {
        "networks": Override(default=[],
                             reason="an absent networks list is an empty list in the plan and the record, "
                                    "so it compares equal to a server's observed networks"),
    }
    applied_defaults = ("flavor_update_policy", "image_update_policy", "security_groups", "networks", "metadata",
                        "user_data_format", "software_config_transport", "user_data_update_policy", "user_data",
                        "personality", "deployment_swift_data")
    secret_properties = frozenset(("admin_pass",))
    attributes = ("show", "addresses", "networks", "first_address", "instance_name", "accessIPv4",
                  "accessIPv6", "console_urls", "name", "os_collect_config", "tags")
    observed = frozenset({"name", "metadata"})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        data = out.get("user_data")
        if isinstance(data, str) and looks_like_id(data):
            # a config resource's id stands for its content: a changed config is a changed user_data
            with self.ctx.lock:
                content = self.ctx.cache.get(CONFIG_CACHE_PREFIX + data)
            if content is not None:
                out["user_data"] = content
        return out

    def change_notes(self, changed: set[str], desired: Mapping[str, Any]) -> dict[str, tuple[bool, str]]:
        """Heat's ``needs_replace_with_prop_diff``: the ``*_update_policy`` of a changed property decides."""
        notes = super().change_notes(changed, desired)
        for prop, (policy_prop, in_place) in _POLICIES.items():
            if prop not in changed:
                continue
            policy = str(desired.get(policy_prop) or self.schema().properties[policy_prop].default).upper()
            if policy in in_place:
                notes[prop] = (False, in_place[policy])
            else:
                notes[prop] = (True, f"{policy_prop} {policy}")
        if "networks" in changed:
            notes["networks"] = (False, "interface detach/attach")
        return notes

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        found = []
        for srv in self.call_list(self.conn.compute.servers, details=True):
            logical = ownership.logical_from_metadata(self.ctx.stack_name, srv.metadata)
            if logical:
                found.append(Found(logical, srv.id, srv))
        return found

    def fetch(self, physical_id: str) -> Any:
        srv = self.fetch_or_none(self.conn.compute.get_server, physical_id)
        if srv is not None and (srv.status or "").upper() == "DELETED":
            return None
        return srv

    def _networks(self, props: Mapping[str, Any]) -> list | str:
        nets = props.get("networks") or []
        if not nets:
            return "auto"
        out = []
        for entry in nets:
            item = {}
            if entry.get("port"):
                item["port"] = self.resolve_id("port", entry["port"])
            else:
                net = entry.get("network") or entry.get("uuid")
                subnet = entry.get("subnet")
                if net:
                    if net in ("auto", "none") and len(nets) == 1:
                        return net
                    item["uuid"] = self.resolve_id("network", net)
                elif subnet:
                    sub = self.call(self.conn.network.get_subnet, self.resolve_id("subnet", subnet))
                    item["uuid"] = sub.network_id
                if entry.get("fixed_ip"):
                    item["fixed_ip"] = entry["fixed_ip"]
                if entry.get("tag"):
                    item["tag"] = entry["tag"]
            out.append(item)
        return out

    def _user_data(self, props: Mapping[str, Any]) -> str | None:
        data = props.get("user_data")
        if not data:
            return None
        with self.ctx.lock:  # a config resource's id: its content, as Heat does
            data = self.ctx.cache.get(CONFIG_CACHE_PREFIX + str(data), data)
        if not isinstance(data, str):
            import json

            data = json.dumps(data)
        return base64.b64encode(data.encode()).decode()

    def _bdm_v2(self, props: Mapping[str, Any]) -> list | None:
        items = props.get("block_device_mapping_v2")
        legacy = props.get("block_device_mapping")
        out = []
        for item in items or []:
            bdm = {"boot_index": item.get("boot_index", 0 if not out else -1),
                   "delete_on_termination": item.get("delete_on_termination", False)}
            if item.get("volume_id"):
                bdm.update(source_type="volume", destination_type="volume", uuid=item["volume_id"])
            elif item.get("snapshot_id"):
                bdm.update(source_type="snapshot", destination_type="volume", uuid=item["snapshot_id"])
            elif item.get("image") or item.get("image_id"):
                bdm.update(source_type="image", destination_type="volume" if item.get("volume_size") else "local",
                           uuid=self.resolve_id("image", item.get("image") or item.get("image_id")))
            else:
                bdm.update(source_type="blank", destination_type="local")
            for key in ("device_name", "volume_size", "device_type", "disk_bus", "ephemeral_format",
                        "ephemeral_size", "swap_size", "volume_type"):
                if item.get(key) is not None:
                    bdm["volume_size" if key == "ephemeral_size" else key] = item[key]
            out.append(bdm)
        for item in legacy or []:
            out.append({"source_type": "snapshot" if item.get("snapshot_id") else "volume",
                        "destination_type": "volume", "boot_index": 0 if not out else -1,
                        "uuid": item.get("volume_id") or item.get("snapshot_id"),
                        "device_name": item.get("device_name"),
                        "delete_on_termination": item.get("delete_on_termination", False)})
        return out or None

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        body: dict[str, Any] = {
            "name": props.get("name"),
            "flavor_id": self.resolve_id("flavor", props.get("flavor")),
            "networks": self._networks(props),
            "metadata": {k: str(v) for k, v in ownership.metadata_for(
                self.ctx.stack_name, logical, props.get("metadata")).items()},
        }
        if props.get("image"):
            body["image_id"] = self.resolve_id("image", props["image"])
        bdm = self._bdm_v2(props)
        if bdm and body.get("image_id") and not any(b.get("source_type") == "image" and b.get("boot_index") == 0
                                                    for b in bdm):
            # Nova wants the image itself in block_device_mapping_v2 (novaclient, and so Heat, adds it)
            bdm.insert(0, {"uuid": body["image_id"], "source_type": "image", "destination_type": "local",
                           "boot_index": 0, "delete_on_termination": True})
        if bdm:
            body["block_device_mapping"] = bdm
        if not body.get("image_id") and not bdm:
            raise HandlerError("server needs an image or a block device mapping")
        optional = {"key_name": "key_name", "availability_zone": "availability_zone",
                    "config_drive": "config_drive", "admin_pass": "admin_password",
                    "diskConfig": "disk_config", "reservation_id": "reservation_id"}
        for prop, attr in optional.items():
            if props.get(prop) is not None:
                body[attr] = props[prop]
        if props.get("security_groups"):
            body["security_groups"] = [{"name": g} for g in props["security_groups"]]
        if props.get("scheduler_hints"):
            hints = dict(props["scheduler_hints"])
            if "group" in hints:
                hints["group"] = self.resolve_id("server_group", hints["group"])
            body["scheduler_hints"] = hints
        user_data = self._user_data(props)
        if user_data:
            body["user_data"] = user_data
        if props.get("tags"):
            body["tags"] = list(props["tags"])
        srv = self.call(self.conn.compute.create_server, retry_conflict=False, **body)
        on_id(srv.id)
        return self.wait_active(srv.id, final=True)

    def readiness(self, obj: Any) -> str:
        status = (obj.status or "").upper()
        if status in ("ERROR", "DELETED", "SOFT_DELETED"):
            return "failed"
        return "pending" if status in ("BUILD", "") else "ready"

    def wait_ready(self, physical_id: str) -> Any:
        return self.wait_active(physical_id)

    def wait_active(self, server_id: str, final: bool = False) -> Any:
        """Wait for ACTIVE; on ERROR report Nova's fault message (``final``: see ``wait_for``)."""
        return self._settled(server_id, lambda s: (s.status or "").upper() == "ACTIVE", "to become ACTIVE", final)

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        """Heat's order: metadata, tags, name, networks, flavor (resize), image/user_data (rebuild)."""
        want_meta = {k: str(v) for k, v in ownership.metadata_for(
            self.ctx.stack_name, logical, props.get("metadata")).items()}
        if "metadata" in changed:
            self.call(self.conn.compute.set_server_metadata, obj, **want_meta)
            stale = [k for k in (obj.metadata or {}) if k not in want_meta]
            if stale:
                self.call(self.conn.compute.delete_server_metadata, obj, stale)
        if "tags" in changed:
            self.call(self.conn.compute.set_tags, obj, list(props.get("tags") or []))
        if "name" in changed:
            self.call(self.conn.compute.update_server, obj, name=props.get("name"))
        if "networks" in changed:
            self._update_networks(obj.id, props)
        notes = self.change_notes(changed, props)
        if "flavor" in changed and not notes["flavor"][0]:
            self._resize(obj.id, props.get("flavor"))
        rebuild_ud = "user_data" in changed and str(props.get("user_data_update_policy")).upper() == "REBUILD"
        if ("image" in changed and not notes["image"][0]) or rebuild_ud:
            self._rebuild(obj.id, props, want_meta, rebuild_ud)
        elif "admin_pass" in changed and props.get("admin_pass"):
            self.call(self.conn.compute.change_server_password, obj, props["admin_pass"])
        return self.fetch(obj.id)

    # ---- in-place updates ------------------------------------------------------------
    def _settled(self, server_id: str, done: Callable[[Any], bool], what: str, final: bool = False) -> Any:
        """Wait until ``done(server)`` with no task running; ERROR fails with Nova's fault."""
        def failed(s: Any) -> str | None:
            if s is None:
                return "server disappeared"
            if (s.status or "").upper() == "ERROR":
                fault = (s.fault or {}).get("message") if isinstance(s.fault, dict) else None
                return f"server went to ERROR{': ' + fault if fault else ''}"
            return None
        return self.wait_for(lambda: self.fetch(server_id), done, failed, f"server {server_id} {what}", final=final)

    def _idle(self, server_id: str) -> Any:
        """The server once no task runs on it; a resize a killed run left unconfirmed is confirmed."""
        srv = self._settled(server_id, lambda s: _idle(s) or _status(s) == "VERIFY_RESIZE", "to be idle")
        if _status(srv) == "VERIFY_RESIZE":
            self.call(self.conn.compute.confirm_server_resize, server_id)
            srv = self._settled(server_id, _idle, "to confirm its resize")
        return srv

    def _resize(self, server_id: str, flavor: Any) -> None:
        """Resize, wait for VERIFY_RESIZE, confirm, wait until idle (Heat's resize + verify_resize)."""
        target = self.call(self.conn.compute.find_flavor, flavor, ignore_missing=True)
        if target is None:
            raise HandlerError(f"flavor '{flavor}' not found")
        if _flavor_is(self._idle(server_id), target):
            return  # already there: the template names the same flavor differently, or a resumed run
        self.call(self.conn.compute.resize_server, server_id, target.id, retry_conflict=False)

        def resized(s: Any) -> bool:
            if _status(s) == "VERIFY_RESIZE":
                return True
            if _idle(s):
                if _flavor_is(s, target):
                    return True  # confirmed already (resize_confirm_window)
                raise HandlerError(f"resize of server {server_id} to flavor '{flavor}' failed"
                                   f"{_fault_suffix(s)} (the server kept its old flavor)")
            return False

        self._settled(server_id, resized, f"to resize to flavor '{flavor}'")
        self._idle(server_id)

    def _rebuild(self, server_id: str, props: Mapping[str, Any], metadata: dict, with_user_data: bool) -> None:
        """Rebuild with the (new) image; user data too when its update policy is REBUILD."""
        image = props.get("image")
        if not image:
            raise HandlerError("a server booted from a volume cannot be rebuilt with a new image; "
                               "set image_update_policy: REPLACE")
        kwargs: dict[str, Any] = {
            "preserve_ephemeral": str(props.get("image_update_policy")).upper() == "REBUILD_PRESERVE_EPHEMERAL",
            "metadata": metadata,
        }
        if props.get("admin_pass"):
            kwargs["admin_password"] = props["admin_pass"]
        if with_user_data:
            kwargs["user_data"] = self._user_data(props)  # None clears it (compute microversion 2.57)
        image_id = self.resolve_id("image", image)
        current = self._idle(server_id)
        current_image = getattr(current, "image", None)
        current_image_id = (current_image.get("id") if isinstance(current_image, Mapping)
                            else getattr(current_image, "id", None))
        if current_image_id == image_id and not with_user_data:
            return  # the template now names the same image differently (name <-> id)
        self.call(self.conn.compute.rebuild_server, server_id, image_id,
                  retry_conflict=False, **kwargs)
        self._settled(server_id, _idle, "to finish its rebuild")

    def _update_networks(self, server_id: str, props: Mapping[str, Any]) -> None:
        """Detach interfaces no entry wants, then attach the entries no interface serves."""
        wanted = self._networks(props)
        ifaces = self.call_list(self.conn.compute.server_interfaces, server=server_id)
        if wanted == "auto":
            return  # Nova already gave it what "auto" means; nothing to converge to
        entries = [] if wanted == "none" else list(wanted)
        remaining = list(ifaces)
        missing = []
        # ports first, then fixed IPs, then any interface on the network (Heat matches the same way)
        for entry in sorted(entries, key=lambda e: 0 if e.get("port") else 1 if e.get("fixed_ip") else 2):
            match = next((i for i in remaining if _serves(i, entry)), None)
            if match is None:
                missing.append(entry)
            else:
                remaining.remove(match)
        for iface in remaining:
            self.call(self.conn.compute.delete_server_interface, iface.port_id, server=server_id)
        for iface in remaining:
            self.wait_for(lambda pid=iface.port_id: [i for i in self.call_list(
                self.conn.compute.server_interfaces, server=server_id) if i.port_id == pid],
                lambda found: not found, lambda found: None, f"detach of port {iface.port_id} from server {server_id}")
        groups = [self.resolve_id("security_group", g) for g in props.get("security_groups") or []]
        for entry in missing:
            body: dict[str, Any] = {}
            if entry.get("port"):
                body["port_id"] = entry["port"]
            else:
                body["net_id"] = entry["uuid"]
                if entry.get("fixed_ip"):
                    body["fixed_ips"] = [{"ip_address": entry["fixed_ip"]}]
            iface = self.call(self.conn.compute.create_server_interface, server_id, retry_conflict=False, **body)
            if groups and not entry.get("port"):
                # the port Nova made for the network gets the server's groups, as Heat's own port would
                self.call(self.conn.network.update_port, iface.port_id, security_groups=groups)

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.delete_ignoring_missing(self.conn.compute.delete_server, physical_id)
        self.wait_gone(lambda: self.fetch(physical_id), f"server {physical_id}")

    def unmark(self, physical_id: str) -> None:
        """Drop the ownership metadata (``deletion_policy: Retain``)."""
        if self.fetch(physical_id) is not None:
            self.call(self.conn.compute.delete_server_metadata, physical_id, keys=[ownership.META_STACK, ownership.META_RESOURCE])

    def observe(self, obj: Any) -> dict:
        return {"name": obj.name, "metadata": ownership.user_metadata(obj.metadata)}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        if prop == "metadata":
            return {k: str(v) for k, v in (desired or {}).items()} == dict(observed or {})
        return None

    def attrs(self, obj: Any) -> dict:
        addresses = {}
        networks: dict[str, list] = {}
        first = ""
        for net, items in (obj.addresses or {}).items():
            addresses[net] = [dict(i) for i in items]
            networks[net] = [i.get("addr") for i in items]
            if not first and items:
                first = items[0].get("addr", "")
        plain = to_plain(obj)
        plain.pop("admin_password", None)
        plain["metadata"] = ownership.user_metadata(plain.get("metadata"))
        return {"show": plain, "addresses": addresses, "networks": networks, "first_address": first,
                "instance_name": getattr(obj, "instance_name", None), "accessIPv4": obj.access_ipv4 or "",
                "accessIPv6": obj.access_ipv6 or "", "name": obj.name, "tags": list(obj.tags or []),
                "console_urls": {}, "os_collect_config": {}}

    def attribute(self, obj: Any, name: str) -> Any:
        values = self.attrs(obj)
        if name in values:
            return values[name]
        return super().attribute(obj, name)


def _status(srv: Any) -> str:
    return (srv.status or "").upper()


#: statuses of a server some task is still working on (Heat's deferred statuses, less the stable ones)
_BUSY = frozenset({"BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE", "MIGRATING", "REBOOT",
                   "HARD_REBOOT", "PASSWORD"})


def _idle(srv: Any) -> bool:
    """No task running (ACTIVE, SHUTOFF, PAUSED...: a stopped server resizes and rebuilds stopped)."""
    return _status(srv) not in _BUSY and not getattr(srv, "task_state", None)


def _fault_suffix(srv: Any) -> str:
    fault = getattr(srv, "fault", None)
    message = fault.get("message") if isinstance(fault, dict) else None
    return f": {message}" if message else ""


def _flavor_is(srv: Any, flavor: Any) -> bool:
    """Whether the server runs ``flavor`` (embedded flavor: name since compute 2.47, else id)."""
    current = getattr(srv, "flavor", None)
    if current is None:
        return False
    get = current.get if isinstance(current, Mapping) else (lambda k, d=None: getattr(current, k, d))
    fid = get("id")
    if fid and fid == flavor.id:
        return True
    name = get("original_name") or get("name")
    return bool(name) and name == flavor.name


def _serves(iface: Any, entry: Mapping[str, Any]) -> bool:
    """Whether an attached interface is the one a ``networks`` entry asks for."""
    if entry.get("port"):
        return iface.port_id == entry["port"]
    if iface.net_id != entry.get("uuid"):
        return False
    if entry.get("fixed_ip"):
        return any(ip.get("ip_address") == entry["fixed_ip"] for ip in iface.fixed_ips or [])
    return True
