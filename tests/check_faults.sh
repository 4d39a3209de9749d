#!/usr/bin/env bash
# Failures of the environment (PRODUCT.md): a failed write, fsync, close or
# rename, a file size limit or a signal never leaves a partial output or a
# temporary file behind and never ends in exit 0; the previous output stays
# byte for byte as it was, and one message says what happened. Faults come
# from tests/fault.c, preloaded; each sweep fails the 1st, 2nd, ... call until
# a run gets through, which must then give the whole output. stdio's own
# writes and closes do not go through the symbols a preload replaces: the
# output's streams must (output.c writes through write(2) itself).
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
root=${DOSSIER_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$tmp" || exit 1
article=$root/fixtures/article/article.jsonl
check() {
    if [ "$2" = 0 ]; then echo "ok faults/$1"; else
        echo "FAIL faults/$1"
        [ -n "${3:-}" ] && printf '%s\n' "$3" | head -20
    fi
}

if ! cc -shared -fPIC -o fault.so "$root/tests/fault.c" -ldl 2> build.err; then
    check build-fault-shim 1 "$(cat build.err)"
    exit 0
fi
shim=$tmp/fault.so
# A sanitizer runtime wants to be first among the libraries; the shim goes before it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mkdir sorttmp && export TMPDIR=$tmp/sorttmp

# o/ holds the previous output of each format: a file, or a folder of tables
# with a file of the user's own that replacing the folder must keep.
out_of() { if [ "$1" = csv ]; then echo o/out; else echo "o/out.$1"; fi; }
mkdir prev-csv
for t in designations entities events sources; do printf 'previous %s\r\n' $t > prev-csv/$t.csv; done
echo "the user's own notes" > prev-csv/README
for f in json jsonl xml csv; do
    mkdir -p "want-$f"
    "$DOSSIER" convert --to $f -o "want-$f/out" "$article" 2> /dev/null
done
cp prev-csv/README want-csv/out/
prepare() {
    rm -rf o && mkdir o
    if [ "$1" = csv ]; then cp -rp prev-csv o/out; else
        printf 'previous output\n' > "o/out.$1"
        chmod 644 "o/out.$1"
    fi
}
unchanged() {
    if [ "$1" = csv ]; then diff -r prev-csv o/out > /dev/null && [ "$(ls -A o)" = out ]
    else [ "$(cat "o/out.$1")" = 'previous output' ] && [ "$(ls -A o)" = "out.$1" ]; fi
}
converted() {
    if [ "$1" = csv ]; then diff -r want-csv/out o/out > /dev/null && [ "$(ls -A o)" = out ]
    else cmp -s want-$1/out "o/out.$1" && [ "$(ls -A o)" = "out.$1" ]; fi
}
strerror() {
    case $1 in
        ENOSPC) echo "No space left on device" ;; EIO) echo "Input/output error" ;;
        EDQUOT) echo "Disk quota exceeded" ;; EACCES) echo "Permission denied" ;;
        *) echo "$1" ;;
    esac
}

