#!/usr/bin/env bash
# os_heatlike_stack (and os_heatlike_alarm) authenticated as the trustee with auth.trust_id:
#  1. trustee.yml at -vvvv --diff: the stack lands in the trustor's project, reruns change
#     nothing, absent deletes it, and after the trust is deleted every run fails with one clear
#     line; then the whole -vvvv output is searched for the trustee's password and tokens.
#  2. playbooks/trust_for_scaling.yml (run by its FQCN, twice) for a throw-away trustee user:
#     the rerun changes nothing and keeps the trust id; scaling_check.yml acts as that user with
#     the trust id and cleans up.
# Needs OS_CLIENT_CONFIG_FILE with devcloud-admin / devcloud / devcloud-alt, and heatlike.cloud
# on the collections path (ansible-test provides both; see scripts/integration).
set -euo pipefail
cd "$(dirname "$0")"
# ansible-test strips OS_CLIENT_CONFIG_FILE: fall back to the devcloud's own clouds.yaml
export OS_CLIENT_CONFIG_FILE="${OS_CLIENT_CONFIG_FILE:-${HEATLIKE_DEVCLOUD_HOME:-/var/lib/heatlike-devcloud}/clouds.yaml}"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(dirname "$(command -v ansible-playbook)")/python}"
work="$(mktemp -d)"
scaler_id=""
cleanup() {
    if [ -n "$scaler_id" ]; then "$python" files/scaler_user.py devcloud-admin delete "$scaler_id" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
play() { ansible-playbook -i localhost, -c local -e "ansible_python_interpreter=$python" "$@"; }
recap() { grep -E '^localhost +:' "$1" | tail -n 1; }

# ---- 1. the stack as the trustee, at -vvvv
out="$work/trustee.log"
play -vvvv --diff trustee.yml >"$out" 2>&1 || {
    grep -E '^(fatal|failed)|"msg"|assertion' "$out" | tail -n 8; recap "$out"; echo "FAIL: trustee.yml failed"; exit 1; }
echo "trustee.yml: $(recap "$out")"
trustee_password="$("$python" - <<'PY'
import os, yaml
with open(os.environ["OS_CLIENT_CONFIG_FILE"]) as fh:
    print(yaml.safe_load(fh)["clouds"]["devcloud-alt"]["auth"]["password"])
PY
)"
fail=0
if grep -qF -- "$trustee_password" "$out"; then echo "FAIL: the trustee's password appears in the -vvvv output"; fail=1; fi
# Keystone Fernet tokens start with gAAAAA; any X-Auth-Token header would be a leak too
if grep -qE 'gAAAAA[A-Za-z0-9_-]{20,}|X-Auth-Token: [^*]' "$out"; then echo "FAIL: a token appears in the -vvvv output"; fail=1; fi
grep -q 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' "$out" || { echo "FAIL: auth was not shown as no_log"; fail=1; }
grep -q 'authentication with trust [0-9a-f]\{32\} failed' "$out" || { echo "FAIL: no clear trust failure line"; fail=1; }
[ "$fail" = 0 ] || exit 1
echo "OK: no password or token in $(wc -l <"$out") lines of -vvvv output"

# ---- 2. the trust_for_scaling example playbook, twice, for a throw-away trustee
scaler_vars="$work/scaler.json"
scaler_id="$("$python" files/scaler_user.py devcloud-admin create "$scaler_vars")"
hook="http://127.0.0.1:9/hlit-trustee-scale-up"
trust_ids=()
for run in first second; do
    log="$work/scaling-$run.log"
    play heatlike.cloud.trust_for_scaling -e "scaler_user_id=$scaler_id" -e "webhook_url=$hook" >"$log" 2>&1 || {
        grep -E '^(fatal|failed)|"msg"' "$log" | tail -n 5; echo "FAIL: trust_for_scaling ($run run) failed"; exit 1; }
    echo "trust_for_scaling ($run run): $(recap "$log")"
    trust_ids+=("$(grep -o "trust_id for the scaling job's auth: [0-9a-f]*" "$log" | awk '{print $NF}')")
done
recap "$work/scaling-second.log" | grep -q 'changed=0 ' || { echo "FAIL: the example's rerun changed something"; exit 1; }
check="$work/check.log"
play scaling_check.yml -e "@$scaler_vars" -e "first_trust_id=${trust_ids[0]}" -e "second_trust_id=${trust_ids[1]}" \
    -e "webhook_url=$hook" >"$check" 2>&1 || {
    grep -E '^(fatal|failed)|"msg"|assertion' "$check" | tail -n 8; echo "FAIL: scaling_check.yml failed"; exit 1; }
echo "scaling_check.yml: $(recap "$check")"
echo "OK: os_heatlike_stack_trustee"
