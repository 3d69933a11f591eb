#!/usr/bin/env bash
# No token, password or trust secret in -vvvv output: run the alarm and trust modules (as the
# trustor, and as the trustee with auth.trust_id) at -vvvv, with --diff, and grep everything
# Ansible printed for the trustee's password, the webhook password and Keystone tokens.
# Needs OS_CLIENT_CONFIG_FILE with devcloud / devcloud-alt, and heatlike.cloud on the collections path.
set -euo pipefail
cd "$(dirname "$0")"
# ansible-test strips OS_CLIENT_CONFIG_FILE: fall back to the devcloud's own clouds.yaml
export OS_CLIENT_CONFIG_FILE="${OS_CLIENT_CONFIG_FILE:-${HEATLIKE_DEVCLOUD_HOME:-/var/lib/heatlike-devcloud}/clouds.yaml}"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(dirname "$(command -v ansible-playbook)")/python}"
out="$(mktemp)"
vars_file="$(mktemp)"
trap 'rm -f "$out" "$vars_file"' EXIT
hook_password="HookPw-$RANDOM-$RANDOM"
# in a file: -vvvv echoes command-line extra vars
printf 'hook_password: "%s"\n' "$hook_password" >"$vars_file"
ansible-playbook -vvvv --diff -i localhost, -c local secrets.yml -e "@$vars_file" \
    -e "ansible_python_interpreter=$python" >"$out" 2>&1 || {
    grep -E "^(fatal|failed)|\"msg\"" "$out" | tail -n 5; echo "FAIL: playbook failed"; exit 1; }
trustee_password="$("$python" - <<'PY'
import os, yaml
with open(os.environ["OS_CLIENT_CONFIG_FILE"]) as fh:
    print(yaml.safe_load(fh)["clouds"]["devcloud-alt"]["auth"]["password"])
PY
)"
fail=0
for secret in "$hook_password" "$trustee_password"; do
    if grep -qF -- "$secret" "$out"; then echo "FAIL: a password appears in the -vvvv output"; fail=1; fi
done
# Keystone Fernet tokens start with gAAAAA; any X-Auth-Token header would be a leak too
if grep -qE 'gAAAAA[A-Za-z0-9_-]{20,}|X-Auth-Token: [^*]' "$out"; then echo "FAIL: a token appears in the -vvvv output"; fail=1; fi
grep -q 'hookuser:\*\*\*\*\*\*\*\*@' "$out" || { echo "FAIL: the masked webhook URL is not in the output"; fail=1; }
grep -q '"changed": true' "$out" || { echo "FAIL: nothing ran"; fail=1; }
[ "$fail" = 0 ] && echo "OK: no secret in $(wc -l <"$out") lines of -vvvv output"
exit "$fail"
