#!/usr/bin/env bash
# Runs the role (tasks/main.yml: the whole OS::Keystone::* lifecycle as admin, and the demo
# error) at -vvvv with --diff, then greps everything Ansible printed for the user's two
# passwords (hidden template parameter values) and for Keystone tokens.
# Needs the devcloud's clouds.yaml (OS_CLIENT_CONFIG_FILE) and heatlike.cloud on the collections path.
set -euo pipefail
cd "$(dirname "$0")"
# ansible-test strips OS_CLIENT_CONFIG_FILE: fall back to the devcloud's own clouds.yaml
export OS_CLIENT_CONFIG_FILE="${OS_CLIENT_CONFIG_FILE:-${HEATLIKE_DEVCLOUD_HOME:-/var/lib/heatlike-devcloud}/clouds.yaml}"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(dirname "$(command -v ansible-playbook)")/python}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
config=()
[ -f ../../integration_config.yml ] && config=(-e "@../../integration_config.yml")
ANSIBLE_ROLES_PATH="$(cd .. && pwd)" ansible-playbook -vvvv --diff -i localhost, -c local runme.yml \
    "${config[@]}" -e "ansible_python_interpreter=$python" >"$out" 2>&1 || {
    grep -E "^(fatal|failed)|\"msg\"|assertion" "$out" | tail -n 12; echo "FAIL: playbook failed"; exit 1; }
grep -E "^PLAY RECAP" -A1 "$out"
# the passwords, exactly as defaults/main.yml derives them
read -r canary canary2 < <("$python" - <<'PY'
import hashlib
print("KsCanary-" + hashlib.sha1(b"hlks").hexdigest()[:10] + "-x",
      "KsCanary2-" + hashlib.sha1(b"hlks2").hexdigest()[:10] + "-y")
PY
)
fail=0
for secret in "$canary" "$canary2"; do
    if grep -qF -- "$secret" "$out"; then echo "FAIL: a user password appears in the -vvvv output"; fail=1; fi
done
if grep -qE 'gAAAAA[A-Za-z0-9_-]{20,}|X-Auth-Token: [^*]' "$out"; then echo "FAIL: a token appears in the -vvvv output"; fail=1; fi
grep -q '"password": "\*\*\*\*\*\*"' "$out" || { echo "FAIL: the masked password is not in the diff"; fail=1; }
grep -q 'ok=.*failed=0' "$out" || { echo "FAIL: the play did not finish cleanly"; fail=1; }
[ "$fail" = 0 ] && echo "OK: no password or token in $(wc -l <"$out") lines of -vvvv output"
exit "$fail"
