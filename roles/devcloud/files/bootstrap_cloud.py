"""Create (idempotently) the devcloud's identity objects, catalog and test resources.

Run with the devcloud service virtualenv's Python (it has openstacksdk).
Passwords come from the environment, never from argv:
  DEVCLOUD_ADMIN_PASSWORD, DEVCLOUD_DEMO_PASSWORD, DEVCLOUD_ALT_PASSWORD,
  DEVCLOUD_SERVICE_PASSWORD
Phases:
  identity   roles, projects, users, service users, services and endpoints
  resources  flavors, the `tiny` image, the `public` network, Gnocchi's `instance` type
Prints one line per object created; the last line is `changed` or `ok`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import openstack
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from openstack import exceptions as sdk_exc

KEYSTONE = "http://127.0.0.1:5000"

# service user/name -> (service type, port, path)
CATALOG = {
    "placement": ("placement", 8778, ""),
    "nova": ("compute", 8774, "/v2.1"),
    "neutron": ("network", 9696, ""),
    "glance": ("image", 9292, ""),
    "cinder": ("block-storage", 8776, "/v3"),
    "gnocchi": ("metric", 8041, ""),
    "aodh": ("alarming", 8042, ""),
    "heat": ("orchestration", 8004, "/v1/%(project_id)s"),
    "swift": ("object-store", 8080, "/v1/AUTH_%(project_id)s"),
}
# ResellerAdmin and swiftoperator: the Swift proxy's keystoneauth roles (reseller admin, and an
# operator role besides admin and member).
EXTRA_ROLES = ["member", "reader", "service", "heat_stack_owner", "heat_stack_user",
               "ResellerAdmin", "swiftoperator"]
INSTANCE_TYPE_ATTRIBUTES = {
    "display_name": {"type": "string", "required": True},
    "flavor_id": {"type": "string", "required": False},
    "flavor_name": {"type": "string", "required": False},
    "host": {"type": "string", "required": False},
    "image_ref": {"type": "string", "required": False},
    "server_group": {"type": "string", "required": False},
}

CHANGED: list[str] = []


def note(what: str) -> None:
    """Record and print one created object."""
    CHANGED.append(what)
    print("created", what, flush=True)


def admin_connection(region: str) -> openstack.connection.Connection:
    """Connect as the bootstrap admin."""
    return openstack.connect(
        auth_url=KEYSTONE + "/v3",
        username="admin",
        password=os.environ["DEVCLOUD_ADMIN_PASSWORD"],
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name=region,
        interface="public",
        identity_api_version="3",
    )


def ensure_role(conn, name: str):  # noqa: ANN001, ANN201
    """Return role ``name``, creating it when missing."""
    role = conn.identity.find_role(name)
    if role is None:
        role = conn.identity.create_role(name=name)
        note(f"role {name}")
    return role


def ensure_project(conn, name: str, domain_id: str):  # noqa: ANN001, ANN201
    """Return project ``name``, creating it when missing."""
    project = conn.identity.find_project(name, domain_id=domain_id)
    if project is None:
        project = conn.identity.create_project(name=name, domain_id=domain_id,
                                               description=f"devcloud {name}")
        note(f"project {name}")
    return project


def password_works(name: str, password: str, domain_id: str) -> bool:
    """True when ``name`` can authenticate (unscoped) with ``password``.

    A password update revokes every token of the user, so a rerun on a devcloud in use sets a
    password only when it differs: running tests keep their tokens.
    """
    auth = v3.Password(auth_url=KEYSTONE + "/v3", username=name, password=password,
                       user_domain_id=domain_id, unscoped=True)
    try:
        ks_session.Session(auth=auth).get_token()
    except ks_exc.Unauthorized:
        return False
    return True


def ensure_user(conn, name: str, password: str, project, domain_id: str, roles: list):  # noqa: ANN001
    """Create or refresh user ``name`` and grant it ``roles`` on ``project``."""
    user = conn.identity.find_user(name, domain_id=domain_id)
    if user is None:
        user = conn.identity.create_user(name=name, password=password, domain_id=domain_id,
                                         default_project_id=project.id)
        note(f"user {name}")
    elif not password_works(name, password, domain_id):
        # The password lives in clouds.yaml; keep Keystone in step with it.
        conn.identity.update_user(user, password=password)
        note(f"password of {name}")
    for role in roles:
        if not conn.identity.validate_user_has_project_role(project, user, role):
            conn.identity.assign_project_role_to_user(project, user, role)
            note(f"role {role.name} for {name} on {project.name}")
    return user


def ensure_service(conn, name: str, stype: str, url: str, region: str) -> None:
    """Create service ``name`` and its public and internal endpoints."""
    service = next((s for s in conn.identity.services() if s.type == stype), None)
    if service is None:
        service = conn.identity.create_service(name=name, type=stype, description=name)
        note(f"service {name} ({stype})")
    have = {e.interface: e for e in conn.identity.endpoints(service_id=service.id)}
    for interface in ("public", "internal"):
        endpoint = have.get(interface)
        if endpoint is None:
            conn.identity.create_endpoint(service_id=service.id, interface=interface,
                                          url=url, region_id=region)
            note(f"endpoint {stype} {interface}")
        elif endpoint.url != url:
            conn.identity.update_endpoint(endpoint, url=url)
            note(f"endpoint {stype} {interface} url")


def phase_identity(conn, region: str) -> None:  # noqa: ANN001
    """Roles, projects, users and the catalog."""
    domain_id = conn.identity.find_domain("Default").id
    roles = {name: ensure_role(conn, name) for name in EXTRA_ROLES + ["admin"]}
    service_project = ensure_project(conn, "service", domain_id)
    for user in CATALOG:
        ensure_user(conn, user, os.environ["DEVCLOUD_SERVICE_PASSWORD"], service_project,
                    domain_id, [roles["admin"], roles["service"]])
    demo = ensure_project(conn, "demo", domain_id)
    alt = ensure_project(conn, "alt", domain_id)
    ensure_user(conn, "demo", os.environ["DEVCLOUD_DEMO_PASSWORD"], demo, domain_id,
                [roles["member"]])
    ensure_user(conn, "alt", os.environ["DEVCLOUD_ALT_PASSWORD"], alt, domain_id,
                [roles["member"]])
    for name, (stype, port, path) in CATALOG.items():
        ensure_service(conn, name, stype, f"http://127.0.0.1:{port}{path}", region)
    ensure_heat_domain(conn, roles["admin"])


def ensure_heat_domain(conn, admin_role) -> None:  # noqa: ANN001
    """Heat's stack user domain `heat` and its admin (wait conditions, signals, deployments)."""
    domain = conn.identity.find_domain("heat")
    if domain is None:
        domain = conn.identity.create_domain(name="heat", description="Heat stack users")
        note("domain heat")
    password = os.environ["DEVCLOUD_SERVICE_PASSWORD"]
    user = conn.identity.find_user("heat_domain_admin", domain_id=domain.id)
    if user is None:
        user = conn.identity.create_user(name="heat_domain_admin", password=password,
                                         domain_id=domain.id)
        note("user heat_domain_admin")
    elif not password_works("heat_domain_admin", password, domain.id):
        conn.identity.update_user(user, password=password)
        note("password of heat_domain_admin")
    if not conn.identity.validate_user_has_domain_role(domain, user, admin_role):
        conn.identity.assign_domain_role_to_user(domain, user, admin_role)
        note("role admin for heat_domain_admin on domain heat")


