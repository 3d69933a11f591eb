# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared documentation of the OpenStack connection options of every heatlike.cloud module.

Option names, types, aliases and defaults are the same as openstack.cloud's, so one
``module_defaults`` block (``group/heatlike.cloud.openstack``) serves both collections.
openstack.cloud's ``wait`` and ``timeout`` are not here: only ``os_heatlike_stack`` waits for
anything, and it documents both itself.
"""

from __future__ import annotations


class ModuleDocFragment:
    """Auth and connection options, documented once."""

    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Which cloud to talk to.
      - A string names an entry of C(clouds.yaml) (searched in the current directory,
        C(~/.config/openstack/), C(/etc/openstack/), and the file named by the
        E(OS_CLIENT_CONFIG_FILE) environment variable, which is what AWX/AAP OpenStack
        credentials provide).
      - A dictionary is a complete cloud entry, shaped like one entry of C(clouds.yaml).
      - When neither O(cloud) nor O(auth) is given, E(OS_CLOUD) or the C(OS_*) environment
        variables are used.
      - Treated as sensitive, so never logged nor returned.
    type: raw
  auth:
    description:
      - Authentication data for the auth plugin, for example C(auth_url), C(username),
        C(password), C(project_name), C(user_domain_name) and C(project_domain_name) for
        the default C(password) plugin.
      - Not needed when O(cloud) or C(OS_*) environment variables provide it.
      - Treated as sensitive, so never logged nor returned.
    type: dict
  auth_type:
    description:
      - Name of the keystoneauth plugin to authenticate with, for example C(password),
        C(token) or C(v3applicationcredential). O(auth) must carry what that plugin needs.
    type: str
  region_name:
    description:
      - Region of the cloud to use.
    type: str
  api_timeout:
    description:
      - Socket timeout in seconds for each API call. Unset means no timeout is passed on.
    type: int
  validate_certs:
    description:
      - Whether to verify TLS certificates of the API endpoints.
      - Unset means the cloud configuration decides.
    type: bool
    aliases: [verify]
  ca_cert:
    description:
      - Path to a CA bundle used to verify TLS certificates of the API endpoints.
    type: str
    aliases: [cacert]
  client_cert:
    description:
      - Path to a client certificate for TLS client authentication.
    type: str
    aliases: [cert]
  client_key:
    description:
      - Path to the private key of O(client_cert).
    type: str
    aliases: [key]
  interface:
    description:
      - Which endpoint of the service catalog to use.
    type: str
    choices: [admin, internal, public]
    default: public
    aliases: [endpoint_type]
  sdk_log_path:
    description:
      - Write the log of openstacksdk to this file. Unset means no log is written.
    type: str
  sdk_log_level:
    description:
      - Level of the openstacksdk log written to O(sdk_log_path).
    type: str
    default: INFO
    choices: [INFO, DEBUG]
requirements:
  - python >= 3.11
  - openstacksdk >= 1.0.0
notes:
  - Connection settings are resolved by openstacksdk. Options given to the task take
    precedence over the selected C(clouds.yaml) entry.
"""
