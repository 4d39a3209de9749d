#!/usr/bin/env bash
# The CI entry points run as CI runs them, offline, on the binary under test:
# each hook of .pre-commit-hooks.yaml as pre-commit calls it (entry, args,
# then the file names its files and exclude patterns select) over good and
# bad fixtures, and the steps of action.yml as scripts with their inputs in
# the environment (the build steps dry-run, the binary under test in place
# of the one they would build).
set -u
root=${DOSSIER_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/action/build"
ln -s "$DOSSIER" "$tmp/bin/dossier"         # language: system finds dossier on PATH
ln -s "$DOSSIER" "$tmp/action/build/dossier" # what the Action's build step makes
cd "$root" || exit 1

if ! python3 -c 'import yaml' 2> /dev/null; then
    echo "FAIL ci/python3-yaml"
    echo "python3 cannot import yaml: make deps installs python3-yaml"
    exit 0
fi

# Guards: each hook selects the dataset files, skips the rest, and fails on bad data.
PATH=$tmp/bin:$PATH python3 - << 'EOF_PY' || echo "FAIL ci/hooks: cannot read .pre-commit-hooks.yaml"
import glob, re, shlex, subprocess, yaml

hooks = {h["id"]: h for h in yaml.safe_load(open(".pre-commit-hooks.yaml"))}
good = sorted(glob.glob("fixtures/article/*") + glob.glob("fixtures/article/csv/*")) + [
    "README.md", "fixtures/README.md"]
invalid = sorted(glob.glob("fixtures/invalid/*"))  # datasets and their .err files
cases = [  # name, hook, candidate files, exit status, files the hook must skip
    ("validate-good", "dossier-validate", good, 0, ["README.md", "fixtures/article/csv"]),
    ("validate-bad", "dossier-validate", invalid, 1,
     ["fixtures/invalid/json-bad-id.json.err"]),
    ("schema-good", "dossier-validate-schema",
     ["fixtures/article/article.json", "schemas/dossier.schema.json", "README.md"], 0,
     ["schemas/dossier.schema.json", "README.md"]),
    ("schema-bad", "dossier-validate-schema",
     ["fixtures/invalid/json-bad-id.json", "fixtures/article/article.xml"], 1,
     ["fixtures/article/article.xml"]),
]
for name, hook_id, candidates, want, skipped in cases:
    hook = hooks.get(hook_id)
    problems = []
    if not hook:
        print(f"FAIL ci/hook-{name}\nno hook {hook_id}")
        continue
    if hook.get("language") != "system" or hook.get("pass_filenames", True) is not True:
        problems.append("expected language: system and pass_filenames: true")
    # pre-commit: re.search of files, and not of exclude, on each path from the repo root
    files = [f for f in candidates
             if re.search(hook.get("files", ""), f)
             and not re.search(hook.get("exclude", "^$"), f)]
    problems += [f"{f} was not skipped" for f in skipped if f in files]
    if not files:
        problems.append("no file selected")
    argv = shlex.split(hook["entry"]) + list(hook.get("args", [])) + files
    run = subprocess.run(argv, capture_output=True, text=True)
    if run.returncode != want:
        problems.append(f"exit {run.returncode}, expected {want}: {run.stderr[-600:]}")
    if problems:
        print(f"FAIL ci/hook-{name}\n" + "\n".join(problems))
    else:
        print(f"ok ci/hook-{name}")
EOF_PY

# The Action's steps, each as a script file plus its environment.
python3 - "$tmp" << 'EOF_PY' || { echo "FAIL ci/action: cannot read action.yml"; exit 0; }
import os, sys, yaml

tmp = sys.argv[1]
action = yaml.safe_load(open("action.yml"))
for step in action["runs"]["steps"]:
    with open(f"{tmp}/step-{step['id']}.sh", "w") as f:
        f.write(step["run"])
    with open(f"{tmp}/step-{step['id']}.env", "w") as f:
        for k, v in step.get("env", {}).items():
            f.write(f"{k}={v}\n")
with open(f"{tmp}/inputs", "w") as f:
    for k, v in action["inputs"].items():
        f.write(f"{k}={v.get('default', '')}\n")
EOF_PY

# run_step ID [INPUT=VALUE...]: runs a step as GitHub runs `shell: bash`,
# ${{ inputs.X }} replaced by the input's value or its default.
run_step() {
    local id=$1 line key value
    shift
    declare -A inputs=()
    while IFS='=' read -r key value; do inputs[$key]=$value; done < "$tmp/inputs"
    for line in "$@"; do inputs[${line%%=*}]=${line#*=}; done
    local env=(GITHUB_ACTION_PATH="$tmp/action" PATH="$PATH")
    while IFS='=' read -r key value; do
        if [[ $value =~ ^\$\{\{\ inputs\.([a-z]+)\ \}\}$ ]]; then value=${inputs[${BASH_REMATCH[1]}]}; fi
        env+=("$key=$value")
    done < "$tmp/step-$id.env"
    env -i "${env[@]}" bash --noprofile --norc -eo pipefail "$tmp/step-$id.sh" \
        > "$tmp/out" 2> "$tmp/err"
}
check() { if [ -z "$2" ]; then echo "ok ci/$1"; else printf 'FAIL ci/%s\n%s\n' "$1" "$2"; fi; }

# Guards: the install and build steps name make targets that exist (dry run: no network).
problems=""
for id in deps build; do
    sed 's/^make /make -n /; s/ make / make -n /' "$tmp/step-$id.sh" > "$tmp/step-$id.dry"
    mv "$tmp/step-$id.dry" "$tmp/step-$id.sh"
    GITHUB_ACTION_PATH=$root bash -eo pipefail "$tmp/step-$id.sh" > "$tmp/out" 2>&1 ||
        problems+="step $id: $(tail -3 "$tmp/out")"$'\n'
done
check action-build-steps "$problems"

# Guards: the validate step passes good data, annotates bad data and exits 1, writes SARIF.
problems=""
run_step validate paths="fixtures/article/article.json fixtures/article/csv" ||
    problems+="good data: exit $?: $(cat "$tmp/err")"$'\n'
[ -s "$tmp/out" ] && problems+="good data annotated: $(head -3 "$tmp/out")"$'\n'
run_step validate paths="fixtures/article/*.json*"
rc=$?
[ "$rc" = 0 ] || problems+="glob: exit $rc: $(cat "$tmp/err")"$'\n'
run_step validate paths="fixtures/invalid/json-bad-id.json" sarif="$tmp/out.sarif"
rc=$?
[ "$rc" = 1 ] || problems+="bad data: exit $rc, expected 1: $(cat "$tmp/err")"$'\n'
grep -q '^::error file=fixtures/invalid/json-bad-id.json,line=4,col=13,title=schema error::' "$tmp/out" ||
    problems+="no annotation: $(head -3 "$tmp/out")"$'\n'
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
assert r["version"] == "2.1.0" and r["runs"][0]["results"]' "$tmp/out.sarif" 2> /dev/null ||
    problems+="no SARIF with results in $tmp/out.sarif"$'\n'
run_step validate paths="fixtures/article/article.json" schema="schemas/dossier.schema.json" ||
    problems+="schema input: exit $?: $(cat "$tmp/err")"$'\n'
run_step validate paths="fixtures/invalid/json-bad-id.json" schema="schemas/dossier.schema.json"
rc=$?
[ "$rc" = 1 ] || problems+="schema input, bad data: exit $rc"$'\n'
check action-validate-step "$problems"