def ensure_flavor(conn, name: str, flavor_id: str, ram: int, vcpus: int, disk: int) -> None:  # noqa: ANN001
    """Create a public flavor when missing."""
    if conn.compute.find_flavor(name, ignore_missing=True) is None:
        conn.compute.create_flavor(name=name, id=flavor_id, ram=ram, vcpus=vcpus, disk=disk,
                                   is_public=True)
        note(f"flavor {name}")


def ensure_image(conn) -> None:  # noqa: ANN001
    """Upload the `tiny` image: a small raw blob made here, nothing downloaded."""
    image = conn.image.find_image("tiny", ignore_missing=True)
    if image is not None and image.status == "active":
        return
    if image is not None:
        conn.image.delete_image(image)
    data = b"heatlike-devcloud tiny image\n".ljust(64 * 1024, b"\0")
    conn.image.create_image(name="tiny", data=data, disk_format="raw",
                            container_format="bare", visibility="public")
    note("image tiny")


def ensure_public_network(conn, args: argparse.Namespace) -> None:  # noqa: ANN001
    """The external network `public` and its subnet `public-subnet` (nothing routes)."""
    net = conn.network.find_network("public")
    if net is None:
        net = conn.network.create_network(
            name="public", is_router_external=True, provider_network_type="flat",
            provider_physical_network="public")
        note("network public")
    if conn.network.find_subnet("public-subnet", network_id=net.id) is None:
        conn.network.create_subnet(
            name="public-subnet", network_id=net.id, ip_version=4, cidr=args.public_cidr,
            gateway_ip=args.public_gateway, is_dhcp_enabled=False,
            allocation_pools=[{"start": args.pool_start, "end": args.pool_end}])
        note("subnet public-subnet")


