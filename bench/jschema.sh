#!/usr/bin/env bash
# JSON Schema validation throughput: the dataset schema (schemas/dossier.
# schema.json, draft 2020-12) on the article fixture replicated into one
# document of about BENCH_MB megabytes (default 100), validated by
#   dossier validate --schema   (this project, jansson + PCRE2)
#   ajv-cli                     (npm ajv-cli + ajv-formats, installed into build/bench-node)
#   python3-jsonschema          (Debian's, run by /usr/bin/python3)
# Figures, not a test: records per second and the ratio of each tool's time
# to dossier's. Tools that are missing are reported and skipped.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
dossier=$root/build/dossier
schema=$root/schemas/dossier.schema.json
article=$root/fixtures/article/article.json
mb=${BENCH_MB:-100}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -f "$article" ] || { echo "jschema bench: $article not found"; exit 0; }

# One document: each of the four arrays repeated until the file reaches the size.
copies=$(( mb * 1000000 / $(wc -c < "$article") + 1 ))
jq -c --argjson n "$copies" \
    'with_entries(.value as $v | .value = [range($n) as $i | $v[]])' \
    "$article" > "$tmp/data.json" || exit 1
records=$(jq '[.[] | length] | add' "$tmp/data.json")
printf 'jschema bench: %d records, %d MB, schema %s\n\n' "$records" \
    $(( $(wc -c < "$tmp/data.json") / 1000000 )) "$(basename "$schema")"
printf '%-36s %9s %12s %8s\n' "validator" "seconds" "records/s" "ratio"

measure() { # NAME CMD...: prints seconds, records per second, ratio to dossier
    local name=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    if ! "$@" > "$tmp/out" 2>&1; then
        printf '%-36s failed: %s\n' "$name" "$(head -c 200 "$tmp/out")"; last=; return
    fi
    t1=$(date +%s.%N)
    last=$(echo "$t1 - $t0" | bc)
    printf '%-36s %9.2f %12.0f %8s\n' "$name" "$last" "$(echo "$records / $last" | bc -l)" \
        "$(if [ -n "${base:-}" ]; then printf '%.2f' "$(echo "$last / $base" | bc -l)"; else echo 1.00; fi)"
}

base=
measure "dossier validate --schema" "$dossier" validate --schema "$schema" "$tmp/data.json"
base=$last

node_dir=$root/build/bench-node
if [ ! -x "$node_dir/node_modules/.bin/ajv" ] && command -v npm > /dev/null; then
    npm install --silent --prefix "$node_dir" ajv-cli ajv-formats > /dev/null 2>&1
fi
if [ -x "$node_dir/node_modules/.bin/ajv" ]; then
    measure "ajv-cli (ajv validate --spec=draft2020)" "$node_dir/node_modules/.bin/ajv" validate \
        --spec=draft2020 --strict=false -c ajv-formats -s "$schema" -d "$tmp/data.json"
else
    echo "ajv-cli: not available (npm install ajv-cli ajv-formats failed)"
fi

if /usr/bin/python3 -c 'import jsonschema' 2> /dev/null; then
    cat > "$tmp/py.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
data = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
errors = list(cls(schema).iter_errors(data))
sys.exit(1 if errors else 0)
PY
    measure "python3-jsonschema ($(/usr/bin/python3 -c 'import importlib.metadata as m; print(m.version("jsonschema"))'))" \
        /usr/bin/python3 "$tmp/py.py" "$schema" "$tmp/data.json"
else
    echo "python3-jsonschema: not installed (Debian package python3-jsonschema)"
fi
