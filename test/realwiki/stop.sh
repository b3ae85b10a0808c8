#!/usr/bin/env bash
# Stops the test wiki started by start.sh: its whole process group (php -S and its workers), by the saved PID.
# Does nothing, successfully, when no server runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if pid=$(realwiki_running_pid); then
  kill -TERM -- "-$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  # Workers finish their request first; after the deadline they are killed.
  while kill -0 -- "-$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL -- "-$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  echo "realwiki: stopped server $pid" >&2
fi
rm -f "$realwiki_pidfile" "$realwiki_serverenv"
