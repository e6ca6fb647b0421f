# The shell tests' one bounded poll (docs/layout.md, "How tests wait"). Source it:
#   . "$root/tests/support/waiting.sh"
#
# poll_until SECONDS INTERVAL CMD [ARGS...]: runs CMD (its output discarded) every INTERVAL s until
# it succeeds (returns 0) or SECONDS have passed (returns 1); CMD returning 255 means "stop
# waiting" (returns 255), e.g. the process being waited for has died. CMD runs in this shell, so a
# function can leave what it saw in variables for the caller's message.
poll_until() {
  local seconds=$1 interval=$2 rc end
  shift 2
  end=$(( $(date +%s) + seconds ))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    rc=$?
    [ "$rc" = 255 ] && return 255
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep "$interval"
  done
}