def ensure_gnocchi_instance_type(conn) -> None:  # noqa: ANN001
    """Gnocchi's `instance` resource type, which Aodh's gnocchi alarms look resources up in."""
    response = conn.session.get("/v1/resource_type/instance",
                                endpoint_filter={"service_type": "metric"},
                                raise_exc=False)
    if response.status_code == 200:
        return
    response = conn.session.post(
        "/v1/resource_type", endpoint_filter={"service_type": "metric"},
        json={"name": "instance", "attributes": INSTANCE_TYPE_ATTRIBUTES}, raise_exc=False)
    if response.status_code not in (201, 409):
        raise SystemExit(f"gnocchi: creating resource type instance: {response.status_code} "
                         f"{response.text[:300]}")
    note("gnocchi resource type instance")


def wait_for_hypervisor(conn, timeout: float = 180) -> None:  # noqa: ANN001
    """Wait until nova-compute is up and its node is in placement (servers can schedule)."""
    deadline = time.time() + timeout
    while True:
        try:
            services = [s for s in conn.compute.services() if s.binary == "nova-compute"]
            hypervisors = list(conn.compute.hypervisors())
            providers = list(conn.placement.resource_providers())
            if services and all(s.state == "up" for s in services) and hypervisors and providers:
                return
        except sdk_exc.SDKException:
            pass
        if time.time() > deadline:
            raise SystemExit("nova-compute did not register (see log/nova-compute.log)")
        time.sleep(2)


def unlimited_quotas(conn) -> None:  # noqa: ANN001
    """No quota limits for the test projects: leaked test objects must not fail other tests."""
    for name in ("demo", "alt"):
        project = conn.identity.find_project(name)
        conn.set_compute_quotas(project.id, instances=-1, cores=-1, ram=-1, key_pairs=-1,
                                server_groups=-1)
        conn.set_network_quotas(project.id, network=-1, subnet=-1, port=-1, router=-1,
                                floatingip=-1, security_group=-1, security_group_rule=-1)
        conn.set_volume_quotas(project.id, volumes=-1, gigabytes=-1, snapshots=-1)


def phase_resources(conn, args: argparse.Namespace) -> None:  # noqa: ANN001
    """Flavors, image, public network, Gnocchi resource type, quotas; wait for the compute node."""
    unlimited_quotas(conn)
    ensure_flavor(conn, "m1.tiny", "1", 512, 1, 1)
    ensure_flavor(conn, "m1.small", "2", 2048, 1, 20)
    ensure_image(conn)
    ensure_public_network(conn, args)
    ensure_gnocchi_instance_type(conn)
    wait_for_hypervisor(conn)


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["identity", "resources"])
    parser.add_argument("--region", default="RegionOne")
    parser.add_argument("--public-cidr", default="172.24.4.0/24")
    parser.add_argument("--public-gateway", default="172.24.4.1")
    parser.add_argument("--pool-start", default="172.24.4.10")
    parser.add_argument("--pool-end", default="172.24.4.250")
    args = parser.parse_args()
    conn = admin_connection(args.region)
    if args.phase == "identity":
        phase_identity(conn, args.region)
    else:
        phase_resources(conn, args)
    print("changed" if CHANGED else "ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
