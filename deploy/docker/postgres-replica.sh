#!/bin/bash
# compose.yaml, postgres-replica: the entrypoint of a streaming replica of $PRIMARY_HOST.
# On its first start (an empty data directory) it copies the primary with pg_basebackup, creating
# the replication slot `replica1` (the primary keeps the WAL the replica has not received yet) and
# writing standby.signal + primary_conninfo (-R); then, and on every later start, it runs
# PostgreSQL as a hot standby: read-only queries, changes streamed from the primary.
set -euo pipefail
SLOT="${REPLICATION_SLOT:-replica1}"
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do
    echo "postgres-replica: waiting for $PRIMARY_HOST"
    sleep 1
  done
  export PGPASSWORD="$REPLICATION_PASSWORD"
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  backup() { pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" -X stream -R --checkpoint=fast "$@"; }
  # The slot survives a lost replica volume: reuse it then.
  if ! backup -C -S "$SLOT"; then
    find "$PGDATA" -mindepth 1 -delete
    backup -S "$SLOT"
  fi
fi
exec postgres -c hot_standby=on
