#!/usr/bin/env bash
# Stack resource types on the devcloud (types.yml), at -vvvv: afterwards neither the generated
# key pair's private key nor the RandomString value may appear anywhere in what Ansible
# printed, nor in the state record (types.yml copies the record and the secret store here).
# Needs OS_CLIENT_CONFIG_FILE with devcloud / devcloud-admin, and heatlike.cloud on the collections path.
set -euo pipefail
cd "$(dirname "$0")"
# ansible-test strips OS_CLIENT_CONFIG_FILE: fall back to the devcloud's own clouds.yaml
export OS_CLIENT_CONFIG_FILE="${OS_CLIENT_CONFIG_FILE:-${HEATLIKE_DEVCLOUD_HOME:-/var/lib/heatlike-devcloud}/clouds.yaml}"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(dirname "$(command -v ansible-playbook)")/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# a lasting state directory: a run killed half-way is cleaned up by the next one's "Start clean"
state_dir="${HOME}/.heatlike/it-types"
mkdir -p "$state_dir" "$work/leak"
out="$work/out"
printf 'state_dir: "%s"\nleak_dir: "%s"\nsdk_python: "%s"\n' "$state_dir" "$work/leak" "$python" >"$work/vars.yml"
if ! ansible-playbook -vvvv -i localhost, -c local types.yml -e "@$work/vars.yml" \
        -e "ansible_python_interpreter=$python" >"$out" 2>&1; then
    # the failing task, its message or assertion, and the recap (secrets in there are masked)
    grep -nE '^(fatal|failed|\[ERROR\])|^TASK \[|"(msg|assertion)": ' "$out" | grep -B2 -A2 -E 'fatal|failed|ERROR' \
        | tail -n 30 || tail -n 30 "$out"
    grep -A2 '^PLAY RECAP' "$out" || true
    echo "FAIL: playbook failed"
    exit 1
fi
grep -A1 '^PLAY RECAP' "$out"
fail=0
"$python" - "$work/leak" >"$work/secrets" <<'PY'
import json, sys
store = json.load(open(f"{sys.argv[1]}/hlty-types.secrets.json"))
key = store["OS::Nova::KeyPair"]["hlty-types-gen"]
assert key.startswith("-----BEGIN") and "PRIVATE KEY" in key, "no generated private key saved"
# every base64 line of the key body, and the RandomString value
for line in key.splitlines():
    if len(line) >= 20 and not line.startswith("-----"):
        print(line)
print(store["OS::Heat::RandomString"]["secret"])
PY
[ "$(wc -l <"$work/secrets")" -ge 3 ] || { echo "FAIL: secrets not found in the secret store"; exit 1; }
if grep -qF -f "$work/secrets" "$out"; then echo "FAIL: a generated secret appears in the -vvvv output"; fail=1; fi
if grep -qF -f "$work/secrets" "$work/leak/hlty-types.json"; then echo "FAIL: a generated secret is in the state record"; fail=1; fi
if grep -q 'PRIVATE KEY' "$out"; then echo "FAIL: a private key appears in the -vvvv output"; fail=1; fi
grep -q '"private_key": "\*\*\*\*\*\*"' "$out" || { echo "FAIL: the masked private_key output is not in the output"; fail=1; }
[ "$fail" = 0 ] && echo "OK: no generated secret in $(wc -l <"$out") lines of -vvvv output nor in the record"
exit "$fail"
