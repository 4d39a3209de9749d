#!/usr/bin/env bash
# Alias normalisation figures, not a timed test: generates alias lists
# (deterministic: a fixed linear congruential generator, not awk's rand) of
# person and organisation names with spelling variants, short forms and
# separators, and runs `dossier aliases` (and --fuzzy) on 250k, 500k and 1M
# lines, printing lines per second and peak memory. Time should grow linearly.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DOSSIER:-$root/build/dossier}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "bench/aliases.sh: needs GNU time (Debian package 'time')" >&2; exit 1; }

gen() {
    awk -v n="$1" 'BEGIN {
        split("Sayf Saif Ayman Aiman Osama Usama Saad Khalid Yasin Mustafa Sulayman Adel Hassan Ahmad Rami Abd", given, " ")
        split("ar al ba da fa ga ha ja ka ma na qa ra sa ta wa za zi su hu mi", syl, " ")
        split(" / |; | (alias | a.k.a. | aka ", sep, "|")
        seed = 12345
        for (i = 1; i <= n; i++) {
            # Two steps, high bits only: the low bits of this generator repeat quickly.
            seed = (seed * 1103515245 + 12345) % 2147483648; a = int(seed / 65536)
            seed = (seed * 1103515245 + 12345) % 2147483648; b = int(seed / 65536)
            g = given[a % 16 + 1]
            s = syl[int(a / 16) % 22 + 1] syl[b % 22 + 1] syl[int(b / 22) % 22 + 1] "i"
            k = int(a / 352) % 8
            if (k == 0) print g " al-" s
            else if (k == 1) print toupper(g " al-" s)
            else if (k == 2) print g " bin " s sep[int(b / 484) % 5 + 1] "Abu " s (int(b / 484) % 5 == 2 ? ")" : "")
            else if (k == 3) print s
            else if (k == 4) print g " el " s
            else if (k == 5) print "Islamic " s " Front (" toupper(substr(s, 1, 3)) "F)"
            else if (k == 6) print g " ibn " s
            else print g " al-" s " / " s
        }
    }'
}

printf '%-9s %-8s %10s %12s %10s\n' mode lines seconds lines/s peak-MiB
for mode in default fuzzy; do
    flag=(); [ $mode = fuzzy ] && flag=(--fuzzy)
    for n in 250000 500000 1000000; do
        gen $n > "$tmp/in.txt"
        /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" aliases -q "${flag[@]}" "$tmp/in.txt" > "$tmp/out.jsonl"
        read -r secs kib < "$tmp/time"
        awk -v m=$mode -v n=$n -v s="$secs" -v k="$kib" 'BEGIN {
            printf "%-9s %-8d %10.2f %12.0f %10.1f\n", m, n, s, (s > 0 ? n / s : 0), k / 1024 }'
    done
done
