#!/bin/sh
# valgrind.sh -- the program under valgrind's memcheck (make check-valgrind):
# the short form of the quickstart scenario (as tests/golden.sh runs it),
# then "vnetsim compare" of its results with themselves.  Any memory error
# (invalid read or write, use of an uninitialised value, bad free) or any
# definitely lost block fails; "possibly lost" and "still reachable"
# blocks (Lua's and SQLite's caches at exit) do not.  vnetsim is a libtool
# wrapper in the build tree, so valgrind runs through
# "libtool --mode=execute".  Exit 77 (skip) without valgrind.
set -eu
b="${top_builddir:-.}"
src="${top_srcdir:-.}"
VALGRIND="${VALGRIND:-valgrind}"
command -v "$VALGRIND" >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-valgrind-XXXXXX)
trap 'rm -rf "$dir"' EXIT

vg() {  # ARGS...: vnetsim ARGS under memcheck; its exit status
    "$b/libtool" --mode=execute "$VALGRIND" -q --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite \
        --log-file="$dir/vg.log" "$b/vnetsim" "$@"
}
fail() {
    echo "FAIL: $*"
    cat "$dir/vg.log" 2>/dev/null || true
    exit 1
}

echo "valgrind: vnetsim run quickstart -r 3 --until 45ms"
vg run --quiet -o "$dir/q.db" -r 3 --until 45ms \
    "$src/scenarios/quickstart.lua" || fail "vnetsim run exited $?"
[ ! -s "$dir/vg.log" ] || fail "memcheck reported (see above)"
echo "valgrind: vnetsim compare"
vg compare "$dir/q.db" "$dir/q.db" >/dev/null || fail "vnetsim compare exited $?"
[ ! -s "$dir/vg.log" ] || fail "memcheck reported (see above)"
echo "valgrind: no memory error, nothing definitely lost"
