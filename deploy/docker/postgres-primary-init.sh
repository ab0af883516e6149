#!/bin/bash
# compose.yaml, postgres-primary: run once by the postgres image when it creates the database
# (/docker-entrypoint-initdb.d). Creates the role the replica streams with and lets it connect.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -v password="$REPLICATION_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
