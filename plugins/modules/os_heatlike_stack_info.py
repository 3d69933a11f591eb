#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: stacks deployed by os_heatlike_stack, one stack's resources, outputs, events, drift."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_stack_info
short_description: Stacks deployed with os_heatlike_stack, and one stack's details and drift
version_added: 0.1.0
description:
  - Without O(name), lists the stacks that have a record in O(state_dir).
  - With O(name), returns that stack's status, resources, outputs, events and lock holder.
  - With O(name) and O(template), also compares the cloud with the template and returns the
    drift (what C(os_heatlike_stack) would change). Nothing is ever changed.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module.info
options:
  name:
    description: Stack name; all stacks when omitted.
    type: str
  template:
    description: Template to compare the cloud with (enables O(name)'s drift report).
    type: path
  environment:
    description: Environment files of the template.
    type: list
    elements: path
    default: []
  parameters:
    description: Template parameters (never logged).
    type: dict
    default: {}
  state_dir:
    description: Directory of the stack records.
    type: path
    default: ~/.heatlike/stacks
  signal_receiver_url:
    description:
      - Base URL of the receiver of scaling signals, as given to C(os_heatlike_stack) (so that
        the drift of alarms whose actions are scaling policy URLs is computed right).
      - When unset, the environment variable E(HEATLIKE_SIGNAL_RECEIVER_URL) is used.
    type: str
seealso:
  - module: heatlike.cloud.os_heatlike_stack
"""

EXAMPLES = r"""
- name: All stacks with a record here
  heatlike.cloud.os_heatlike_stack_info:
  register: stacks

- name: One stack, and its drift against the template
  heatlike.cloud.os_heatlike_stack_info:
    cloud: devcloud
    name: web
    template: templates/web.yaml
  register: web
"""

RETURN = r"""
stacks:
  description:
    - Stacks with a record in O(state_dir) - C(name), C(status), C(created_at), C(updated_at),
      C(template_hash) and C(resource_count) of each.
  returned: when name is not given
  type: list
  elements: dict
  sample: [{name: web, status: CREATE_COMPLETE, created_at: "2026-01-01T00:00:00Z",
            updated_at: "2026-01-01T00:01:00Z", resource_count: 9}]
exists:
  description: Whether the named stack has a record.
  returned: when name is given
  type: bool
stack:
  description: The stack's status, template hash and times.
  returned: when name is given
  type: dict
resources:
  description: Logical name to type, physical id and status.
  returned: when name is given
  type: dict
outputs:
  description: Outputs recorded by the last successful run (secrets masked).
  returned: when name is given
  type: dict
events:
  description: The recorded events (bounded).
  returned: when name is given
  type: list
  elements: dict
lock:
  description: Holder of the stack lock (pid, host, user, since) or null.
  returned: when name is given
  type: dict
drift:
  description:
    - What C(os_heatlike_stack) would change (create, update, replace, delete) when a template is
      given; empty when the cloud is in sync with it.
    - Each entry has C(resource), C(type), C(action), C(reason) and, when known, C(physical_id),
      C(changes) (names of the changed properties), C(drift) (true when the cloud changed out of
      band) and C(before) / C(after) (the changed properties as the cloud has them and as the
      template wants them; the whole properties for a create or delete). Secrets are masked.
  returned: when name and template are given
  type: list
  elements: dict
  sample: [{resource: project, type: "OS::Keystone::Project", action: update, reason: "drifted: name", changes: [name],
           drift: true, physical_id: "5d1f...", before: {name: renamed}, after: {name: web-team}}]
"""

from ansible.module_utils.basic import env_fallback  # noqa: E402

from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule  # noqa: E402
from ansible_collections.heatlike.cloud.plugins.module_utils.converge.entry import Options, describe  # noqa: E402
from ansible_collections.heatlike.cloud.plugins.module_utils.common.redaction import Redactor  # noqa: E402
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack  # noqa: E402


class StackInfoModule(HeatlikeModule):
    """os_heatlike_stack_info."""

    def execute(self) -> dict:
        p = self.params
        redactor = Redactor()
        resolved = None
        conn = None
        if p["name"] and p["template"]:
            resolved = load_stack(p["template"], environment_files=p["environment"], parameters=p["parameters"],
                                  stack_name=p["name"])
            self.add_secret(sorted(resolved.hidden_values))
            for value in resolved.hidden_values:
                redactor.add(value)
            conn = self.connection()
        opts = Options(state_dir=p["state_dir"], check_mode=True, signal_receiver_url=p["signal_receiver_url"])
        result = describe(conn, p["name"], opts, redactor, resolved=resolved, detect_drift=resolved is not None)
        self.add_secret(sorted(redactor.secrets))
        return {"changed": False, **result}


def main() -> None:
    """Module entry point."""
    StackInfoModule(
        argument_spec=dict(
            name=dict(type="str"),
            template=dict(type="path"),
            environment=dict(type="list", elements="path", default=[]),
            parameters=dict(type="dict", default={}, no_log=True),
            state_dir=dict(type="path", default="~/.heatlike/stacks"),
            signal_receiver_url=dict(type="str", fallback=(env_fallback, ["HEATLIKE_SIGNAL_RECEIVER_URL"])),
        ),
    ).run()


if __name__ == "__main__":
    main()
