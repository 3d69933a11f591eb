"""Smoke test of the devcloud: every service, through openstacksdk, as one cloud user.

Usage: smoke.py CLOUD [--trustee-cloud devcloud-alt]
Needs OS_CLIENT_CONFIG_FILE (the devcloud's clouds.yaml). Creates everything under a unique
name prefix and deletes it again. Prints one JSON object: {"cloud": ..., "checks": {name:
{"ok": bool, "detail": str}}}; exits 1 when a check failed.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
import traceback
import urllib.parse
import uuid

import openstack
import requests

CHECKS: dict[str, dict] = {}


def check(name: str, ok: bool, detail: str = "") -> None:
    """Record one check; raise so the caller's step stops at the first failure."""
    CHECKS[name] = {"ok": bool(ok), "detail": detail}
    if not ok:
        raise AssertionError(f"{name}: {detail}")


def wait(what: str, func, timeout: float = 180, interval: float = 1.0):  # noqa: ANN001, ANN201
    """Poll ``func`` until it returns a truthy value."""
    deadline = time.time() + timeout
    while True:
        value = func()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class Smoke:
    """The smoke steps for one cloud; ``cleanup`` undoes what was created, newest first."""

    def __init__(self, cloud: str, trustee_cloud: str) -> None:
        self.cloud = cloud
        self.conn = openstack.connect(cloud=cloud)
        self.trustee_cloud = trustee_cloud
        self.prefix = f"smoke-{uuid.uuid4().hex[:8]}"
        self.undo: list = []
        self.server = None
        self.net = None
        self.subnet = None

    def name(self, what: str) -> str:
        """A unique name for a created object."""
        return f"{self.prefix}-{what}"

    # ------------------------------------------------------------------ identity
    def identity(self) -> None:
        """Token issue/validate and a trust round trip (trustor us, trustee the alt user)."""
        token = self.conn.auth_token
        check("token_issued", bool(token), "no token")
        project_id = self.conn.current_project_id
        check("token_scoped", bool(project_id), f"project {project_id}")
        access = self.conn.session.auth.get_access(self.conn.session)
        roles = list(access.role_names)
        check("token_roles", bool(roles), f"roles {roles}")
        trustee = openstack.connect(cloud=self.trustee_cloud)
        trustee_id = trustee.current_user_id
        role = "member" if "member" in roles else roles[0]
        trust = self.conn.identity.create_trust(
            trustor_user_id=self.conn.current_user_id, trustee_user_id=trustee_id,
            project_id=project_id, roles=[{"name": role}], is_impersonation=True)
        self.undo.append(("trust", lambda: self.conn.identity.delete_trust(trust)))
        check("trust_created", trust.id is not None, f"trust {trust.id}")
        # The trustee authenticates with the trust: a token for the trustor's project.
        t_auth = trustee.config.get_auth_args()
        trust_conn = openstack.connect(
            auth_url=t_auth["auth_url"], username=t_auth["username"],
            password=t_auth["password"], user_domain_name=t_auth.get("user_domain_name", "Default"),
            trust_id=trust.id, region_name=trustee.config.get_region_name())
        got_project = trust_conn.current_project_id
        check("trust_token_project", got_project == project_id,
              f"trust token project {got_project}, want {project_id}")
        got_user = trust_conn.current_user_id
        check("trust_impersonates", got_user == self.conn.current_user_id,
              f"trust token user {got_user}")
        self.conn.identity.delete_trust(trust)
        self.undo.pop()
        try:
            self.conn.identity.get_trust(trust.id)
            gone = False
        except openstack.exceptions.NotFoundException:
            gone = True
        check("trust_deleted", gone, "trust still readable after delete")

    # ------------------------------------------------------------------ network
    def network(self) -> None:
        """Network, subnet, router with a gateway on `public`, a floating IP."""
        c = self.conn
        public = c.network.find_network("public")
        check("public_network_visible", public is not None and public.is_router_external,
              "network public missing or not external")
        self.net = c.network.create_network(name=self.name("net"))
        self.undo.append(("network", lambda: c.network.delete_network(self.net)))
        self.subnet = c.network.create_subnet(name=self.name("subnet"), network_id=self.net.id,
                                              ip_version=4, cidr="10.99.0.0/24")
        self.undo.append(("subnet", lambda: c.network.delete_subnet(self.subnet)))
        router = c.network.create_router(name=self.name("router"),
                                         external_gateway_info={"network_id": public.id})
        self.undo.append(("router", lambda: c.network.delete_router(router)))
        c.network.add_interface_to_router(router, subnet_id=self.subnet.id)
        self.undo.append(("router_if", lambda: c.network.remove_interface_from_router(
            router, subnet_id=self.subnet.id)))
        router = c.network.get_router(router.id)
        check("router_gateway", (router.external_gateway_info or {}).get("network_id") == public.id,
              f"gateway {router.external_gateway_info}")
        fip = c.network.create_ip(floating_network_id=public.id)
        self.fip = fip
        self.undo.append(("floating_ip", lambda: c.network.delete_ip(fip)))
        check("floating_ip", fip.floating_ip_address.startswith("172.24.4."),
              f"address {fip.floating_ip_address}")

    # ------------------------------------------------------------------ compute
    def compute(self) -> None:
        """A server on its own port reaches ACTIVE; the floating IP goes to the port."""
        c = self.conn
        port = c.network.create_port(name=self.name("port"), network_id=self.net.id)
        self.undo.append(("port", lambda: c.network.delete_port(port)))
        image = c.image.find_image("tiny")
        flavor = c.compute.find_flavor("m1.tiny")
        check("image_and_flavor", image is not None and flavor is not None, "tiny / m1.tiny")
        server = c.compute.create_server(name=self.name("server"), image_id=image.id,
                                         flavor_id=flavor.id, networks=[{"port": port.id}])
        self.undo.append(("server", lambda: (c.compute.delete_server(server),
                                             c.compute.wait_for_delete(server, wait=120))))
        server = c.compute.wait_for_server(server, status="ACTIVE", failures=["ERROR"], wait=180)
        self.server = server
        check("server_active", server.status == "ACTIVE", f"status {server.status}")
        port = c.network.get_port(port.id)
        # binding:* fields are visible to admins only; status ACTIVE needs a bound port.
        check("port_bound", port.device_id == server.id and port.status == "ACTIVE"
              and port.binding_vif_type not in ("unbound", "binding_failed"),
              f"device {port.device_id} vif {port.binding_vif_type} status {port.status}")
        interfaces = list(c.compute.server_interfaces(server))
        check("server_has_port", any(i.port_id == port.id for i in interfaces),
              f"interfaces {[i.port_id for i in interfaces]}")
        fip = c.network.update_ip(self.fip, port_id=port.id)
        check("floating_ip_associated", fip.port_id == port.id, f"fip port {fip.port_id}")

    # ------------------------------------------------------------------ block storage
    def volume(self) -> None:
        """A 1 GB volume is attached to the server and detached again."""
        c = self.conn
        vol = c.block_storage.create_volume(name=self.name("vol"), size=1)
        self.undo.append(("volume", lambda: c.block_storage.delete_volume(vol)))
        vol = c.block_storage.wait_for_status(vol, "available", failures=["error"], wait=120)
        check("volume_available", vol.status == "available", f"status {vol.status}")
        att = c.compute.create_volume_attachment(self.server, volume_id=vol.id)
        vol = c.block_storage.wait_for_status(vol, "in-use", failures=["error"], wait=120)
        check("volume_attached", vol.status == "in-use" and any(
            a.get("server_id") == self.server.id for a in vol.attachments),
            f"status {vol.status} attachments {vol.attachments} device {att.device}")
        c.compute.delete_volume_attachment(self.server, vol.id)
        vol = c.block_storage.wait_for_status(vol, "available", failures=["error"], wait=120)
        check("volume_detached", vol.status == "available" and not vol.attachments,
              f"status {vol.status}")

    # ------------------------------------------------------------------ image
    def image(self) -> None:
        """Upload an image, read it back, delete it."""
        c = self.conn
        data = (self.prefix.encode() * 1000)[:10000]
        img = c.image.create_image(name=self.name("image"), data=data, disk_format="raw",
                                   container_format="bare", visibility="private")
        self.undo.append(("image", lambda: c.image.delete_image(img)))
        img = c.image.get_image(img.id)
        check("image_active", img.status == "active" and img.size == len(data),
              f"status {img.status} size {img.size}")
        got = c.image.download_image(img).content
        check("image_download", got == data, f"{len(got)} bytes back")

    # ------------------------------------------------------------------ telemetry
    def _rest(self, service: str, method: str, path: str, body=None):  # noqa: ANN001, ANN202
        return self.conn.session.request(path, method, json=body, raise_exc=False,
                                         endpoint_filter={"service_type": service})

    def alarms(self) -> None:
        """One Aodh alarm of each type (gnocchi ones against a Gnocchi resource of ours)."""
        resource_id = str(uuid.uuid4())
        resp = self._rest("metric", "POST", "/v1/resource/instance", {
            "id": resource_id, "display_name": self.name("gnocchi"),
            "metrics": {"cpu": {"archive_policy_name": "low"}}})
        check("gnocchi_resource", resp.status_code == 201, f"{resp.status_code} {resp.text[:200]}")
        self.undo.append(("gnocchi_resource",
                          lambda: self._rest("metric", "DELETE", f"/v1/resource/generic/{resource_id}")))
        metric_id = resp.json()["metrics"]["cpu"]
        gnocchi_common = {"comparison_operator": "gt", "threshold": 80.0,
                          "aggregation_method": "mean", "granularity": 300,
                          "evaluation_periods": 1}
        rules = {
            "gnocchi_resources_threshold": dict(gnocchi_common, metric="cpu",
                                                resource_type="instance",
                                                resource_id=resource_id),
            "gnocchi_aggregation_by_metrics_threshold": dict(gnocchi_common, metrics=[metric_id]),
            "gnocchi_aggregation_by_resources_threshold": dict(
                gnocchi_common, metric="cpu", resource_type="instance",
                query=json.dumps({"=": {"id": resource_id}})),
            "event": {"event_type": "compute.instance.update", "query": []},
            "prometheus": {"comparison_operator": "gt", "threshold": 1.0, "query": "up"},
            "loadbalancer_member_health": {"pool_id": str(uuid.uuid4()),
                                           "stack_id": str(uuid.uuid4()),
                                           "autoscaling_group_id": str(uuid.uuid4())},
        }
        created = []
        for atype, rule in rules.items():
            body = {"name": self.name(atype), "type": atype, f"{atype}_rule": rule}
            resp = self._rest("alarming", "POST", "/v2/alarms", body)
            if resp.status_code == 201:
                alarm_id = resp.json()["alarm_id"]
                created.append(alarm_id)
                self.undo.append((f"alarm {atype}", lambda a=alarm_id: self._rest(
                    "alarming", "DELETE", f"/v2/alarms/{a}")))
            CHECKS[f"alarm_{atype}"] = {"ok": resp.status_code == 201,
                                        "detail": f"{resp.status_code} {resp.text[:200]}"}
        composite = {"or": [
            dict(rules["gnocchi_resources_threshold"], type="gnocchi_resources_threshold"),
            dict(rules["gnocchi_aggregation_by_metrics_threshold"],
                 type="gnocchi_aggregation_by_metrics_threshold")]}
        resp = self._rest("alarming", "POST", "/v2/alarms", {
            "name": self.name("composite"), "type": "composite", "composite_rule": composite})
        if resp.status_code == 201:
            alarm_id = resp.json()["alarm_id"]
            created.append(alarm_id)
            self.undo.append(("alarm composite", lambda a=alarm_id: self._rest(
                "alarming", "DELETE", f"/v2/alarms/{a}")))
        CHECKS["alarm_composite"] = {"ok": resp.status_code == 201,
                                     "detail": f"{resp.status_code} {resp.text[:200]}"}
        resp = self._rest("alarming", "GET", "/v2/alarms")
        listed = {a["alarm_id"] for a in resp.json()} if resp.status_code == 200 else set()
        check("alarms_listed", set(created) <= listed, f"{len(created)} created, listed {len(listed)}")
        failed = [k for k, v in CHECKS.items() if k.startswith("alarm_") and not v["ok"]]
        check("alarm_every_type", not failed, f"failed types: {failed}")

    # ------------------------------------------------------------------ orchestration
    def stack(self) -> None:
        """A Heat stack (net, subnet, port, server, wait handle) is created and deleted by real Heat."""
        c = self.conn
        template = {
            # Quoted: an unquoted date would load as a date object and not serialise.
            "heat_template_version": "2021-04-16",
            "resources": {
                "net": {"type": "OS::Neutron::Net"},
                "subnet": {"type": "OS::Neutron::Subnet",
                           "properties": {"network": {"get_resource": "net"},
                                          "cidr": "10.98.0.0/24"}},
                "port": {"type": "OS::Neutron::Port",
                         "properties": {"network": {"get_resource": "net"},
                                        "fixed_ips": [{"subnet": {"get_resource": "subnet"}}]}},
                "handle": {"type": "OS::Heat::WaitConditionHandle"},
                "server": {"type": "OS::Nova::Server",
                           "properties": {"image": "tiny", "flavor": "m1.tiny",
                                          "networks": [{"port": {"get_resource": "port"}}]}},
            },
            # A wait condition handle needs Heat's stack user domain (a user made per stack).
            "outputs": {"server_id": {"value": {"get_resource": "server"}},
                        "handle_token": {"value": {"get_attr": ["handle", "token"]}}},
        }
        stack = c.orchestration.create_stack(name=self.name("stack"), template=template)
        self.undo.append(("stack", lambda: c.orchestration.delete_stack(stack)))
        stack = c.orchestration.wait_for_status(c.orchestration.get_stack(stack.id),
                                                "CREATE_COMPLETE", failures=["CREATE_FAILED"],
                                                wait=300)
        check("stack_create", stack.status == "CREATE_COMPLETE",
              f"{stack.status} {stack.status_reason}")
        outputs = {o["output_key"]: o.get("output_value") for o in stack.outputs or []}
        server = c.compute.get_server(outputs.get("server_id"))
        check("stack_server_active", server.status == "ACTIVE", f"server {server.status}")
        check("stack_wait_handle", bool(outputs.get("handle_token")), "wait condition handle token")
        c.orchestration.delete_stack(stack)
        self.undo.pop()

        def deleted() -> bool:
            s = c.orchestration.find_stack(stack.id, ignore_missing=True)
            return s is None or s.status == "DELETE_COMPLETE"
        wait("stack delete", deleted, timeout=300, interval=2)
        check("stack_delete", True, "deleted")

    # ------------------------------------------------------------------ object storage
    def _swift(self, method: str, path: str, headers: dict | None = None, data: bytes | None = None,
               auth: bool = True):  # noqa: ANN202 - a keystoneauth response
        """One request to the project's Swift account (``path`` below /v1/AUTH_<project>)."""
        url = self.conn.object_store.get_endpoint().rstrip("/") + path
        if auth:
            return self.conn.session.request(url, method, headers=headers or {}, data=data,
                                             raise_exc=False)
        return requests.request(method, url, headers=headers or {}, data=data, timeout=30)

    def swift(self) -> None:
        """Swift through Keystone: container, object, conditional PUT, X-Newest, temp URLs, expiry."""
        c = self.conn
        endpoint = c.object_store.get_endpoint()
        check("swift_endpoint", endpoint.startswith("http://127.0.0.1:")
              and endpoint.rstrip("/").endswith("AUTH_" + c.current_project_id), endpoint)
        container = self.name("swift")
        c.object_store.create_container(name=container)
        self.undo.append(("container", lambda: self._purge_container(container)))
        names = [x.name for x in c.object_store.containers(prefix=self.prefix)]
        check("swift_container", container in names, f"listed {names}")
        body = b"heatlike smoke " + self.prefix.encode()
        c.object_store.upload_object(container=container, name="obj", data=body)
        got = c.object_store.download_object("obj", container=container)
        check("swift_object_put_get", got == body, f"got {got[:60]!r}")
        resp = self._swift("PUT", f"/{container}/obj", {"If-None-Match": "*"}, b"other")
        check("swift_if_none_match", resp.status_code == 412, f"PUT If-None-Match: * -> {resp.status_code}")
        resp = self._swift("PUT", f"/{container}/new", {"If-None-Match": "*"}, b"first")
        check("swift_if_none_match_new", resp.status_code == 201, f"new object -> {resp.status_code}")
        resp = self._swift("GET", f"/{container}/obj", {"X-Newest": "true"})
        check("swift_x_newest", resp.status_code == 200 and resp.content == body,
              f"X-Newest GET -> {resp.status_code}")
        # Temp URLs: a container key (the project's own), signed with HMAC-SHA256.
        key = uuid.uuid4().hex
        resp = self._swift("POST", f"/{container}", {"X-Container-Meta-Temp-URL-Key": key})
        check("swift_temp_url_key", resp.status_code == 204, f"POST key -> {resp.status_code}")
        path = urllib.parse.urlparse(endpoint).path.rstrip("/") + f"/{container}/signal"
        expires = int(time.time()) + 300

        def signed(method: str) -> str:
            sig = hmac.new(key.encode(), f"{method}\n{expires}\n{path}".encode(), hashlib.sha256)
            return f"/{container}/signal?temp_url_sig={sig.hexdigest()}&temp_url_expires={expires}"
        resp = self._swift("PUT", signed("PUT"), data=b'{"status": "SUCCESS"}', auth=False)
        check("swift_temp_url_put", resp.status_code == 201, f"temp URL PUT -> {resp.status_code}")
        resp = self._swift("GET", signed("GET"), auth=False)
        check("swift_temp_url_get", resp.status_code == 200 and b"SUCCESS" in resp.content,
              f"temp URL GET -> {resp.status_code}")
        resp = self._swift("GET", signed("PUT"), auth=False)
        check("swift_temp_url_wrong_method", resp.status_code == 401,
              f"GET with a PUT signature -> {resp.status_code}")
        resp = self._swift("GET", f"/{container}/signal", auth=False)
        check("swift_anonymous_refused", resp.status_code == 401, f"no token -> {resp.status_code}")
        # X-Delete-After: accepted, stored as X-Delete-At, honoured once it passes.
        resp = self._swift("PUT", f"/{container}/lease", {"X-Delete-After": "2"}, b"lease")
        check("swift_delete_after_accepted", resp.status_code == 201, f"PUT -> {resp.status_code}")
        head = self._swift("HEAD", f"/{container}/lease")
        check("swift_delete_at_set", "X-Delete-At" in head.headers, f"headers {dict(head.headers)}")
        delete_at = int(head.headers["X-Delete-At"])
        wait("object expiry", lambda: time.time() > delete_at + 1
             and self._swift("GET", f"/{container}/lease").status_code == 404, timeout=30, interval=0.5)
        check("swift_delete_after_honoured", True, "GET after X-Delete-At -> 404")
        self._purge_container(container)
        self.undo.pop()
        resp = self._swift("HEAD", f"/{container}")
        check("swift_delete", resp.status_code == 404, f"HEAD after delete -> {resp.status_code}")

    def _purge_container(self, container: str) -> None:
        """Delete every object of ``container``, then the container.

        An expired object (X-Delete-After) stays listed until the object expirer reaps it, and
        the container refuses deletion (409) until then: retry while that is the reason.
        """
        def deleted() -> bool:
            for obj in list(self.conn.object_store.objects(container)):
                self.conn.object_store.delete_object(obj, container=container, ignore_missing=True)
            try:
                self.conn.object_store.delete_container(container, ignore_missing=True)
            except openstack.exceptions.ConflictException:
                return False
            return True
        wait(f"container {container} deleted", deleted, timeout=240, interval=1)

    def cleanup(self) -> list[str]:
        """Undo everything, newest first; return the errors."""
        errors = []
        for what, func in reversed(self.undo):
            try:
                func()
            except Exception as exc:  # noqa: BLE001 - keep cleaning
                errors.append(f"{what}: {exc}")
        self.undo.clear()
        return errors


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser()
    parser.add_argument("cloud")
    parser.add_argument("--trustee-cloud", default="devcloud-alt")
    parser.add_argument("--steps", default="identity,network,compute,volume,image,alarms,stack,swift")
    args = parser.parse_args()
    smoke = Smoke(args.cloud, args.trustee_cloud)
    error = None
    try:
        for step in args.steps.split(","):
            getattr(smoke, step)()
    except Exception as exc:  # noqa: BLE001 - reported as a failed check
        error = f"{type(exc).__name__}: {exc}"
        CHECKS.setdefault("error", {"ok": False, "detail": error})
        traceback.print_exc(file=sys.stderr)
    finally:
        cleanup_errors = smoke.cleanup()
    CHECKS["cleanup"] = {"ok": not cleanup_errors, "detail": "; ".join(cleanup_errors)}
    print(json.dumps({"cloud": args.cloud, "checks": CHECKS}))
    return 0 if all(v["ok"] for v in CHECKS.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
