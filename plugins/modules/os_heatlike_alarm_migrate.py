#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: migrate legacy CloudWatch / Ceilometer alarms to Gnocchi-based Aodh alarms."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_alarm_migrate
short_description: Migrate legacy CloudWatch and Ceilometer alarms to Aodh
version_added: 0.1.0
description:
  - "O(mode=template): rewrites every legacy alarm resource of a template
    (C(AWS::CloudWatch::Alarm), C(OS::Heat::CWLiteAlarm), C(OS::Ceilometer::Alarm),
    C(OS::Metering::Alarm), C(OS::Aodh::Alarm)) into C(OS::Aodh::GnocchiResourcesAlarm) or
    C(OS::Aodh::GnocchiAggregationByResourcesAlarm). Only the text of those resources'
    blocks changes; the rest of the file stays byte for byte. References such as
    C({get_attr: [policy, alarm_url]}) stay as written; a C(Ref) of a scaling policy or
    restarter used as a CloudWatch action becomes its alarm URL attribute."
  - "Returns a report per legacy resource: C(mapped), C(mapped-with-warning) (what changed in
    meaning) or C(not-mappable) (why; the resource is then left as it was). The rewritten
    template is validated offline with the engine of M(heatlike.cloud.os_heatlike_template_info)."
  - "O(mode=live): finds the alarms of the project that still use legacy forms (the removed
    C(threshold) and C(combination) types, action URLs that point at Heat's signal APIs,
    the retired C(cpu_util) metric) and migrates them. A changed type replaces the alarm:
    the new one is created and read back before the old one is deleted, and then takes the old
    name. Everything else is updated in place. A rerun after a migration reports no change."
  - CloudWatch-style alarms read the measures the C(cfn-push-stats) shim of this collection
    (C(files/cfn-push-stats), installed by the role C(heatlike.cloud.cfn_push_stats)) pushes
    to Gnocchi.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module
attributes:
  check_mode:
    description: Template mode writes nothing; live mode returns the plan and changes nothing.
  diff_mode:
    description: Template mode shows the text before and after; live mode the alarms' fields.
options:
  mode:
    description:
      - V(template) rewrites a template file offline (no cloud needed); V(live) migrates the
        alarms of the project the connection is scoped to.
    type: str
    required: true
    choices: [template, live]
  template:
    description:
      - Path of the template to rewrite. Required with O(mode=template).
    type: path
  environment:
    description:
      - Environment files used when validating the template (as for a stack).
    type: list
    elements: path
    default: []
  parameters:
    description:
      - Parameter values used when validating the template.
    type: dict
    default: {}
  dest:
    description:
      - Where to write the rewritten template. May be O(template) itself. When omitted, the
        rewritten text is returned in RV(text) and nothing is written.
    type: path
  validate:
    description:
      - Validate the original and the rewritten template with the engine and report both
        verdicts. With V(true) the module fails when the rewrite is invalid while the
        original was valid.
    type: bool
    default: true
  alarms:
    description:
      - O(mode=live) only. Names or ids of the alarms to consider; all when omitted.
    type: list
    elements: str
  action_map:
    description:
      - O(mode=live) only. How to rewrite action URLs that point at Heat's signal APIs.
        The first entry whose O(action_map[].match) regular expression matches a URL
        rewrites it (Python C(re.sub)). Alarms with such a URL and no matching entry are
        reported C(not-mappable) and left alone.
    type: list
    elements: dict
    default: []
    suboptions:
      match:
        description: Regular expression searched in the URL.
        type: str
        required: true
      replace:
        description: Replacement (may use groups of O(action_map[].match), e.g. C(\\1)).
        type: str
        required: true
  metric_map:
    description:
      - "O(mode=live) only. Metric renames for Gnocchi-based alarms, e.g. C({cpu_util: cpu}).
        Without an entry, C(cpu_util) with C(mean) aggregation becomes C(cpu) with
        C(rate:mean) and a threshold in nanoseconds of CPU time (assuming one vCPU)."
    type: dict
    default: {}
notes:
  - The template mode needs no cloud; the connection options are then ignored.
  - Live mode uses the connection's keystoneauth session with the catalog service type
    C(alarming), like M(heatlike.cloud.os_heatlike_alarm).
seealso:
  - module: heatlike.cloud.os_heatlike_alarm
  - module: heatlike.cloud.os_heatlike_template_info
"""

EXAMPLES = r"""
- name: Report what a template's legacy alarms become (writes nothing)
  heatlike.cloud.os_heatlike_alarm_migrate:
    mode: template
    template: templates/autoscaling.yaml
    parameters: {KeyName: demo}
  register: migration

- name: Rewrite it next to the original
  heatlike.cloud.os_heatlike_alarm_migrate:
    mode: template
    template: templates/autoscaling.yaml
    dest: templates/autoscaling-aodh.yaml

- name: Plan the migration of the project's legacy alarms
  heatlike.cloud.os_heatlike_alarm_migrate:
    cloud: devcloud
    mode: live
    action_map:
      - match: '^https?://heat\.example\.com:8000/v1/signal/.*$'
        replace: https://eda.example.com/endpoint/scale
  check_mode: true
  register: plan
"""

RETURN = r"""
report:
  description:
    - O(mode=template). One entry per legacy alarm resource, with C(resource), C(type),
      C(status) (C(mapped), C(mapped-with-warning), C(not-mappable)), C(new_type),
      C(warnings) (changes of meaning), C(notes) (changes of form) and C(reason).
  returned: when mode is template
  type: list
  elements: dict
