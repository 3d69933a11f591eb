#!/usr/bin/python
# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: validate a HOT/CFN template offline and describe the stack it defines."""

from __future__ import annotations

DOCUMENTATION = r"""
module: os_heatlike_template_info
short_description: Validate a Heat (HOT or CFN) template offline and show its resolved stack
version_added: 0.1.0
description:
  - Loads a Heat Orchestration Template (or a CloudFormation-format template) with its
    environment files and parameters the way OpenStack Heat does, without any cloud.
  - Returns whether the template is valid and, when it is, the final parameter values (hidden
    ones masked), parameter groups, conditions, every enabled resource with its type, its
    dependencies and its properties (values that need a created resource stay in template
    form, for example a C(get_attr) of a server's C(first_address)), the creation waves and
    the outputs resolved as far as possible.
  - Files referenced with C(get_file) and provider templates are read only below the allowed
    directories (the template's directory by default).
  - Needs no cloud. The connection options are accepted (so one C(module_defaults) block
    for C(group/heatlike.cloud.openstack) serves this module too) but not used.
extends_documentation_fragment:
  - heatlike.cloud.openstack
  - heatlike.cloud.module.info
options:
  template:
    description: Path of the template file.
    type: path
    required: true
  environment:
    description:
      - Environment files, merged in order (later files win, subject to
        C(parameter_merge_strategies)).
    type: list
    elements: path
    default: []
  parameters:
    description:
      - Parameter values; they override the environments' C(parameters).
      - May carry secrets, so the option is never logged. Values of parameters the template
        declares C(hidden) (C(NoEcho) in CFN) stay masked in every result; the values of the
        other parameters are shown.
    type: dict
    default: {}
  allowed_roots:
    description:
      - Directories that C(get_file) and provider templates may read from.
      - Defaults to the template's directory (plus the directories of the environment files).
    type: list
    elements: path
  stack_name:
    description: Stack name used for C(OS::stack_name) / C(AWS::StackName).
    type: str
    default: stack
  fail_on_invalid:
    description:
      - When V(false) (the default) an invalid template is a normal result with RV(valid)
        V(false) and the reason in RV(error), so a playbook can inspect it.
      - When V(true) an invalid template fails the task with that one-line error.
    type: bool
    default: false
  limits:
    description: Engine limits.
    type: dict
    suboptions:
      template_max_bytes:
        description: Largest template or environment file accepted, in bytes.
        type: int
        default: 524288
      files_max_bytes:
        description: Total bytes of all files read (get_file, nested templates).
        type: int
        default: 5242880
      max_yaml_depth:
        description: Deepest YAML/JSON nesting accepted.
        type: int
        default: 1000
      max_yaml_aliases:
        description: Most YAML aliases accepted in one document.
        type: int
        default: 1000
      max_nested_depth:
        description: Deepest nesting of provider templates / nested stacks.
        type: int
        default: 5
      max_resources:
        description: Most resources in the stack, nested stacks included.
        type: int
        default: 1000
      allow_http:
        description: Allow C(get_file) and provider templates from http(s) URLs.
        type: bool
        default: false
      http_timeout:
        description: Timeout in seconds of one http(s) fetch.
        type: float
        default: 10.0
notes:
  - Constraints that need a cloud (C(custom_constraint) such as C(nova.flavor), on parameters
    or resource properties) are not checked; they are listed in RV(skipped_constraints).
seealso:
  - module: heatlike.cloud.os_heatlike_stack
"""

EXAMPLES = r"""
- name: Validate a template with an environment and parameters
  heatlike.cloud.os_heatlike_template_info:
    template: templates/app.yaml
    environment:
      - templates/env/prod.yaml
    parameters:
      key_name: ops
      db_password: "{{ vault_db_password }}"
  register: tmpl

- name: Stop when the template is invalid
  ansible.builtin.assert:
    that: tmpl.valid
    fail_msg: "{{ tmpl.error }}"

- name: Or let the module fail by itself
  heatlike.cloud.os_heatlike_template_info:
    template: templates/app.yaml
    fail_on_invalid: true

- name: Show the creation waves
  ansible.builtin.debug:
    var: tmpl.creation_order
"""

