#!/bin/sh
# The codex-relay plugin's hook launcher: runs `codex-relay hook <args>` with the project's own
# codex-relay (node_modules/.bin, as `init --claude-code` installs it), else one on PATH. The plugin
# ships no codex-relay of its own: the project's version is the one that writes its files. Without
# either it does nothing and exits 0, so a prompt is never blocked (`npx codex-relay doctor` in the
# project says what is missing).
local_bin="${CLAUDE_PROJECT_DIR:-.}/node_modules/.bin/codex-relay"
if [ -x "$local_bin" ]; then
  exec "$local_bin" hook "$@"
fi
if command -v codex-relay >/dev/null 2>&1; then
  exec codex-relay hook "$@"
fi
cat >/dev/null
exit 0
