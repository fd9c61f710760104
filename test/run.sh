#!/usr/bin/env bash
# The whole suite: every test file, on SQLite and (when it answers, and always in CI) PostgreSQL.
# node --test is given an explicit file list: with a quoted glob or a folder it would run nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi

pg_url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if node -e "const c=new (require('pg').Client)({connectionString:process.argv[1],connectionTimeoutMillis:3000});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))" "$pg_url" 2>/dev/null; then
  export TEST_DIALECTS="${TEST_DIALECTS:-sqlite,postgres}"
elif [ "${REQUIRE_POSTGRES:-}" = "1" ]; then
  echo "PostgreSQL at $pg_url does not answer, and REQUIRE_POSTGRES=1" >&2; exit 1
else
  echo "warning: PostgreSQL at $pg_url does not answer; running on SQLite only" >&2
  export TEST_DIALECTS="${TEST_DIALECTS:-sqlite}"
fi
# An unknown dialect name, or REQUIRE_POSTGRES=1 without postgres, stops the run here (exit 2).
TEST_DIALECTS="$(node --import tsx test/support/dialects.ts)" || exit 2
# `test/run.sh --check`: only the checks above (test/unit/test_dialects.test.ts), never the suite.
if [ "${1:-}" = "--check" ]; then echo "dialects: $TEST_DIALECTS"; exit 0; fi
echo "test files: ${#files[@]}; dialects: $TEST_DIALECTS"

# Test schemas are dropped between runs, never during one (see dropAllTestSchemas).
drop_schemas() { case "$TEST_DIALECTS" in *postgres*) node --import tsx test/support/drop_test_schemas.ts ;; esac; }
drop_schemas
status=0
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}" || status=$?
drop_schemas || true
exit "$status"