RETURN = r"""
valid:
  description: Whether the template, environments and parameters are valid.
  returned: always
  type: bool
  sample: true
error:
  description: One-line reason why the template is invalid (file, location, message).
  returned: when not valid
  type: str
  sample: "app.yaml: resources.port.properties.network: get_resource 'nett' names no resource"
error_type:
  description: Kind of error (TemplateError, ParameterError, PropertyError, FileAccessError, LimitError, CycleError).
  returned: when not valid
  type: str
  sample: ParameterError
template_version:
  description: The template's version line.
  returned: when valid
  type: str
  sample: "heat_template_version: 2018-08-31"
description:
  description: The template's description.
  returned: when valid
  type: str
parameters:
  description: Final parameter values by name, with type, description and label; hidden values are C(******).
  returned: when valid
  type: dict
  sample: {"key_name": {"type": "string", "value": "ops", "hidden": false}}
parameter_groups:
  description: The template's parameter_groups.
  returned: when valid
  type: list
  elements: dict
conditions:
  description: Value of every condition.
  returned: when valid
  type: dict
  sample: {"is_prod": true}
resources:
  description:
    - Enabled resources by name with C(type), sorted C(depends_on), C(implicit_depends_on),
      C(explicit_depends_on) and C(properties) in template form; provider templates add
      C(nested) with the same structure.
  returned: when valid
  type: dict
disabled_resources:
  description: Resources switched off by a false condition.
  returned: when valid
  type: list
  elements: str
creation_order:
  description: Creation waves; the resources of one wave can be created in parallel.
  returned: when valid
  type: list
  elements: list
deletion_order:
  description: Deletion waves (the creation waves reversed).
  returned: when valid
  type: list
  elements: list
outputs:
  description: Outputs resolved as far as possible offline (template form where a resource is needed).
  returned: when valid
  type: dict
outputs_unresolved:
  description: Names of the outputs that still need created resources.
  returned: when valid
  type: list
  elements: str
skipped_constraints:
  description:
    - Constraints that need a cloud and were not checked, for parameters (C(parameter),
      C(constraint), C(value)) and resource properties (C(resource), C(path), C(constraint),
      C(value)).
  returned: when valid
  type: list
  elements: dict
warnings_engine:
  description: Engine notes such as ignored environment sections (event_sinks).
  returned: when valid
  type: list
  elements: str
"""

from ansible_collections.heatlike.cloud.plugins.module_utils.ansible_adapter import HeatlikeModule
from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.model import Limits
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.stack import load_stack

LIMIT_OPTIONS = dict(
    template_max_bytes=dict(type="int", default=524288),
    files_max_bytes=dict(type="int", default=5242880),
    max_yaml_depth=dict(type="int", default=1000),
    max_yaml_aliases=dict(type="int", default=1000),
    max_nested_depth=dict(type="int", default=5),
    max_resources=dict(type="int", default=1000),
    allow_http=dict(type="bool", default=False),
    http_timeout=dict(type="float", default=10.0),
)


class TemplateInfo(HeatlikeModule):
    """Offline validation; no cloud connection."""

    needs_cloud = False

    def execute(self) -> dict:
        p = self.params
        limits = Limits(**(p["limits"] or {}))
        try:
            stack = load_stack(p["template"], environment_files=p["environment"] or [],
                               parameters=p["parameters"] or {},
                               allowed_roots=p["allowed_roots"] or None,
                               stack_name=p["stack_name"], limits=limits)
        except HeatlikeError as err:
            if p["fail_on_invalid"]:
                raise
            return {"changed": False, "valid": False, "error": str(err),
                    "error_type": type(err).__name__}
        # values of parameters the template does not declare hidden are shown; hidden ones
        # (and anything equal to them) stay masked everywhere
        shown = {str(v) for k, v in stack.parameters.items()
                 if k not in stack.hidden and isinstance(v, (str, int, float))}
        self.module.no_log_values.difference_update(shown - stack.hidden_values)
        self.add_secret(sorted(stack.hidden_values))
        info = stack.to_info()
        return {
            "changed": False,
            "valid": True,
            "template_version": stack.version,
            "description": stack.description,
            "parameters": stack.parameter_info(),
            "parameter_groups": stack.parameter_groups,
            "conditions": stack.conditions,
            "resources": info["resources"],
            "disabled_resources": info["disabled_resources"],
            "creation_order": info["creation_order"],
            "deletion_order": [list(w) for w in stack.deletion_order],
            "outputs": info["outputs"],
            "outputs_unresolved": info["outputs_unresolved"],
            "skipped_constraints": stack.skipped_constraints,
            "warnings_engine": list(stack.warnings),
        }


def main() -> None:
    """Module entry point."""
    TemplateInfo(
        argument_spec=dict(
            template=dict(type="path", required=True),
            environment=dict(type="list", elements="path", default=[]),
            parameters=dict(type="dict", default={}, no_log=True),
            allowed_roots=dict(type="list", elements="path"),
            stack_name=dict(type="str", default="stack"),
            fail_on_invalid=dict(type="bool", default=False),
            limits=dict(type="dict", options=LIMIT_OPTIONS),
        ),
    ).run()


if __name__ == "__main__":
    main()
