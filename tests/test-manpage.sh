#!/bin/sh
# test-manpage.sh -- vnetsim(1) stays in step with the program:
#   * every long option and command that "vnetsim COMMAND --help" prints
#     is documented in doc/vnetsim.1, and every option the page documents
#     exists in some --help text;
#   * the exit codes the page lists are the ones "vnetsim --help" states;
#   * the page formats without a groff warning (skipped without groff).
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
page="${top_srcdir:-.}/doc/vnetsim.1"
dir=$(mktemp -d /tmp/vnetsim-man-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# What the page documents: the \- escapes of troff read as '-'.
sed 's/\\-/-/g' "$page" > "$dir/page"

: > "$dir/help"
for cmd in run params sweep merge compare plot report demo; do
    grep -q "^\.B vnetsim $cmd" "$dir/page" ||
        fail "vnetsim(1) has no synopsis line for '$cmd'"
    "$vnetsim" "$cmd" --help >> "$dir/help" 2>&1 || true
done
"$vnetsim" --help >> "$dir/help"

# Every --option in a help text is on the page (demo's own options are
# described by 'vnetsim demo --help', which the page points to).
for cmd in run params sweep merge compare plot report; do
    for opt in $("$vnetsim" "$cmd" --help 2>&1 |
                 grep -o -- '--[a-z][a-z-]*' | sort -u); do
        [ "$opt" = --help ] && continue
        grep -q -- "$opt" "$dir/page" ||
            fail "vnetsim $cmd $opt is not documented in vnetsim(1)"
    done
done

# Every option the page documents exists.
for opt in $(grep -o -- '^\.BI\? --[a-z][a-z-]*' "$dir/page" |
             grep -o -- '--[a-z-]*' | sort -u); do
    grep -q -- "$opt" "$dir/help" ||
        fail "vnetsim(1) documents $opt, which no command accepts"
done

# Exit codes: the --help line "exit codes: 0 success, 1 ..., 2 ..., 3 ..."
# and the page's EXIT STATUS section list the same numbers.
codes=$("$vnetsim" --help | sed -n 's/^exit codes: //p' |
        grep -o '[0-9] ' | tr -d ' \n')
[ "$codes" = 0123 ] || fail "--help lists exit codes '$codes'"
page_codes=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$dir/page" |
             grep -A1 '^\.TP' | grep -o '^\.B [0-9]' | tr -dc '0-9')
[ "$page_codes" = "$codes" ] ||
    fail "vnetsim(1) lists exit codes '$page_codes', --help '$codes'"

# The page formats cleanly.
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$page" 2> "$dir/warn" || fail "groff failed"
    if [ -s "$dir/warn" ]; then
        cat "$dir/warn"
        fail "groff warns about vnetsim(1)"
    fi
else
    echo "note: no groff, formatting not checked"
fi
echo "PASS: vnetsim(1) documents every option and exit code"
