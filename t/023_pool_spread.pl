# One session's requests over several pool workers
# (mlpredict.pool_workers_per_session), seen from mlpredict.pool_info()
# and on the wire by the stand-in:
#  - a light session keeps to one worker (its home worker);
#  - a heavy pipelined query spreads over every worker, and its rows all
#    come back right;
#  - mlpredict.pool_workers_per_session bounds how many it spreads over,
#    also when changed in a session that used the pool already;
#  - spreading does not give a session more than mlpredict.max_session_share
#    of mlpredict.max_connections in flight: each worker gets its part,
#    and a share smaller than the workers limits the workers used;
#  - one of the workers exiting mid-query fails the query with an error
#    naming it, gives back the limiter slots and in-flight counts of its
#    requests (the caps are whole again), and the session predicts again
#    once it is back.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $standin = start_standin(args => [ '--record-max', 10000 ]);
my $node = new_node('spread', { preload => 1, pool_workers => 3 },
	'mlpredict.max_connections = 64', 'mlpredict.max_session_share = 50');
$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
create_openai_connection($node, 'postgres', $standin, 'conn');
create_chat_model($node, 'postgres', 'chat', 'conn');

ok(defined poll_value($node, 'postgres', q{SELECT count(pid) FROM mlpredict.pool_info()},
	qr/^3$/), 'three pool workers run');

# Requests each worker has answered, as a list by worker.
sub answered
{
	my $out = $node->safe_psql('postgres',
		q{SELECT string_agg(requests::text, ',' ORDER BY worker) FROM mlpredict.pool_info()});
	return split /,/, $out;
}

# Per worker, what it answered between two answered() lists.
sub delta
{
	my ($before, $after) = @_;
	return map { $after->[$_] - $before->[$_] } 0 .. $#$after;
}

# $n rows with $ms of latency each, 64 in flight asked for, in a session
# that first runs $set; returns (rows answered right, stand-in's peak in
# flight, per-worker answers).
sub heavy
{
	my ($n, $ms, $set) = @_;
	$set //= '';
	standin_post($standin, '/_control/reset');
	my @before = answered();
	my $out = $node->safe_psql('postgres', qq{$set
SELECT count(*) FROM generate_series(1, $n) g,
	LATERAL chat('row ' || g || ' [[sleep:$ms]]', mlpredict.options(max_parallelism => 64)) c
	WHERE c.answer = 'echo: row ' || g});
	my $peak = standin_get($standin, '/_control/stats')->{max_in_flight};
	# the answers are counted by the workers' next pass
	usleep(300_000);
	my @after = answered();
	return ($out, $peak, [ delta(\@before, \@after) ]);
}

# 1. A light session: one request, one worker.
my @before = answered();
is($node->safe_psql('postgres', q{SELECT answer FROM chat('light')}), 'echo: light',
	'light: answered');
usleep(300_000);
my @d = delta(\@before, [ answered() ]);
is(scalar(grep { $_ > 0 } @d), 1, "light: one worker answered it (@d)");
is(eval { my $s = 0; $s += $_ for @d; $s }, 1, 'light: one request in all');

# 2. A heavy query spreads over every worker, within the session's share.
my ($rows, $peak, $per) = heavy(600, 40);
is($rows, 600, 'heavy: every row answered right');
is(scalar(grep { $_ > 0 } @$per), 3, "heavy: all three workers answered (@$per)");
cmp_ok($peak, '<=', 32, "heavy: at most the session's share (32) in flight: $peak");
cmp_ok($peak, '>=', 24, "heavy: the share was used: $peak in flight");

# 3. pool_workers_per_session bounds the spread.
($rows, $peak, $per) = heavy(400, 40, 'SET mlpredict.pool_workers_per_session = 1;');
is($rows, 400, 'one worker: every row answered right');
is(scalar(grep { $_ > 0 } @$per), 1, "one worker: only one answered (@$per)");
cmp_ok($peak, '<=', 32, "one worker: at most the share in flight: $peak");
cmp_ok($peak, '>=', 28, "one worker: the share was used: $peak in flight");
($rows, $peak, $per) = heavy(400, 40, 'SET mlpredict.pool_workers_per_session = 2;');
is($rows, 400, 'two workers: every row answered right');
is(scalar(grep { $_ > 0 } @$per), 2, "two workers: two answered (@$per)");
cmp_ok($peak, '<=', 32, "two workers: at most the share in flight: $peak");