# sweep FORMAT CALL ERRNO [VAR=VALUE ...]: fails the Nth CALL for N = 1, 2, ...
sweep() {
    local fmt=$1 call=$2 err=$3 n=1 rc bad="" name="$1-$2-$3"
    shift 3
    [ $# -gt 0 ] && name="$name-${1%%=*}"
    while :; do
        prepare "$fmt"
        rm -f fired
        env "$@" FAULT_FIRED=fired FAULT_CALL="$call" FAULT_AT=$n FAULT_ERRNO="$err" \
            LD_PRELOAD="$shim" "$DOSSIER" convert --to "$fmt" -o "$(out_of "$fmt")" \
            "$article" > /dev/null 2> err
        rc=$?
        if [ ! -e fired ] || [ "$err" = short ]; then
            # No failure (or only a short write): the whole output, in place.
            if [ $rc != 0 ] || [ -s err ] || ! converted "$fmt"; then
                bad="$bad"$'\n'"call $n: exit $rc, no fault: $(head -c 300 err) [$(ls -A o | tr '\n' ' ')]"
            fi
            [ -e fired ] || break
        elif [ $rc != 2 ] || [ "$(wc -l < err)" != 1 ] || ! grep -q "$(strerror "$err")" err ||
            ! unchanged "$fmt"; then
            bad="$bad"$'\n'"call $n: exit $rc: $(head -c 300 err) [$(ls -A o | tr '\n' ' ')]"
        fi
        n=$((n + 1))
        if [ $n -gt 100 ]; then bad="$bad"$'\n'"the fault never stopped firing"; break; fi
    done
    [ $n = 1 ] && bad="$bad"$'\n'"no call of $call was seen"
    [ -z "$bad" ]
    check "$name" $? "$bad"
}

for f in json jsonl xml csv; do
    sweep $f write ENOSPC
    sweep $f fsync EIO
    sweep $f close EDQUOT
done
for f in json jsonl xml; do sweep $f rename EACCES; done
sweep csv renameat2 EACCES
# A file system without RENAME_EXCHANGE: the folders change places in two renames.
sweep csv rename EIO FAULT_ALWAYS=renameat2:EINVAL
# Short writes are not errors: the rest is written after them.
sweep csv write short

# A file size limit: EFBIG reported (SIGXFSZ ignored), nothing left behind.
for f in json csv; do
    prepare $f
    (ulimit -f 30 && "$DOSSIER" convert --to $f -o "$(out_of $f)" "$article" > /dev/null 2> err)
    rc=$?
    [ $rc = 2 ] && [ "$(wc -l < err)" = 1 ] && grep -q "File too large" err && unchanged $f
    check "$f-file-size-limit" $? "exit $rc: $(cat err) [$(ls -A o | tr '\n' ' ')]"
done

# The sort's temporary files (in TMPDIR): a limit below a run's size strikes
# them first, and is said as it is, not as memory running out.
prepare json
(ulimit -f 4 && DOSSIER_SORT_MEMORY=4096 "$DOSSIER" convert --to json -o o/out.json \
    "$article" > /dev/null 2> err)
rc=$?
[ $rc = 2 ] && [ "$(wc -l < err)" = 1 ] &&
    grep -q "^$TMPDIR: error: .*temporary file.*: File too large\$" err && unchanged json
check sort-file-size-limit $? "exit $rc: $(cat err)"
[ -z "$(ls -A sorttmp)" ]
check sort-leaves-nothing $? "$(ls -A sorttmp)"

# Modes: an existing output keeps its own, a new one gets the umask's.
prepare json
chmod 640 o/out.json
(umask 077 && "$DOSSIER" convert --to json -o o/out.json "$article" 2> /dev/null)
[ "$(stat -c %a o/out.json)" = 640 ]
check existing-mode-kept $? "$(stat -c %a o/out.json)"
for mask in 022 027; do
    rm -f o/new.json
    (umask $mask && "$DOSSIER" convert --to json -o o/new.json "$article" 2> /dev/null)
    want=$(printf '%o' $((0666 & ~0$mask)))
    [ "$(stat -c %a o/new.json 2> /dev/null)" = "$want" ]
    check "new-file-mode-umask-$mask" $? "$(stat -c %a o/new.json 2>&1), expected $want"
done

# An output that names an input is refused before anything is read or written.
cp "$article" in.jsonl
"$DOSSIER" convert --to jsonl -o in.jsonl in.jsonl > /dev/null 2> err
rc=$?
[ $rc = 2 ] && cmp -s "$article" in.jsonl && [ "$(wc -l < err)" = 1 ]
check output-names-input $? "exit $rc: $(cat err)"
rm -rf o && mkdir o && cp -r want-csv/out o/out
"$DOSSIER" convert --to csv -o o/out o/out/entities.csv > /dev/null 2> err
rc=$?
[ $rc = 2 ] && diff -r want-csv/out o/out > /dev/null && [ "$(ls -A o)" = out ]
check output-folder-holds-input $? "exit $rc: $(cat err)"

# Signals, at several points of a large convert: while reading, and while
# writing (once a temporary holds data, or much of it; writes are slowed by
# the shim so that the write phase lasts). A killed run exits 128+signal and
# leaves the old output as it was and no temporary. Background jobs of a
# script start with SIGINT ignored: a launcher gives the run its default back,
# as a terminal's Ctrl-C would find it.
python3 "$root/bench/gen.py" 10000 > big.jsonl
# strike FORMAT SIGNAL WHEN: WHEN is "read", "write" or "write-64k".
strike() {
    local fmt=$1 sig=$2 when=$3 pid rc i=0 found="" size=+0
    [ "$when" = write-64k ] && size=+64k
    prepare "$fmt"
    DOSSIER_SORT_MEMORY=100000 FAULT_DELAY_US=3000 LD_PRELOAD="$shim" python3 -c \
        'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
        "$DOSSIER" convert --to "$fmt" -o "$(out_of "$fmt")" big.jsonl > /dev/null 2> err &
    pid=$!
    if [ "$when" = read ]; then sleep 0.05; found=1; else
        while [ $i -lt 2000 ] && kill -0 $pid 2> /dev/null; do
            if [ -n "$(find o -path '*tmp*' -type f -size $size 2> /dev/null)" ]; then
                found=1
                break
            fi
            sleep 0.005
            i=$((i + 1))
        done
    fi
    kill -"$sig" $pid 2> /dev/null
    wait $pid 2> /dev/null
    rc=$?
    local want=$((128 + $(kill -l "$sig")))
    [ -n "$found" ] && [ $rc = $want ] && unchanged "$fmt" && [ -z "$(ls -A sorttmp)" ]
    check "$fmt-$sig-while-$when" $? "exit $rc, expected $want$([ -z "$found" ] &&
        echo ', no temporary seen') [$(ls -A o | tr '\n' ' ')] $(cat err)"
}
strike jsonl TERM read
strike jsonl TERM write
strike jsonl TERM write-64k
strike json HUP write
strike jsonl INT write-64k
strike csv TERM write-64k

# A closed pipe: SIGPIPE ends the run (141), with nothing to leave behind.
python3 "$root/bench/gen.py" 2000 > some.jsonl
"$DOSSIER" convert --to jsonl some.jsonl 2> err | head -c 100 > /dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 141 ] && [ ! -s err ]
check closed-pipe $? "exit $rc: $(cat err)"

# A closed stdout that nothing is meant for is no error (`>&-` in a CI step).
"$DOSSIER" validate -q "$article" >&- 2> err
rc=$?
"$DOSSIER" convert --to json -o o/closed.json "$article" >&- 2>> err
rc=$rc$?
[ "$rc" = 00 ] && [ ! -s err ]
check closed-stdout-unused $? "exit $rc: $(cat err)"
