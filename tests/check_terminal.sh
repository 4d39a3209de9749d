#!/usr/bin/env bash
# What a person at a terminal sees, and a CI log never does: diagnostics in
# colour (not with NO_COLOR, TERM=dumb, or stderr redirected), and progress
# on long reads, cleared before the diagnostics. A pseudo-terminal comes from
# script(1).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
command -v script > /dev/null || { echo "ok terminal/skipped: no script(1)"; exit 0; }

check() { # NAME PROBLEMS
    if [ -z "$2" ]; then echo "ok terminal/$1"; else printf 'FAIL terminal/%s\n%s\n' "$1" "$2"; fi
}
# on_terminal CMD: runs CMD with a terminal for stdin, stdout and stderr; prints what it wrote.
on_terminal() { TERM=xterm script -qec "$1" /dev/null < /dev/null; }

printf '{"entities":[{"id":"Bad Id","kind":"person","name":"X"}]}\n' > bad.json
esc=$(printf '\033')

# Guards: an error on a terminal is red and its place bold, as compilers show them.
out=$(on_terminal "'$DOSSIER' validate bad.json")
problems=""
case $out in *"${esc}[1mbad.json:1:20:${esc}[0m ${esc}[1;31merror:${esc}[0m invalid id"*) ;;
    *) problems="no colour: $(printf '%s' "$out" | od -c | head -3)" ;; esac
check colour-on-a-terminal "$problems"

# Guards: NO_COLOR, TERM=dumb and a redirected stderr give plain text.
problems=""
out=$(NO_COLOR=1 on_terminal "'$DOSSIER' validate bad.json")
case $out in *"$esc"*) problems+="NO_COLOR: escapes written"$'\n' ;; esac
out=$(script -qec "TERM=dumb '$DOSSIER' validate bad.json" /dev/null < /dev/null)
case $out in *"$esc"*) problems+="TERM=dumb: escapes written"$'\n' ;; esac
on_terminal "'$DOSSIER' validate bad.json 2> err.txt" > /dev/null
grep -q "$esc" err.txt && problems+="redirected stderr: escapes written"$'\n'
check plain-elsewhere "$problems"

# Guards: a read that lasts gets a progress line on a terminal, cleared before
# the summary; redirected, nothing but the diagnostics. The input stalls a
# second and a half after 6 MB, as a slow disk or network would.
python3 "$DOSSIER_ROOT/bench/gen.py" 30000 > big.jsonl
feed="{ head -c 6000000 big.jsonl; sleep 1.5; tail -c +6000001 big.jsonl; }"
out=$(on_terminal "bash -c \"$feed | '$DOSSIER' validate --format jsonl -\"")
problems=""
case $out in *"dossier: reading standard input: "*" MB"*"${esc}[K"*"dossier: 1 file checked: 1 valid"*) ;;
    *) problems="no progress: $(printf '%s' "$out" | head -c 300 | od -c | head -5)" ;; esac
bash -c "$feed | '$DOSSIER' validate --format jsonl - 2> err.txt"
[ "$(cat err.txt)" = "dossier: 1 file checked: 1 valid" ] || problems+=$'\n'"redirected: $(head -c 200 err.txt)"
check progress-on-a-terminal "$problems"
