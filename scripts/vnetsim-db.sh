# scripts/vnetsim-db.sh -- what the script commands (vnetsim-plot,
# vnetsim-report) share, sourced by them: their error exits and the checks
# every command that reads a results database makes first.
#
# The sourcing script sets $cmd (e.g. "plot"), $sqlite and $db.

# die: an input error (exit 1); bad: a usage error (exit 2).
die() { echo "vnetsim $cmd: $*" >&2; exit 1; }
bad() { echo "vnetsim $cmd: $*" >&2; exit 2; }

# Refuses, with one line, what no command can read: no sqlite3, a file
# that cannot be read or is not a results database, a run that is not
# complete (its numbers mean nothing: killed or failed), no run at all.
# vnetsim compare makes the same checks in C (sim/compare.c).
check_db() {
    command -v "$sqlite" >/dev/null 2>&1 || die "sqlite3 is needed (apt-get install sqlite3)"
    [ -r "$db" ] || die "$db: cannot read it"
    "$sqlite" "$db" "SELECT count(*) FROM run r JOIN runAttr a ON a.runId = r.runId" \
        >/dev/null 2>&1 || die "$db: not a vnetsim results database"
    _incomplete=$("$sqlite" "$db" "SELECT r.runId || ' (status ''' || coalesce(s.attrValue, 'none') || ''')'
        FROM run r LEFT JOIN runAttr s ON s.runId = r.runId AND s.attrName = 'status'
        WHERE coalesce(s.attrValue, '') != 'complete' ORDER BY r.runId LIMIT 1")
    [ -z "$_incomplete" ] || die "$db: run $_incomplete is not complete: $cmd needs complete runs"
    [ "$("$sqlite" "$db" "SELECT count(*) FROM run")" -gt 0 ] || die "$db: no run to $cmd"
}
