#!/usr/bin/env bash
# Runs a command with the open-file limit raised, so that one process can hold 10,000 WebSocket connections
# (the default soft limit is often 1,024). Raises the hard limit too where allowed (root); else stays under it.
set -euo pipefail
want=65536
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
  ulimit -Hn "$want" 2>/dev/null || want="$hard"
fi
ulimit -Sn "$want"
exec "$@"
