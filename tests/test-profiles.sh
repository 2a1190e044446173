#!/bin/sh
# test-profiles.sh -- every cost in every platform profile cites its
# source: each "name = value," line of models/profiles/*.lua carries a
# source tag ([V], [S], [R], [M], [D] or [A], as ../shared/design/FACTS.md
# tags its rows) in a comment on the same line or in the comment block
# right above it.  Also: each profile loads in the sandbox and
# profile.list() names them all, in order.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
dir=$(mktemp -d /tmp/vnetsim-prof-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

n=0
for f in "$src"/models/profiles/*.lua; do
    n=$((n + 1))
    awk -v file="$f" '
        /^[ \t]*--/ { block = block $0; next }
        /^[ \t]*[a-z_]+[ \t]*=[ \t]*[^{ \t]/ && !/^[ \t]*description/ {
            line = $0
            if (line !~ /\[(V|S|R|M|D|A)\]/ && block !~ /\[(V|S|R|M|D|A)\]/) {
                printf "%s:%d: no source tag for: %s\n", file, NR, line
                bad = 1
            }
        }
        { block = "" }
        END { exit bad }' "$f" || fail "uncited cost in $f"
done
[ "$n" -gt 0 ] || fail "no profiles found"

# Each profile loads; list() is complete and sorted.
expected=$(for f in "$src"/models/profiles/*.lua; do basename "$f" .lua; done | LC_ALL=C sort | tr '\n' ' ')
cat > "$dir/list.lua" <<'LUA'
sim.config { duration = "1ns" }
local names = {}
for _, name in ipairs(profile.list()) do
  local p = profile.load(name)
  assert(type(p.description) == "string", name .. ": no description")
  assert(p.name == name)
  names[#names + 1] = name
end
print(table.concat(names, " ") .. " ")
LUA
got=$("$vnetsim" run --quiet -o "$dir/l.db" "$dir/list.lua")
[ "$got" = "$expected" ] || fail "profile.list(): '$got', expected '$expected'"
echo "PASS: $n profile(s), every cost cited"
