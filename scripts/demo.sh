#!/usr/bin/env bash
# The product page's examples, end to end, on a throwaway cluster: installs
# what is missing, builds and installs mlpredict for the installed
# PostgreSQL (scripts/pg-config.sh), starts a temporary PostgreSQL and the
# local provider stand-in, runs scripts/demo.sql in psql (each statement
# shown after the comment that explains it), prints a summary of what the
# stand-in answered and what a real provider would answer instead, then
# removes everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "checking the build dependencies (scripts/install-deps.sh installs what is missing)"
bash scripts/install-deps.sh
. scripts/common.sh

work=$(mktemp -d /tmp/mlpredict-demo.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
PGPORT=${DEMO_PGPORT:-55432}
cleanup() {
	stop_standin
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

say "building mlpredict for PostgreSQL $PG_MAJOR ($PG_CONFIG) and installing it into $("$PG_CONFIG" --pkglibdir) (make; a minute or two the first time)"
build_and_install
say "starting a throwaway PostgreSQL $PG_MAJOR cluster in $work (Unix socket only, port $PGPORT) with mlpredict preloaded for its connection pool"
init_scratch_cluster "$work" "$PGPORT" <<CONF
# the background-worker connection pool
shared_preload_libraries = 'mlpredict'
CONF
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
say "starting the provider stand-in on 127.0.0.1:$STANDIN_PORT (test/standin: answers in the wire formats of OpenAI, Azure OpenAI, AWS Bedrock, Google AI and SageMaker, on this machine)"
start_standin "$work"

say "running scripts/demo.sql: each statement follows the comment that explains it"
as_pg "$PG_BINDIR/psql" -X -h "$work" -p "$PGPORT" -U postgres -d postgres \
	-v ON_ERROR_STOP=1 -a -f scripts/demo.sql

say "summary"
requests=$(curl -s "http://127.0.0.1:$STANDIN_PORT/_control/stats")
"$STANDIN_PYTHON" - "$requests" <<'PY'
import json, sys
stats = json.loads(sys.argv[1])
print("Ran against the local stand-in (nothing left this machine): %d model requests"
      % stats["requests"])
for route, n in sorted(stats["by_route"].items()):
    print("  %4d  %s" % (n, route))
print("""
Authentication was checked as the providers check it: API keys compared,
AWS SigV4 signatures recomputed with botocore (Bedrock, SageMaker).  The
answers were made up deterministically; a real provider answers instead:
  - OpenAI chat (sentimentmodel): the stand-in picks POSITIVE, NEGATIVE or
    NEUTRAL from keywords; gpt-3.5-turbo / gpt-4o-mini read the text and
    follow the system prompt, and bill the tokens.
  - Azure OpenAI and Bedrock Titan embeddings: the stand-in derives each
    vector from a hash of the text, so 'alien' and 'aliens' are not close;
    a real embedding model puts texts of similar meaning near each other.
  - Google AI (google_text_cli): the stand-in answers the text itself
    after '译文:' ('translation:'); Gemini would answer the Chinese
    translation the system prompt asks for.
  - SageMaker (credit_default): the stand-in applies a fixed scoring rule;
    a real endpoint runs the model you trained and deployed.
Against real providers, use their https endpoints and real keys: this
cluster allows plain http to loopback only for the stand-in
(mlpredict.allow_insecure_http, mlpredict.allowed_networks), which the
defaults refuse.""")
PY
