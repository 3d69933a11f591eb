#!/usr/bin/env python
"""Create or delete the application credential the cfn-push-stats shim authenticates with.

Usage:
  push_credential.py create CLOUD NAME CONFIG_FILE INSTANCE_ID ARCHIVE_POLICY
      creates an application credential for the cloud's user and writes the shim's
      configuration (mode 0600) with it; prints {"id": ...}.
  push_credential.py delete CLOUD NAME
      deletes the application credentials of that name (prints {"deleted": n}).
"""

from __future__ import annotations

import json
import os
import secrets
import sys

import openstack


def main() -> None:
    """Entry point."""
    action, cloud, name = sys.argv[1:4]
    conn = openstack.connect(cloud=cloud)
    user_id = conn.current_user_id
    if action == "delete":
        count = 0
        for cred in conn.identity.application_credentials(user_id):
            if cred.name == name:
                conn.identity.delete_application_credential(user_id, cred.id)
                count += 1
        print(json.dumps({"deleted": count}))
        return
    config_file, instance_id, policy = sys.argv[4:7]
    secret = secrets.token_urlsafe(24)
    cred = conn.identity.create_application_credential(user_id, name=name, secret=secret,
                                                       description="heatlike cfn-push-stats integration test")
    auth_url = conn.config.get_auth_args()["auth_url"]
    fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("[heatlike]\n")
        fh.write(f"auth_url = {auth_url}\n")
        fh.write(f"application_credential_id = {cred.id}\n")
        fh.write(f"application_credential_secret = {secret}\n")
        fh.write(f"instance_id = {instance_id}\n")
        fh.write("display_name = heatlike-it-instance\n")
        fh.write(f"archive_policy_name = {policy}\n")
        fh.write(f"region_name = {conn.config.get_region_name() or ''}\n")
    print(json.dumps({"id": cred.id}))


if __name__ == "__main__":
    main()
