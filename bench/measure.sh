# Shared by the bench scripts (sourced): one measured run with /usr/bin/time -v, and medians.
#   measure CMD...   runs CMD (stdout to /dev/null) and sets M_WALL (s), M_CPU (user + sys, s),
#                    M_RSS (peak RSS, KiB) and M_STATUS; stderr of CMD is kept in $M_LOG.
#   median X...      prints the median of its numeric arguments.
# CPU time is what the benches compare first: on the shared 2-core machine wall times swing with
# the other builds' load, CPU time much less, peak RSS not at all.
M_LOG=$(mktemp)
trap 'rm -f "$M_LOG" "$M_LOG.err"' EXIT
measure() {
  /usr/bin/time -v -o "$M_LOG" "$@" > /dev/null 2> "$M_LOG.err"
  M_STATUS=$?
  read -r M_WALL M_CPU M_RSS < <(awk -F': ' '
    /Elapsed \(wall clock\)/ {n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i]}
    /User time/ {u = $2} /System time/ {s = $2} /Maximum resident set size/ {r = $2}
    END {printf "%.2f %.2f %d\n", w, u + s, r}' "$M_LOG")
  if [ "$M_STATUS" -ne 0 ]; then
    echo "failed (exit $M_STATUS): $*" >&2
    tail -3 "$M_LOG.err" >&2
  fi
}
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
