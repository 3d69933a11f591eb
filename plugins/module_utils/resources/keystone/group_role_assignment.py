"""OS::Keystone::GroupRoleAssignment (a relation: the roles of an existing group)."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import (
    RoleAssignmentHandler)


class GroupRoleAssignmentHandler(RoleAssignmentHandler):
    """Grants ``roles`` (project or domain scoped) to ``group`` (a name or id)."""

    type_name = "OS::Keystone::GroupRoleAssignment"
    actor = "group"
    observed = frozenset({"group", "roles"})
