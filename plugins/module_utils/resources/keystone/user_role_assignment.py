"""OS::Keystone::UserRoleAssignment (a relation: the roles of an existing user)."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import (
    RoleAssignmentHandler)


class UserRoleAssignmentHandler(RoleAssignmentHandler):
    """Grants ``roles`` (project or domain scoped) to ``user`` (a name or id)."""

    type_name = "OS::Keystone::UserRoleAssignment"
    actor = "user"
    observed = frozenset({"user", "roles"})
