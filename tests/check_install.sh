#!/usr/bin/env bash
# The library as another program sees it: `make install` into a temporary
# DESTDIR, the exported symbols against dossier.h, the example program built
# with pkg-config against the install (shared and static) and run, the man
# page rendered without warnings, and `make uninstall` leaving nothing behind.
set -u
root=${DOSSIER_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest prefix=/usr/local
lib=$dest$prefix/lib

check() { # NAME PROBLEMS
    if [ -z "$2" ]; then echo "ok install/$1"; else printf 'FAIL install/%s\n%s\n' "$1" "$2"; fi
}

if ! out=$(make -s -C "$root" install DESTDIR="$dest" PREFIX="$prefix" 2>&1); then
    check make-install "$out"
    exit 0
fi
missing=""
for f in bin/dossier include/dossier.h lib/libdossier.a lib/libdossier.so.0 lib/libdossier.so \
    lib/pkgconfig/dossier.pc share/man/man1/dossier.1 \
    share/bash-completion/completions/dossier share/zsh/site-functions/_dossier; do
    [ -e "$dest$prefix/$f" ] || missing+="missing $prefix/$f"$'\n'
done
check make-install "$missing"

soname=$(readelf -d "$lib/libdossier.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check soname "$([ "$soname" = libdossier.so.0 ] || echo "soname is '$soname', expected libdossier.so.0")"

# Exactly the functions dossier.h declares are exported, nothing else.
# (A declaration may break its line after the return type: read the header as one line.)
tr '\n' ' ' < "$root/convert/dossier.h" | grep -o 'DSR_API [^(;]*(' |
    grep -o 'dsr_[a-z0-9_]* *($' | tr -d '( ' | sort > "$tmp/declared"
nm -D --defined-only "$lib/libdossier.so" | awk '{print $3}' | sort > "$tmp/exported"
check exported-symbols "$(diff "$tmp/declared" "$tmp/exported")"

export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
if ! out=$(cc -Wall -Wextra -Werror -o "$tmp/validate" "$root/examples/validate.c" \
    $(pkg-config --cflags --libs dossier) 2>&1); then
    check example-builds "$out"
    exit 0
fi
check example-builds ""
run() { LD_LIBRARY_PATH=$lib "$tmp/validate" "$@" > "$tmp/out" 2> "$tmp/err"; echo $?; }
problems=""
rc=$(run "$root/fixtures/article/article.json" "$root/fixtures/article/csv")
[ "$rc" = 0 ] || problems+="valid article: exit $rc: $(cat "$tmp/err")"$'\n'
grep -q "article.json: valid" "$tmp/out" || problems+="no verdict: $(cat "$tmp/out")"$'\n'
grep -q "^libdossier 0\.1\.0" "$tmp/out" || problems+="no version: $(cat "$tmp/out")"$'\n'
# A bad dataset after a missing one: each dataset keeps its own status.
printf '{"entities":[,]}' > "$tmp/bad.json"
rc=$(run "$tmp/missing.json" "$tmp/bad.json")
[ "$rc" = 2 ] || problems+="missing + bad: exit $rc"$'\n'
grep -q "bad.json: invalid" "$tmp/out" || problems+="bad.json not invalid: $(cat "$tmp/out")"$'\n'
grep -q "bad.json:1:14: error:" "$tmp/err" || problems+="no syntax error: $(cat "$tmp/err")"$'\n'
check example-runs "$problems"

# Static: libdossier.a and the private dependencies pkg-config lists.
static_libs=$(pkg-config --static --libs dossier | sed 's/-ldossier//')
if out=$(cc -o "$tmp/validate-static" "$root/examples/validate.c" $(pkg-config --cflags dossier) \
    "$lib/libdossier.a" $static_libs 2>&1); then
    "$tmp/validate-static" "$root/fixtures/article/article.xml" > /dev/null 2>&1
    rc=$?
    check example-static "$([ $rc = 0 ] || echo "exit $rc")"
else
    check example-static "$out"
fi

# The man page renders without warnings (check_help.sh: it names every option).
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$dest$prefix/share/man/man1/dossier.1" 2>&1 >/dev/null)
check man-renders "$warnings"

make -s -C "$root" uninstall DESTDIR="$dest" PREFIX="$prefix" > /dev/null 2>&1
check uninstall "$(find "$dest" -type f -o -type l)"
