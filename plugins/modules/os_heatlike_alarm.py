#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: create, update in place or delete one Aodh alarm, by name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_alarm
short_description: Manage an Aodh alarm of any type, idempotently by name
version_added: 0.1.0
description:
  - Creates, updates in place (HTTP PUT, same alarm id) or deletes one Aodh alarm, found by
    its O(name) in the project the connection is scoped to.
  - Supports every alarm type Aodh 23 accepts - C(gnocchi_resources_threshold),
    C(gnocchi_aggregation_by_metrics_threshold), C(gnocchi_aggregation_by_resources_threshold),
    C(event), C(composite) (nested C(and)/C(or) of threshold sub-rules),
    C(loadbalancer_member_health) and C(prometheus).
  - The rule is validated before any API call, with Aodh's defaults filled in, so a rerun
    with the same options reports no change. Aodh's own refusals come back as one-line messages.
  - Options other than O(name), O(type) and O(rule) are only managed when given; an omitted
    one keeps the alarm's current value (Aodh's default on creation).
  - Credentials embedded in action URLs (C(http://user:password@host/...)) are masked in
    results, diffs and logs.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module.alarm_type
  - heatlike.cloud.module
attributes:
  check_mode:
    description: Reports what would be created, updated or deleted without doing it.
  diff_mode:
    description: Shows the compared fields before and after.
options:
  name:
    description:
      - Name of the alarm; unique within the project for this module.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the alarm, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - The alarm type. Required with O(state=present).
  rule:
    description:
      - The rule of the alarm type, i.e. what Aodh calls C(<type>_rule). Required with
        O(state=present).
      - "Threshold types (C(gnocchi_*)): C(threshold) and C(aggregation_method) (required),
        C(comparison_operator) (C(lt), C(le), C(eq), C(ne), C(ge), C(gt); default C(eq)),
        C(evaluation_periods) (default 1), C(granularity) in seconds (default 60), plus
        C(metric), C(resource_id), C(resource_type) for C(gnocchi_resources_threshold);
        C(metrics) (list of metric ids) for C(gnocchi_aggregation_by_metrics_threshold);
        C(metric), C(resource_type) and C(query) (a Gnocchi search filter, as a mapping or
        JSON text) for C(gnocchi_aggregation_by_resources_threshold)."
      - "C(event): C(event_type) (default C(*)) and C(query), a list of C(field), C(op),
        C(value), C(type)."
      - "C(composite): a mapping with one key, C(and) or C(or), whose list holds sub-rules
        (each with a C(type) among C(prometheus) and the three C(gnocchi_*) types) or
        further C(and)/C(or) mappings."
      - "C(loadbalancer_member_health): C(pool_id), C(stack_id), C(autoscaling_group_id)."
      - "C(prometheus): C(query) (PromQL), C(threshold), C(comparison_operator)."
    type: dict
  description:
    description:
      - Free text. Aodh generates one when it is never given.
    type: str
  enabled:
    description:
      - Whether Aodh evaluates the alarm (Aodh default V(true)).
    type: bool
  severity:
    description:
      - Severity of the alarm (Aodh default V(low)).
    type: str
    choices: [low, moderate, critical]
  repeat_actions:
    description:
      - Re-run the actions on every evaluation while in the state (Aodh default V(false)).
    type: bool
  alarm_actions:
    description:
      - URLs notified when the alarm enters the C(alarm) state. Schemes C(http), C(https),
        C(trust+http), C(trust+https), C(zaqar), C(trust+zaqar), C(trust+heat), and for
        admins C(log) and C(test).
      - A C(trust+) URL must not carry a trust id; Aodh creates a Keystone trust from the
        caller's token and deletes it with the alarm.
      - Compared as a set (Aodh drops duplicates).
    type: list
    elements: str
  ok_actions:
    description:
      - URLs notified when the alarm enters the C(ok) state; as O(alarm_actions).
    type: list
    elements: str
  insufficient_data_actions:
    description:
      - URLs notified when the alarm enters C(insufficient data); as O(alarm_actions).
    type: list
    elements: str
  time_constraints:
    description:
      - Windows in which the alarm is evaluated. Names must be unique.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the constraint.
        type: str
        required: true
      start:
        description: Start of the window, a cron expression.
        type: str
        required: true
      duration:
        description: Length of the window in seconds.
        type: int
        required: true
      description:
        description: Free text; Aodh generates one when omitted.
        type: str
      timezone:
        description: IANA time zone of O(time_constraints[].start), e.g. C(Europe/Paris).
        type: str
notes:
  - openstacksdk has no Aodh proxy; the module uses the connection's keystoneauth session
    with the catalog service type C(alarming).
seealso:
  - module: heatlike.cloud.os_heatlike_alarm_info
  - module: heatlike.cloud.os_heatlike_trust
"""

EXAMPLES = r"""
- name: CPU alarm on one instance, posting to a webhook
  heatlike.cloud.os_heatlike_alarm:
    cloud: devcloud
    name: web-cpu-high
    type: gnocchi_resources_threshold
    rule:
      metric: cpu
      resource_id: "{{ server_id }}"
      resource_type: instance
      aggregation_method: rate:mean
      threshold: 80000000000
      comparison_operator: gt
      granularity: 300
      evaluation_periods: 2
    severity: moderate
    alarm_actions:
      - https://eda.example.com/endpoint/scale-up

- name: Composite alarm
  heatlike.cloud.os_heatlike_alarm:
    name: cpu-or-memory
    type: composite
    rule:
      or:
        - type: prometheus
          query: avg(node_load1)
          threshold: 4
          comparison_operator: gt
        - and:
            - type: gnocchi_aggregation_by_metrics_threshold
              metrics: ["{{ metric_id }}"]
              aggregation_method: mean
              threshold: 90
              comparison_operator: ge

- name: Event alarm
  heatlike.cloud.os_heatlike_alarm:
    name: instance-deleted
    type: event
    rule:
      event_type: compute.instance.delete.end
      query:
        - field: traits.instance_id
          op: eq
          type: string
          value: "{{ server_id }}"

- name: Remove it
  heatlike.cloud.os_heatlike_alarm:
    name: instance-deleted
    state: absent
"""

RETURN = r"""
alarm:
  description:
    - The alarm as Aodh returns it (C(alarm_id), C(name), C(type), C(<type>_rule), C(state),
      C(project_id), actions, ...), with credentials in action URLs masked.
    - Null after deletion, and in check mode before creation.
  returned: always
  type: dict
alarm_id:
  description: Id of the alarm (null when it does not exist, or would be created in check mode).
  returned: always
  type: str
action:
  description: What was done (or would be, in check mode).
  returned: always
  type: str
  sample: update
changes:
  description: Names of the fields that differ from the desired state.
  returned: always
  type: list
  elements: str
  sample: [rule, severity]
"""

from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh import AodhClient, ensure_alarm
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh_rules import ACTION_FIELDS, ALARM_TYPES, SEVERITIES, action_secrets


class AlarmModule(HeatlikeModule):
    """Converge one Aodh alarm."""

    def execute(self) -> dict:
        for key in ACTION_FIELDS:
            self.add_secret(action_secrets(self.params.get(key)))
        self.authenticate()  # a clear message when a trust-scoped auth no longer works
        client = AodhClient.from_connection(self.connection())
        return self.with_diff(ensure_alarm(client, self.params, state=self.params["state"],
                                           check_mode=self.check_mode))


def main() -> None:
    """Module entry point."""
    AlarmModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            type=dict(type="str", choices=list(ALARM_TYPES)),
            rule=dict(type="dict"),
            description=dict(type="str"),
            enabled=dict(type="bool"),
            severity=dict(type="str", choices=list(SEVERITIES)),
            repeat_actions=dict(type="bool"),
            alarm_actions=dict(type="list", elements="str", no_log=False),
            ok_actions=dict(type="list", elements="str", no_log=False),
            insufficient_data_actions=dict(type="list", elements="str", no_log=False),
            time_constraints=dict(
                type="list",
                elements="dict",
                options=dict(
                    name=dict(type="str", required=True),
                    start=dict(type="str", required=True),
                    duration=dict(type="int", required=True),
                    description=dict(type="str"),
                    timezone=dict(type="str"),
                ),
            ),
        ),
        required_if=[("state", "present", ("type", "rule"))],
    ).run()


if __name__ == "__main__":
    main()
