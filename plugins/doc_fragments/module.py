# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared documentation of every heatlike.cloud module: author and check/diff support.

``heatlike.cloud.module`` is for modules that change something: both modes are fully
supported, and each module adds its own ``description`` of the two attributes (Ansible merges
a module's attribute keys over the fragment's). ``heatlike.cloud.module.info`` is for the
read-only ``*_info`` modules.
"""

from __future__ import annotations


class ModuleDocFragment:
    """Author and check/diff attributes, documented once."""

    DOCUMENTATION = r"""
author:
  - heatlike.cloud contributors (@heatlike)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

    INFO = r"""
author:
  - heatlike.cloud contributors (@heatlike)
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Read-only module.
"""

    ALARM_TYPE = r"""
options:
  type:
    type: str
    choices:
      - gnocchi_resources_threshold
      - gnocchi_aggregation_by_metrics_threshold
      - gnocchi_aggregation_by_resources_threshold
      - event
      - composite
      - loadbalancer_member_health
      - prometheus
"""
