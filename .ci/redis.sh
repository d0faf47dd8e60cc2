#!/usr/bin/env bash
# Start Debian's redis-server on 127.0.0.1:${REDIS_PORT:-6379} (if nothing answers there).
set -euo pipefail
port="${REDIS_PORT:-6379}"
if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
  echo "redis ready on 127.0.0.1:$port"; exit 0
fi
if [ "$port" = 6379 ] && command -v systemctl >/dev/null && systemctl is-system-running -q 2>/dev/null; then
  systemctl start redis-server
else
  # No systemd (containers, CI): run the packaged config as the redis user, in the background.
  install -d -o redis -g redis /run/redis
  runuser -u redis -- redis-server /etc/redis/redis.conf --bind 127.0.0.1 --port "$port" \
    --daemonize yes --supervised no --pidfile "/run/redis/redis-$port.pid" \
    --logfile "/var/log/redis/redis-$port.log"
fi
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.2
done
redis-cli -h 127.0.0.1 -p "$port" ping | grep -q PONG
echo "redis ready on 127.0.0.1:$port"
