# The response cache on a hot standby and in pg_dump: a standby answers
# rows from the entries the primary stored and sends the others, storing
# nothing (it cannot write; the query does not fail), in the pipelined
# join and with one call per row; pg_dump leaves the entries out (the
# table is not an extension configuration table).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $standin = start_standin();

# a primary that streams (new_node makes nodes without replication)
my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', join("\n",
	"shared_preload_libraries = 'mlpredict'",
	"mlpredict.allow_insecure_http = on",
	"mlpredict.allowed_networks = '127.0.0.0/8, ::1/128'",
	"lc_messages = 'C'") . "\n");
$primary->start;
setup_connections($primary, 'postgres', $standin);
$primary->safe_psql('postgres', q{
SELECT * FROM mlpredict.execute($$CREATE MODEL cached INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection', 'openai.params.temperature' = '0', 'mlpredict.cache_ttl' = '1 hour')$$);
CREATE TABLE q AS SELECT g AS id, 'question ' || g AS prompt FROM generate_series(1, 20) g;
});

sub requests { return standin_get($standin, '/_control/stats')->{requests}; }
sub entries
{
	return $primary->safe_psql('postgres',
		'SELECT count(*) FROM mlpredict.response_cache');
}

# the primary stores the answers of rows 1..10
standin_post($standin, '/_control/reset');
is($primary->safe_psql('postgres',
		'SELECT count(*) FROM q, LATERAL cached(prompt) WHERE id <= 10'),
	'10', 'the primary answered 10 rows');
is(requests(), 10, 'the primary sent 10 requests');
is(entries(), '10', 'the primary stored 10 answers');

$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
# the cluster key travels with the backup; mlpredict wants it private
chmod 0600, $standby->data_dir . '/mlpredict_secret.key';
$standby->start;
$primary->wait_for_catchup($standby);

# the standby: 10 rows from the cache, 10 sent, nothing stored, no error
standin_post($standin, '/_control/reset');
my ($rc, $out, $err) = $standby->psql('postgres', q{
SELECT count(*), count(answer) FILTER (WHERE answer = 'echo: ' || prompt) FROM q, LATERAL cached(prompt)});
is($rc, 0, 'the query on the standby succeeded');
is($out, '20|20', 'the standby answered every row, from the cache or the model');
is($err, '', 'without a warning or an error');
is(requests(), 10, 'the standby sent only the rows the cache did not have');
my $plan = $standby->safe_psql('postgres', q{
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM q, LATERAL cached(prompt)});
like($plan, qr/Cache Hits: 10\n\s*Cache Misses: 10/, 'EXPLAIN ANALYZE on the standby: 10 hits, 10 misses');

# one call per row on the standby: the same
standin_post($standin, '/_control/reset');
is($standby->safe_psql('postgres', q{
SET mlpredict.enable_pipeline = off;
SELECT count(*) FROM q, LATERAL cached(prompt)}), '20',
	'one call per row on the standby answered every row');
is(requests(), 10, 'and sent only the rows the cache did not have');

$primary->wait_for_catchup($standby);
is(entries(), '10', 'the standby stored nothing');

# pg_dump: the extension, not the cache's entries
my ($dump_out, $dump_err);
IPC::Run::run(
	[ 'pg_dump', '-h', $primary->host, '-p', $primary->port, 'postgres' ],
	'>', \$dump_out, '2>', \$dump_err);
like($dump_out, qr/CREATE EXTENSION IF NOT EXISTS mlpredict/, 'pg_dump dumps the extension');
unlike($dump_out, qr/response_cache/, 'pg_dump leaves the response cache out');
unlike($dump_out, qr/echo: question/, 'no cached answer is in the dump');

$standby->stop;
$primary->stop;
done_testing();
