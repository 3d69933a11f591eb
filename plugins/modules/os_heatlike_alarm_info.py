#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: list Aodh alarms of the project."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_alarm_info
short_description: List Aodh alarms of the project
version_added: 0.1.0
description:
  - Returns the Aodh alarms visible in the project the connection is scoped to, optionally
    filtered by id, name or type. Credentials in action URLs are masked.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module.alarm_type
  - heatlike.cloud.module.info
options:
  name:
    description: Only the alarm(s) with this name.
    type: str
  id:
    description: Only the alarm with this id.
    type: str
  type:
    description: Only alarms of this type.
seealso:
  - module: heatlike.cloud.os_heatlike_alarm
"""

EXAMPLES = r"""
- name: All alarms of the project
  heatlike.cloud.os_heatlike_alarm_info:
    cloud: devcloud
  register: alarms

- name: One alarm by name
  heatlike.cloud.os_heatlike_alarm_info:
    cloud: devcloud
    name: web-cpu-high
  register: one
"""

RETURN = r"""
alarms:
  description:
    - Alarms as Aodh returns them (C(alarm_id), C(name), C(type), C(<type>_rule), C(state),
      C(severity), C(enabled), actions, C(time_constraints), C(project_id), ...), sorted by
      name, with credentials in action URLs masked.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh import AodhClient, alarm_info
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh_rules import ALARM_TYPES


class AlarmInfoModule(HeatlikeModule):
    """List alarms."""

    def execute(self) -> dict:
        self.authenticate()  # a clear message when a trust-scoped auth no longer works
        client = AodhClient.from_connection(self.connection())
        alarms = alarm_info(client, name=self.params["name"], alarm_id=self.params["id"],
                            alarm_type=self.params["type"])
        return {"changed": False, "alarms": alarms}


def main() -> None:
    """Module entry point."""
    AlarmInfoModule(
        argument_spec=dict(
            name=dict(type="str"),
            id=dict(type="str"),
            type=dict(type="str", choices=list(ALARM_TYPES)),
        ),
    ).run()


if __name__ == "__main__":
    main()
