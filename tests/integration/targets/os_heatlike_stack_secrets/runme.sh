#!/usr/bin/env bash
# A hidden-parameter canary (>= 7 characters) appears nowhere: not in the results, the plan,
# the diff, the events, stack info, a cloud error message that echoes it, the -vvvv output
# or the state record. Runs secrets.yml at -vvvv --diff and greps everything.
# Needs OS_CLIENT_CONFIG_FILE with the devcloud's clouds, and heatlike.cloud on the collections path.
set -euo pipefail
cd "$(dirname "$0")"
# ansible-test strips OS_CLIENT_CONFIG_FILE: fall back to the devcloud's own clouds.yaml
export OS_CLIENT_CONFIG_FILE="${OS_CLIENT_CONFIG_FILE:-${HEATLIKE_DEVCLOUD_HOME:-/var/lib/heatlike-devcloud}/clouds.yaml}"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(dirname "$(command -v ansible-playbook)")/python}"
out="$(mktemp)"
vars_file="$(mktemp)"
record="$(mktemp -d)"
trap 'rm -rf "$out" "$vars_file" "$record"' EXIT
canary="Canary$RANDOM$RANDOM"
# in a file: -vvvv echoes command-line extra vars
printf 'canary: "%s"\nrecord_copy: "%s"\n' "$canary" "$record" >"$vars_file"
ansible-playbook -vvvv --diff -i localhost, -c local secrets.yml -e "@$vars_file" \
    -e "ansible_python_interpreter=$python" >"$out" 2>&1 || {
    grep -E "^(fatal|failed)|\"msg\"" "$out" | tail -n 5; echo "FAIL: playbook failed"; exit 1; }
fail=0
grep -qF -- "$canary" "$out" && { echo "FAIL: the canary appears in the -vvvv output"; fail=1; }
grep -rqF -- "$canary" "$record" && { echo "FAIL: the canary appears in the state record"; fail=1; }
[ -n "$(ls -A "$record")" ] || { echo "FAIL: no state record was copied"; fail=1; }
grep -q "is not a valid IP" "$out" || { echo "FAIL: the cloud error was not returned"; fail=1; }
grep -q 'hlit-secrets-port-\*\*\*\*\*\*' "$out" || { echo "FAIL: the masked port name is not in the output"; fail=1; }
[ "$fail" = 0 ] && echo "OK: the canary is in none of $(wc -l <"$out") lines of -vvvv output nor in the record"
exit "$fail"
