#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: a Keystone trust from the caller to a trustee, idempotently."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_trust
short_description: Manage a Keystone trust from the caller (trustor) to a trustee
version_added: 0.1.0
description:
  - Delegates exactly O(roles) on a project from the authenticated user (the trustor) to a
    trustee user, so that a later job (an autoscaling playbook, an alarm action) can act with
    only those roles, authenticated as the trustee with C(auth.trust_id) - no stored password
    of the trustor.
  - Trusts are immutable and nameless. A trust is identified by trustor, trustee and project;
    a live trust matching every given field is kept (C(changed=false)). When a field differs
    (roles, expiry, impersonation, remaining uses, redelegation) a new trust is created and the
    old one deleted (O(exclusive)); the result says so in RV(msg), RV(action=replace) and RV(deleted).
  - Returns the trust id, never a token.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module
attributes:
  check_mode:
    description: Reports what would be created, replaced or deleted without doing it.
  diff_mode:
    description: Shows the live trusts for the trustee and project before and after.
options:
  state:
    description:
      - V(present) ensures the trust exists; V(absent) deletes O(id), or every live trust for
        O(trustee) and O(project) matching the other given fields.
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - With O(state=absent), the id of the trust to delete.
    type: str
  trustee:
    description:
      - The trustee user, by id or by name. Looking a user up by name needs the right to list
        users (usually admin); otherwise give the id.
      - Required with O(state=present), and with O(state=absent) unless O(id) is given.
    type: str
  trustee_domain:
    description:
      - Domain (name or id) of O(trustee) when given by name.
    type: str
  project:
    description:
      - Project (id or name) whose roles are delegated. Defaults to the project the
        connection is scoped to.
    type: str
  roles:
    description:
      - The exact roles (names or ids) to delegate; the trustor must hold each of them on
        O(project). Compared as a set.
      - Required with O(state=present).
    type: list
    elements: str
  impersonation:
    description:
      - Whether tokens obtained with the trust show the trustor as the user.
    type: bool
    default: false
  expires_at:
    description:
      - When the trust expires, ISO 8601 (e.g. C(2030-01-31T12:00:00Z); no offset means UTC).
        Omitted means never. A time in the past is an error.
    type: str
  remaining_uses:
    description:
      - How many times the trust may be used to get a token; omitted means unlimited.
      - Keystone reports the uses left, so a trust that has been used no longer matches and is
        replaced by the next run.
    type: int
  allow_redelegation:
    description:
      - Whether the trustee may create further trusts from this one (needs Keystone's
        C([trust] allow_redelegation)). Not combinable with O(remaining_uses).
    type: bool
    default: false
  redelegation_count:
    description:
      - Maximum depth of redelegation (Keystone's default when omitted).
    type: int
  exclusive:
    description:
      - When V(true), at most one trust from you to O(trustee) on O(project) stays; creating the
        desired trust deletes the other live ones (replace). When V(false) other trusts are left alone.
    type: bool
    default: true
notes:
  - Keystone refuses trust operations to application-credential authentication; the module
    says so instead of failing obscurely.
  - Keystone refuses a trust with the same trustee, project, impersonation and expiry (to the
    second) as any earlier one, even a deleted one. When that happens the module creates the
    trust up to 9 seconds earlier than O(expires_at) and says so; a trust expiring less than
    10 seconds before O(expires_at) matches.
seealso:
  - module: heatlike.cloud.os_heatlike_trust_info
  - module: heatlike.cloud.os_heatlike_alarm
"""

EXAMPLES = r"""
- name: Let the scaling user act as member of my project until the end of the year
  heatlike.cloud.os_heatlike_trust:
    cloud: devcloud
    trustee: "{{ scaler_user_id }}"
    roles: [member]
    expires_at: "2030-12-31T23:59:59Z"
  register: trust

- name: Later, as the trustee, with only the delegated roles
  heatlike.cloud.os_heatlike_alarm_info:
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: scaler
      password: "{{ scaler_password }}"
      user_domain_name: Default
      trust_id: "{{ trust.trust_id }}"

- name: Remove it
  heatlike.cloud.os_heatlike_trust:
    cloud: devcloud
    state: absent
    id: "{{ trust.trust_id }}"
"""

RETURN = r"""
trust:
  description:
    - The kept or created trust; null after deletion or in check mode before creation.
    - Keys C(id), C(trustor_user_id), C(trustee_user_id), C(project_id), C(roles) (names),
      C(impersonation), C(expires_at), C(remaining_uses), C(allow_redelegation),
      C(redelegation_count), C(redelegated_trust_id), C(expired). Never a token.
  returned: always
  type: dict
trust_id:
  description: Id of the trust (null when none, or when it would be created in check mode).
  returned: always
  type: str
action:
  description: C(none), C(create), C(replace) (created, then deleted the old) or C(delete).
  returned: always
  type: str
deleted:
  description: Ids of the trusts deleted (or that would be).
  returned: always
  type: list
  elements: str
changes:
  description: Fields in which the replaced trust(s) differed.
  returned: when a trust is created or replaced
  type: list
  elements: str
msg:
  description: What happened, when a trust was replaced or extra trusts deleted.
  returned: sometimes
  type: str
"""

from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule
from ansible_collections.heatlike.cloud.plugins.module_utils.services.trust import TrustService, ensure_trust


class TrustModule(HeatlikeModule):
    """Converge one trust."""

    def execute(self) -> dict:
        self.authenticate()
        return self.with_diff(ensure_trust(TrustService(self.connection()), self.params, check_mode=self.check_mode))


def main() -> None:
    """Module entry point."""
    TrustModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            id=dict(type="str"),
            trustee=dict(type="str"),
            trustee_domain=dict(type="str"),
            project=dict(type="str"),
            roles=dict(type="list", elements="str"),
            impersonation=dict(type="bool", default=False),
            expires_at=dict(type="str"),
            remaining_uses=dict(type="int"),
            allow_redelegation=dict(type="bool", default=False),
            redelegation_count=dict(type="int"),
            exclusive=dict(type="bool", default=True),
        ),
        required_if=[("state", "present", ("trustee", "roles"))],
        required_one_of=[("id", "trustee")],
    ).run()


if __name__ == "__main__":
    main()
