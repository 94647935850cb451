# Without shared_preload_libraries the extension works as before: CREATE
# EXTENSION needs no restart, no pool worker runs, each backend performs
# its own requests (keeping its connection alive), the statistics views
# show the current session's own counters, and connection limits hold per
# backend.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $standin = start_standin();
my $node = new_node('plain');
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '',
	'nothing is preloaded');

setup_connections($node, 'postgres', $standin);
create_openai_connection($node, 'postgres', $standin, 'capped', max_concurrency => 2);
create_chat_model($node, 'postgres', 'chat', 'openai-connection');
create_chat_model($node, 'postgres', 'capchat', 'capped');
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $started,
	'CREATE EXTENSION and CREATE CONNECTION ... max_concurrency without a restart');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'mlpredict pool' OR backend_type LIKE '%mlpredict%'}), '0',
	'no mlpredict pool process');

# One session: ten predictions in two statements (each sends its five rows
# at once), then the statistics as that session sees them.
standin_post($standin, '/_control/reset');
my $out = $node->safe_psql('postgres', q{
SELECT string_agg(answer, ',' ORDER BY g) FROM generate_series(1, 5) g, LATERAL chat('a' || g);
SELECT string_agg(answer, ',' ORDER BY g) FROM generate_series(1, 5) g, LATERAL chat('b' || g);
SELECT shared FROM mlpredict.stat_info();
SELECT calls, rows, errors, in_flight, latency_p50_ms IS NOT NULL
	FROM mlpredict.stat_connections WHERE connection = 'openai-connection';
SELECT model, connection, calls FROM mlpredict.stat_models WHERE model = 'public.chat';
});
is($out, join("\n",
		join(',', map { "echo: a$_" } 1 .. 5),
		join(',', map { "echo: b$_" } 1 .. 5),
		'f',
		'10|10|0|0|t',
		'public.chat|openai-connection|10'),
	'ten predictions; the session sees its own counters (not shared)');
my $stats = standin_get($standin, '/_control/stats');
is_deeply([ $stats->{requests}, $stats->{connections} ], [ 10, 5 ],
	'ten requests over five kept-alive connections: the second statement reused the first one\'s');

# Another session has counters of its own: none yet.
is($node->safe_psql('postgres', q{SELECT count(*), coalesce(sum(calls), 0)
	FROM mlpredict.stat_connections WHERE calls > 0}), '0|0',
	'a new session starts with no counters');

# stat_reset clears the session's counters.
$out = $node->safe_psql('postgres', q{
SELECT answer FROM chat('c');
SELECT coalesce(sum(calls), 0) FROM mlpredict.stat_connections;
SELECT mlpredict.stat_reset();
SELECT coalesce(sum(calls), 0) FROM mlpredict.stat_connections;
});
is($out, "echo: c\n1\n\n0", 'stat_reset clears the session counters');

# max_concurrency holds per backend without the pool: four sessions, each
# pipelining three rows on a connection capped at 2, run eight requests at
# once, two each.
standin_post($standin, '/_control/reset');
my @results = psql_parallel($node, 'postgres',
	map { qq{SELECT count(*) FROM generate_series(1, 3) g,
		LATERAL capchat('s$_ r' || g || ' [[sleep:300]]') WHERE answer = 'echo: s$_ r' || g;
} } 1 .. 4);
is_deeply([ map { $_->[1] } @results ], [ (3) x 4 ], 'four sessions on the capped connection')
  or diag explain \@results;
$stats = standin_get($standin, '/_control/stats');
is($stats->{max_in_flight}, 8,
	'without preloading the cap is per backend: 4 sessions had 2 requests in flight each');

# Within one backend, the cap bounds its own requests in flight: a
# pipelined query sends many rows at once (8 here, on an uncapped
# connection), and max_concurrency = 2 holds them to two.
standin_post($standin, '/_control/reset');
$node->safe_psql('postgres', q{SET mlpredict.max_parallelism = 8;
SELECT count(*) FROM generate_series(1, 8) g, LATERAL chat('par ' || g || ' [[sleep:200]]')});
is(standin_get($standin, '/_control/stats')->{max_in_flight}, 8,
	'one backend: a pipelined query has 8 requests in flight');
standin_post($standin, '/_control/reset');
$node->safe_psql('postgres', q{SET mlpredict.max_parallelism = 8;
SELECT count(*) FROM generate_series(1, 8) g, LATERAL capchat('par ' || g || ' [[sleep:200]]')});
is(standin_get($standin, '/_control/stats')->{max_in_flight}, 2,
	'one backend: max_concurrency = 2 caps its own requests in flight');

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $started,
	'no restart happened');
$node->stop;
done_testing();
