"""OS::Keystone::UserRoleAssignment (a relation: the roles of an existing user)."""

from __future__ import annotations

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Prop
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.keystone.base import (
    ROLES_PROP, RoleAssignmentHandler)


class UserRoleAssignmentHandler(RoleAssignmentHandler):
    """Grants ``roles`` (project or domain scoped) to ``user`` (a name or id)."""

    type_name = "OS::Keystone::UserRoleAssignment"
    actor = "user"
    properties = {
        "user": Prop("String", required=True, update_allowed=True),
        "roles": ROLES_PROP,
    }
    observed = frozenset({"user", "roles"})