# A change of the setting applies to a session that has used the pool
# already, once its channels are idle.
($rows, $peak, $per) = heavy(400, 40, q{SET mlpredict.pool_workers_per_session = 1;
DO $$ BEGIN PERFORM * FROM chat('warm-up on one worker'); END $$;
SET mlpredict.pool_workers_per_session = 3;});
is($rows, 400, 'setting changed in the session: every row answered right');
is(scalar(grep { $_ > 0 } @$per), 3, "setting changed in the session: three answered (@$per)");

# 4. Sessions show in pool_info while a spread query runs.
standin_post($standin, '/_control/reset');
my $long = psql_start($node, 'postgres', q{SELECT count(*) FROM generate_series(1, 200) g,
	LATERAL chat('long ' || g || ' [[sleep:300]]', mlpredict.options(max_parallelism => 64)) c});
ok(defined poll_value($node, 'postgres',
	q{SELECT count(*) FROM mlpredict.pool_info() WHERE sessions > 0}, qr/^3$/),
	'sessions: the query is a session of all three workers');
my ($rc, $out, $err) = psql_finish($long);
is($out, '200', 'sessions: the long query finished') or diag $err;

# 5. One worker exits mid-query: the query fails naming it; then the
# session predicts again.
standin_post($standin, '/_control/reset');
my $doomed = psql_start($node, 'postgres', q{SELECT count(*) FROM generate_series(1, 400) g,
	LATERAL chat('doomed ' || g || ' [[sleep:2000]]', mlpredict.options(max_parallelism => 64)) c});
ok(defined poll_value($node, 'postgres',
	q{SELECT count(*) FROM mlpredict.pool_info() WHERE sessions > 0}, qr/^3$/),
	'worker exit: the query uses all three workers');
my $victim = $node->safe_psql('postgres', q{SELECT pid FROM mlpredict.pool_info() WHERE worker = 2});
my $t0 = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($victim)");
($rc, $out, $err) = psql_finish($doomed);
my $elapsed = time - $t0;
isnt($rc, 0, 'worker exit: the query failed');
like($err, qr/ERROR:  mlpredict pool worker 2 exited while serving this session/,
	'worker exit: the error names the worker');
cmp_ok($elapsed, '<', 1.5, sprintf('worker exit: the error came after %.3f s', $elapsed));
ok(defined poll_value($node, 'postgres', qq{SELECT count(*) FROM mlpredict.pool_info()
	WHERE pid IS NOT NULL AND pid <> $victim}, qr/^3$/), 'worker exit: worker 2 is back');
($rows) = heavy(300, 10);
is($rows, 300, 'worker exit: a heavy query is answered again');
is(poll_value($node, 'postgres', q{SELECT in_flight FROM mlpredict.stat_connections
	WHERE connection = 'conn'}, qr/^0$/), '0', 'worker exit: nothing left in flight (the exited worker gave its slots back)');

# 6. With a session share smaller than the workers (4 connections, 50%:
# 2), a session spreads over no more workers than its share, so each
# part's cap of at least 1 cannot add up to more than the share.
$node->append_conf('postgresql.conf', 'mlpredict.max_connections = 4');
$node->reload;
ok(defined poll_value($node, 'postgres', q{SHOW mlpredict.max_connections}, qr/^4$/),
	'small share: mlpredict.max_connections is 4');
($rows, $peak, $per) = heavy(120, 40);
is($rows, 120, 'small share: every row answered right');
cmp_ok($peak, '<=', 2, "small share: at most the share (2) in flight: $peak");
cmp_ok(scalar(grep { $_ > 0 } @$per), '<=', 2, "small share: at most two workers answered (@$per)");

$node->stop;
done_testing();
