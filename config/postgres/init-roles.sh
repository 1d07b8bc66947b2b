#!/bin/sh
# Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d): one database
# user per purpose, each with its own password from the environment (docker-compose.yml).
#   revcycle_owner  owns revcycle's tables; only the migrate service logs in as it
#   revcycle_app    the api and workers: read and write the billing record, only INSERT and SELECT audit_log
#   temporal        Temporal's own databases (temporal, temporal_visibility), nothing of revcycle's
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$REVCYCLE_OWNER_DB_PASSWORD" -v app_pw="$REVCYCLE_APP_DB_PASSWORD" -v temporal_pw="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE revcycle_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE revcycle_app LOGIN PASSWORD :'app_pw';
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_pw';
CREATE DATABASE revcycle OWNER revcycle_owner;
REVOKE ALL ON DATABASE revcycle FROM PUBLIC;
GRANT CONNECT ON DATABASE revcycle TO revcycle_owner, revcycle_app;
SQL
