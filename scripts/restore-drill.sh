#!/usr/bin/env bash
# Restore drill: dump a PostgreSQL database with pg_dump -Fc, restore it into a new database,
# compare counts, checksums, sequences and triggers, decrypt a sample with the configured keys,
# print the timings and drop the copy. Exits non-zero on any difference.
#
#   scripts/restore-drill.sh [postgres://…/SOURCE] [--keep] [--sample N] [--jobs N]
#   scripts/restore-drill.sh postgres://…/SOURCE --compare-with postgres://…/RESTORED
#
# Run it with the production environment (DJANGO_SETTINGS_MODULE, the key variables): the drill
# proves that the backup AND the keys held apart from it give back a readable database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${HOME:-/root}/.local/bin:$PATH"
if command -v uv >/dev/null 2>&1; then
    exec uv run --no-sync python bench/restore_drill.py "$@"
fi
exec .venv/bin/python bench/restore_drill.py "$@"
