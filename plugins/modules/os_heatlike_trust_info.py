#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: list Keystone trusts of the caller."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_trust_info
short_description: List Keystone trusts of the caller, as trustor or as trustee
version_added: 0.1.0
description:
  - Returns the trusts the authenticated user gave (trustor, default) or received (trustee),
    or one trust by id, with role names filled in. Never a token.
  - Also reports the trust the connection itself is scoped to, when authenticated with
    C(auth.trust_id), and the roles of that token (RV(token_roles)), so a playbook can check it
    acts with only the delegated roles.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module.info
options:
  id:
    description: Only this trust (empty list when it does not exist, has expired or is used up).
    type: str
  as_role:
    description: List the trusts the caller gave (V(trustor)) or received (V(trustee)).
    type: str
    choices: [trustor, trustee]
    default: trustor
  include_expired:
    description: Also list expired or used-up trusts (Keystone still lists them; they cannot be used).
    type: bool
    default: false
seealso:
  - module: heatlike.cloud.os_heatlike_trust
"""

EXAMPLES = r"""
- name: Trusts I gave
  heatlike.cloud.os_heatlike_trust_info:
    cloud: devcloud
  register: mine

- name: As the trustee, with the trust, check the delegated roles
  heatlike.cloud.os_heatlike_trust_info:
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: scaler
      password: "{{ scaler_password }}"
      user_domain_name: Default
      trust_id: "{{ trust_id }}"
    as_role: trustee
  register: scoped
"""

RETURN = r"""
trusts:
  description:
    - Trusts with keys C(id), C(trustor_user_id), C(trustee_user_id), C(project_id), C(roles)
      (names; null for expired trusts), C(impersonation), C(expires_at), C(remaining_uses),
      C(allow_redelegation), C(redelegation_count), C(redelegated_trust_id), C(expired).
  returned: always
  type: list
  elements: dict
caller:
  description: Who the connection is, C(user_id), C(project_id) and C(trust_id) (null unless trust-scoped).
  returned: always
  type: dict
token_roles:
  description: Role names of the connection's token (the delegated ones when trust-scoped, plus implied roles).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule
from ansible_collections.heatlike.cloud.plugins.module_utils.services.trust import TrustService, trust_info


class TrustInfoModule(HeatlikeModule):
    """List trusts."""

    def execute(self) -> dict:
        access = self.authenticate()
        service = TrustService(self.connection())
        me = service.caller()
        trusts = trust_info(service, trust_id=self.params["id"], role=self.params["as_role"],
                            include_expired=self.params["include_expired"])
        return {"changed": False, "trusts": trusts,
                "caller": {"user_id": me["user_id"], "project_id": me["project_id"], "trust_id": me["trust_id"]},
                "token_roles": sorted(getattr(access, "role_names", None) or [])}


def main() -> None:
    """Module entry point."""
    TrustInfoModule(
        argument_spec=dict(
            id=dict(type="str"),
            as_role=dict(type="str", choices=["trustor", "trustee"], default="trustor"),
            include_expired=dict(type="bool", default=False),
        ),
    ).run()


if __name__ == "__main__":
    main()
