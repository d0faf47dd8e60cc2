#!/usr/bin/env bash
# Start Debian's PostgreSQL on 127.0.0.1:5432 (if not running) and create the test role/db.
set -euo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$ver" main >/dev/null
  fi
  pg_ctlcluster "$(ls /etc/postgresql | sort -n | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cabinet') THEN
    CREATE ROLE cabinet LOGIN PASSWORD 'cabinet' CREATEDB;
  END IF;
END $$;
SQL
for db in cabinet_test cabinet; do
  runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || runuser -u postgres -- createdb -O cabinet "$db"
done
echo "postgresql ready on 127.0.0.1:5432"
