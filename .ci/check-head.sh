#!/usr/bin/env bash
# Does the last commit stand on its own? Lint and the fast tests on a clean export of HEAD —
# without this working tree's uncommitted files — using this tree's .venv. Run it after
# committing in a shared working tree: `make check-head`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rev="${REV:-HEAD}"
git -C "$root" archive --format=tar "$rev" | tar -x -C "$tmp"
ln -s "$root/.venv" "$tmp/.venv"
cd "$tmp"
echo "checking $(git -C "$root" log --oneline -1 "$rev" | cut -c1-80)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy --cache-dir "$tmp/.mypy_cache" models
env -u DATABASE_URL -u REDIS_URL .venv/bin/python -m pytest -q -x -m "not e2e and not slow" tests
