"""A throw-away trustee user for the trust_for_scaling example (created and deleted as admin).

Usage: scaler_user.py ADMIN_CLOUD create VARS_FILE  -> writes scaler_user_id and scaler_auth
       (the user's own credentials, no project) to VARS_FILE (mode 0600); prints the user id.
       scaler_user.py ADMIN_CLOUD delete USER_ID     -> deletes the user (gone already is fine).
"""

import json
import os
import secrets
import sys

import openstack


def main() -> int:
    cloud, action, arg = sys.argv[1:4]
    conn = openstack.connect(cloud=cloud)
    if action == "create":
        password = secrets.token_urlsafe(18)
        user = conn.identity.create_user(name=f"hlit-scaler-{secrets.token_hex(4)}", password=password,
                                         domain_id="default", enabled=True)
        auth = {"auth_url": conn.config.config["auth"]["auth_url"], "username": user.name,
                "password": password, "user_domain_id": "default"}
        fd = os.open(arg, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"scaler_user_id": user.id, "scaler_auth": auth}, fh)
        print(user.id)
    elif action == "delete":
        conn.identity.delete_user(arg, ignore_missing=True)
    else:
        raise SystemExit(f"unknown action {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
