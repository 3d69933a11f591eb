"""AWS::S3::Bucket, mapped onto a Swift container as Heat maps it.

Heat's facts: ``Tags`` become ``X-Container-Meta-S3-Tag-<Key>: <Value>``,
``WebsiteConfiguration`` becomes ``X-Container-Meta-Web-Index`` / ``-Web-Error`` (for Swift's
staticweb middleware), and ``AccessControl`` the container ACLs: ``PublicRead`` and
``PublicReadWrite`` read ``.r:*``, ``AuthenticatedRead`` reads ``<project name>``, every other
value ``<project name>:<user name>``; only ``PublicReadWrite`` writes ``.r:*``, every other
value writes ``<project name>:<user name>``. A bucket is never purged: deleting a non-empty
one fails, naming it. Attributes: ``DomainName`` and ``WebsiteURL``.
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.swift.container import ContainerHandler

_IN_PLACE = Override(update_allowed=True, reason=(
    "the bucket's tags, website documents and ACLs are container headers Swift changes with a "
    "POST; Heat's replacement would delete the bucket, which Swift refuses while it holds objects"))


class S3BucketHandler(ContainerHandler):
    """An S3 bucket as a Swift container named ``<stack>-<logical>`` (the template gives no name)."""

    type_name = "AWS::S3::Bucket"
    # the name never changes, so a replacement must delete the old bucket first
    create_before_delete = False
    applied_defaults = ()
    schema_overrides = {prop: _IN_PLACE for prop in ("AccessControl", "WebsiteConfiguration", "Tags")}
    attributes = ("DomainName", "WebsiteURL", "show")
    observed = frozenset()

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        return dict(props)

    def name_for(self, logical: str, props: Mapping[str, Any]) -> str:
        return super().name_for(logical, {})

    def _who(self) -> tuple[str, str]:
        """(project name, user name) of the connection, as Heat reads them from its context."""
        def lookup() -> tuple[str, str]:
            access = self.conn.session.auth.get_access(self.conn.session)
            return access.project_name, access.username
        return self.ctx.cached("swift:who", lookup)

    def container_props(self, logical: str, props: Mapping[str, Any]) -> dict[str, Any]:
        meta = {f"S3-Tag-{tag['Key']}": tag["Value"] for tag in props.get("Tags") or []}
        site = props.get("WebsiteConfiguration")
        if site is not None:
            meta["Web-Index"] = site.get("IndexDocument")
            meta["Web-Error"] = site.get("ErrorDocument")
        project, user = self._who()
        acl = props.get("AccessControl")
        owner = f"{project}:{user}"
        read = ".r:*" if acl in ("PublicRead", "PublicReadWrite") else project if acl == "AuthenticatedRead" else owner
        write = ".r:*" if acl == "PublicReadWrite" else owner
        return {"X-Container-Meta": {k: v for k, v in meta.items() if v is not None},
                "X-Container-Read": read, "X-Container-Write": write}

    def purge_on_delete(self, props: Mapping[str, Any]) -> bool:
        return False

    def attrs(self, obj: Any) -> dict:
        values = super().attrs(obj)
        return {"DomainName": values["DomainName"], "WebsiteURL": values["WebsiteURL"]}
