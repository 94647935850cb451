# Keep-alive: a backend's libcurl multi handle keeps its connections to the
# provider open across rows, statements, transactions and models, so 20
# predictions in one session, in statements that each send their 5 rows at
# once (pipelined), use at most 5 TCP connections.  A second
# session is a second backend with its own connection (which shows that
# the stand-in's "connections" counter does count new connections).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $standin = start_standin();
my $node = new_node('main');
setup_connections($node, 'postgres', $standin);
$node->safe_psql('postgres', q{
SELECT * FROM mlpredict.execute($$CREATE MODEL chat INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL embed INPUT (text STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = 'azureopenai', 'task' = 'embedding', 'azureopenai.connection' = 'azure-connection')$$);
});

# 20 predictions in one session: 4 statements of 5 rows each, over two
# models (OpenAI chat and Azure OpenAI embeddings on the same host).
standin_post($standin, '/_control/reset');
my $out = $node->safe_psql('postgres', q{
SELECT string_agg(answer, ',' ORDER BY g) FROM generate_series(1, 5) g, LATERAL chat('s1 r' || g);
SELECT string_agg(answer, ',' ORDER BY g) FROM generate_series(1, 5) g, LATERAL chat('s2 r' || g);
SELECT string_agg(array_length(v, 1)::text, ',') FROM generate_series(1, 5) g, LATERAL embed('s3 r' || g);
SELECT string_agg(p.a, ',' ORDER BY g) FROM generate_series(1, 5) g,
	LATERAL mlpredict.ml_predict('chat', 's4 r' || g) AS p(a text);
});
is($out, join("\n",
		join(',', map { "echo: s1 r$_" } 1 .. 5),
		join(',', map { "echo: s2 r$_" } 1 .. 5),
		join(',', ('1536') x 5),
		join(',', map { "echo: s4 r$_" } 1 .. 5)),
	'20 predictions in 4 statements');

# (the 5 embeddings may share one request: batching)
my $stats = standin_get($standin, '/_control/stats');
is($stats->{by_route}{'openai.chat'}, 15, 'the stand-in received 15 chat requests');
cmp_ok($stats->{by_route}{'azure.embeddings'}, '>=', 1, 'and the embedding requests');
is_deeply([ keys %{ $stats->{by_status} } ], [ 200 ], 'all answered 200');
cmp_ok($stats->{connections}, '<=', 5, 'over at most 5 connections')
  or diag explain $stats;
my $reqs = standin_get($standin, '/_control/requests');
my %conns = map { $_->{connection} => 1 } @$reqs;
note 'connections used: ' . join(',', sort keys %conns);
is(scalar(@$reqs), $stats->{requests}, 'every request recorded');
cmp_ok(scalar(keys %conns), '<=', 5, 'at most 5 distinct connection ids recorded');
is_deeply([ grep { ($_->{headers}{connection} // '') =~ /close/i } @$reqs ], [],
	'no request asked to close its connection');

# Two more sessions, one prediction each: each backend opens its own
# connection, so the counter goes up by one per session.
standin_post($standin, '/_control/reset');
is($node->safe_psql('postgres', q{SELECT answer FROM chat('session a')}), 'echo: session a',
	'session a predicts');
is($node->safe_psql('postgres', q{SELECT answer FROM chat('session b')}), 'echo: session b',
	'session b predicts');
$stats = standin_get($standin, '/_control/stats');
is_deeply([ $stats->{requests}, $stats->{connections} ], [ 2, 2 ],
	'two sessions: two requests over two connections');

$node->stop;
done_testing();
