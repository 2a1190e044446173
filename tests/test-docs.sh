#!/bin/sh
# test-docs.sh -- the documentation is tested (scripts/check-docs):
#   * on the real tree: every ```sh block of README.md and doc/**/*.md
#     runs and succeeds, every relative link and #anchor resolves, every
#     figure exists, has its .dot source and is up to date, and the
#     reference tables name every libvmswitch function and profile value;
#   * on a small made-up tree, the checker must fail and name each fault:
#     a missing file, a missing anchor, a failing command, a wrong exit
#     status, a link out of the tree, a figure without its source, a skip
#     without a reason, a '$ ' prompt in a command block, a "pending"
#     marker on a link that resolves; and it must list (not fail) a
#     pending link to a missing page, and accept GitHub's anchors for
#     punctuated and repeated headings, blocks that are not ```sh, links
#     inside code, and "exit N";
#   * vswitch-replay(1) names every option of vswitch-replay --help.
set -eu
src="${top_srcdir:-.}"
b="${top_builddir:-.}"
lua=""
for l in lua5.4 lua; do
    if command -v "$l" >/dev/null 2>&1; then lua=$l; break; fi
done
[ -n "$lua" ] || { echo "SKIP: no Lua interpreter (lua5.4)"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-docs-test-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/out" ] && cat "$dir/out"; exit 1; }

# --- the made-up tree: faults the checker must find ---
mkdir -p "$dir/t/doc/diagrams"
cat > "$dir/t/README.md" <<'MD'
# Top

See [the guide](doc/guide.md), [its part](doc/guide.md#2-the-8021q-table--more),
[the repeat](doc/guide.md#setup-1), [an arrow](doc/guide.md#pnicnew-----pnic)
and <https://example.org/>.  `[not a link](nowhere.md)` is code.
[Later](doc/later.md) comes with another branch. <!-- check-docs: pending -->
[Now](doc/guide.md) is here already. <!-- check-docs: pending -->
MD
cat > "$dir/t/doc/guide.md" <<'MD'
# Guide

## Setup

## Setup

## 2. The 802.1Q table & more

### `pnic.new { ... }` → pnic

[missing file](missing.md) and [missing anchor](#no-such-heading) and
[outside](../../etc/passwd).

![figure](diagrams/fig.svg)

```sh
echo hello > greeting
```

```sh
grep -q hello greeting
false
```

```sh
# check-docs: exit 3
exit 3
```

```sh
# check-docs: exit 0
exit 4
```

```sh
# check-docs: skip
this is not run
```

```sh
$ echo prompt
```

```console
$ false
```

```text
false
```

    false
MD
printf '<svg/>\n' > "$dir/t/doc/diagrams/fig.svg"
set +e
"$lua" "$src/scripts/check-docs" --srcdir "$dir/t" --builddir "$b" \
    > "$dir/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "made-up tree: check-docs exited $rc, expected 1"
expect() {      # LINE-PREFIX TEXT: the report has a line with both
    grep -F -- "$1" "$dir/out" | grep -q -F -- "$2" ||
        fail "no report '$1 ... $2'"
}
expect "doc/guide.md:11:" "no such file doc/missing.md"
expect "doc/guide.md:11:" "no heading #no-such-heading"
expect "doc/guide.md:12:" "leaves the source tree"
expect "doc/guide.md:14:" "has no source doc/diagrams/fig.dot"
expect "doc/guide.md:20:" "command block exited 1 (expected 0)"
expect "doc/guide.md:30:" "command block exited 4 (expected 0)"
expect "doc/guide.md:35:" "without a reason"
expect "doc/guide.md:40:" "prompt"
expect "README.md:7:" "marked pending but doc/guide.md exists"
expect "pending" "README.md:6: doc/later.md"
n=$(grep -c '^\(doc/\|README\)[^ ]*:[0-9]*: ' "$dir/out" || true)
[ "$n" = 9 ] || fail "made-up tree: $n problems reported, expected 9"
grep "^README.md" "$dir/out" | grep -v "^README.md:7:" && fail "README.md's good links were reported"
grep -q "guide.md:25:" "$dir/out" && fail "'check-docs: exit 3' with exit 3 was reported"

# --- usage errors exit 2 ---
set +e
"$lua" "$src/scripts/check-docs" --bogus >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown option exited $rc"

# --- vswitch-replay(1) documents every option of --help ---
if [ -x "$b/vswitch-replay" ]; then
    for opt in $("$b/vswitch-replay" --help | grep -o -- '--[a-z-]*' | sort -u); do
        roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        grep -q -- "$roff" "$src/doc/vswitch-replay.1" ||
            fail "vswitch-replay(1) does not document $opt"
    done
fi

# --- the real documentation ---
"$lua" "$src/scripts/check-docs" --srcdir "$src" --builddir "$b" \
    > "$dir/out" 2>&1 || fail "check-docs found problems in the documentation"
cat "$dir/out"
