#!/usr/bin/env bash
# Restore drill: backs a database up with pg_dump exactly as the nightly CronJob postgres-backup does, restores the dump
# into a fresh database on the same server, and compares every table's row count and checksum with the source as it
# was at the moment of the dump. Prints one line per table, the dump and restore times, and exits 1 on any difference.
#   scripts/restore-drill.sh postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE [--keep]
# --keep leaves the restored database (azora_restore_drill_<time>) in place; by default it is dropped.
set -euo pipefail

source_url=${1:-}
keep=false
[[ ${2:-} == --keep ]] && keep=true
[[ $source_url =~ ^postgres(ql)?://[^/]+/([A-Za-z0-9_]+)$ ]] || {
  echo "error: give the database as postgresql://user[:password]@host:port/database" >&2
  exit 1
}
server_url=${source_url%/*}
target_db="azora_restore_drill_$(date -u +%Y%m%d%H%M%S)_$$"
work=$(mktemp -d)
psql_options=(--no-psqlrc --quiet --no-align --tuples-only --set ON_ERROR_STOP=1)

cleanup() {
  rm -rf "$work"
  if [[ $keep == false ]]; then
    # FORCE: a connection left to the copy (an autovacuum worker, an operator's psql) must not keep it alive.
    psql "${psql_options[@]}" "$server_url/postgres" --command "DROP DATABASE IF EXISTS $target_db WITH (FORCE)" >/dev/null ||
      echo "warning: the restored copy $target_db could not be dropped; drop it by hand" >&2
  fi
}
trap cleanup EXIT

# Row count and checksum of every table of every non-system schema, one "schema.table count md5" line each.
checksums_sql="
  SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(md5(t::text), '''' ORDER BY md5(t::text)), '''')) FROM %I.%I t',
                table_schema || '.' || table_name, table_schema, table_name)
  FROM information_schema.tables
  WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
  ORDER BY table_schema, table_name
  \\gexec"

# The source is read in one repeatable-read transaction whose snapshot pg_dump shares, so background writers
# (workers, other clients) cannot make the comparison differ.
coproc SOURCE { psql "${psql_options[@]}" --field-separator ' ' "$source_url"; }
# Bash unsets SOURCE_PID as soon as the coprocess has exited, which after \q can be before `wait` runs.
dump_session_pid=$SOURCE_PID
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ;" "SELECT pg_export_snapshot();" >&"${SOURCE[1]}"
read -r snapshot <&"${SOURCE[0]}"

started=$(date +%s%N)
pg_dump --format=custom --no-owner --no-privileges --snapshot="$snapshot" --file="$work/azora.dump" "$source_url"
dumped=$(date +%s%N)

printf '%s\n' "$checksums_sql" "SELECT 'end-of-checksums';" >&"${SOURCE[1]}"
# (No pipeline here: a coprocess's descriptors are closed in subshells.)
while read -r line <&"${SOURCE[0]}" && [[ $line != end-of-checksums ]]; do
  echo "$line" >>"$work/source-unsorted.txt"
done
sort "$work/source-unsorted.txt" >"$work/source.txt"
printf '%s\n' "COMMIT;" '\q' >&"${SOURCE[1]}"
wait "$dump_session_pid" 2>/dev/null || true

psql "${psql_options[@]}" "$server_url/postgres" --command "CREATE DATABASE $target_db" >/dev/null
restore_started=$(date +%s%N)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$server_url/$target_db" "$work/azora.dump"
restored=$(date +%s%N)
if [[ -n ${AZORA_RESTORE_DRILL_TAMPER_SQL:-} ]]; then
  # Test hook: damages the restored copy, to show the comparison catches a bad restore.
  psql "${psql_options[@]}" "$server_url/$target_db" --command "$AZORA_RESTORE_DRILL_TAMPER_SQL" >/dev/null
fi
psql "${psql_options[@]}" --field-separator ' ' "$server_url/$target_db" <<<"$checksums_sql" | sort >"$work/restored.txt"

tables=$(wc -l <"$work/source.txt")
[[ $tables -gt 0 ]] || { echo "error: the source database has no tables" >&2; exit 1; }
while read -r table rows checksum; do
  printf '%-40s %10s rows  %s\n' "$table" "$rows" "$checksum"
done <"$work/source.txt"
awk -v dump="$((dumped - started))" -v restore="$((restored - restore_started))" -v size="$(stat -c %s "$work/azora.dump")" \
  'BEGIN { printf "dump %.1f s (%d bytes), restore %.1f s\n", dump / 1e9, size, restore / 1e9 }'
if ! diff "$work/source.txt" "$work/restored.txt" >"$work/diff.txt"; then
  echo "error: the restored database differs from the source:" >&2
  cat "$work/diff.txt" >&2
  exit 1
fi
echo "restore drill passed: $tables tables restored with identical row counts and checksums"