summary:
  description: Number of entries per status.
  returned: always
  type: dict
  sample: {mapped: 1, mapped-with-warning: 2, not-mappable: 0}
text:
  description:
    - The rewritten template (only when O(dest) is not given).
    - Values of hidden parameters (their defaults and the values given) are masked in it, as
      in every output; write the file with O(dest) to keep them.
  returned: when mode is template and dest is not given
  type: str
valid_before:
  description: Whether the original template validates offline (null when O(validate=false)).
  returned: when mode is template
  type: bool
valid_after:
  description: Whether the rewritten template validates offline (null when O(validate=false)).
  returned: when mode is template
  type: bool
error_before:
  description: The original template's validation error, if any.
  returned: when mode is template
  type: str
error_after:
  description: The rewritten template's validation error, if any.
  returned: when mode is template
  type: str
plan:
  description:
    - O(mode=live). One entry per legacy alarm, with C(alarm_id), C(name), C(type),
      C(new_type), C(status), C(action) (C(update), C(replace), C(rename), C(none)),
      C(changes), C(warnings), C(reason), C(done) and C(new_alarm_id).
  returned: when mode is live
  type: list
  elements: dict
"""

import os

from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_template as am
from ansible_collections.heatlike.cloud.plugins.module_utils.migrate import alarm_live as live
from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh import AodhClient
from ansible_collections.heatlike.cloud.plugins.module_utils.services.aodh_rules import ACTION_FIELDS, action_secrets
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import TemplateError


class AlarmMigrateModule(HeatlikeModule):
    """Rewrite a template's legacy alarms, or migrate a project's legacy alarms."""

    def execute(self) -> dict:
        if self.params["mode"] == "template":
            return self.template_mode()
        return self.live_mode()

    def template_mode(self) -> dict:
        path = self.params["template"]
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise TemplateError(f"cannot read template: {exc.strerror or exc}", file=path) from None
        # hidden parameters' defaults and values never show, not even in the returned text/diff
        self.add_secret(am.hidden_values(text, self.params["parameters"], file=path))
        result = am.rewrite_text(text, file=path)
        out = {"changed": False, "report": result["report"], "summary": am.summary(result["report"]),
               "reformatted": result["reformatted"], "valid_before": None, "valid_after": None,
               "error_before": None, "error_after": None}
        if self.params["validate"]:
            kwargs = {"environment_files": self.params["environment"], "parameters": self.params["parameters"]}
            before = am.validate_text(text, path, **kwargs)
            after = am.validate_text(result["text"], path, **kwargs) if result["changed"] else before
            out.update(valid_before=before["valid"], valid_after=after["valid"], error_before=before["error"],
                       error_after=after["error"])
            if before["valid"] and not after["valid"]:
                self.fail(f"the rewritten template is not valid (nothing written): {after['error']}",
                          report=result["report"])
        dest = self.params["dest"]
        if dest is None:
            out["text"] = result["text"]
            if self.diff_mode:
                out["diff"] = {"before": text, "after": result["text"], "before_header": path,
                               "after_header": f"{path} (rewritten)"}
        else:
            current = None
            if os.path.exists(dest):
                with open(dest, encoding="utf-8", errors="replace") as fh:
                    current = fh.read()
            out["dest"] = dest
            out["changed"] = current != result["text"]
            if out["changed"] and not self.check_mode:
                tmp = dest + ".heatlike-tmp"
                with open(tmp, "w", encoding="utf-8") as fh:
                    fh.write(result["text"])
                os.replace(tmp, dest)
            if self.diff_mode:
                out["diff"] = {"before": current or "", "after": result["text"],
                               "before_header": dest, "after_header": dest}
        return out

    def live_mode(self) -> dict:
        client = AodhClient.from_connection(self.connection())
        alarms = client.list_alarms()
        for alarm in alarms:
            for key in ACTION_FIELDS:
                self.add_secret(action_secrets(alarm.get(key)))
        entries = live.plan(alarms, action_map=self.params["action_map"], metric_map=self.params["metric_map"],
                            names=self.params["alarms"])
        results = live.apply(client, entries, check_mode=self.check_mode)
        todo = [e for e in results if e["action"] != "none"]
        out = {"changed": bool(todo), "plan": [live.report_entry(e) for e in results],
               "summary": am.summary(results)}
        for entry in results:
            if entry["status"] == am.NOT_MAPPABLE:
                self.warn(f"alarm '{entry['name']}' not migrated: {entry['reason']}")
        if self.diff_mode:
            out["diff"] = live.diff(results)
        return out


def main() -> None:
    """Module entry point."""
    AlarmMigrateModule(
        argument_spec=dict(
            mode=dict(type="str", required=True, choices=["template", "live"]),
            template=dict(type="path"),
            environment=dict(type="list", elements="path", default=[]),
            parameters=dict(type="dict", default={}, no_log=True),
            dest=dict(type="path"),
            validate=dict(type="bool", default=True),
            alarms=dict(type="list", elements="str"),
            action_map=dict(type="list", elements="dict", default=[], options=dict(
                match=dict(type="str", required=True),
                replace=dict(type="str", required=True),
            )),
            metric_map=dict(type="dict", default={}),
        ),
        required_if=[("mode", "template", ("template",))],
    ).run()


if __name__ == "__main__":
    main()
