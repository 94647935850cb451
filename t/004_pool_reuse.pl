# The connection pool reuses TCP connections across sessions: with
# shared_preload_libraries = 'mlpredict', the 'mlpredict pool' background
# worker performs every session's requests, so six sessions sending three
# thousand requests through a connection object capped at
# max_concurrency = 4 use at most four TCP connections (six sessions, so
# that the cap, not the number of sessions, is what bounds them), and six
# new sessions doing the same again reuse them instead of opening new ones.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $sessions = 6;
my $statements = 5;
my $rows = 100;    # per statement: 500 rows per session
my $total = $sessions * $statements * $rows;

# keep every request's record: two rounds of $total
my $standin = start_standin(args => [ '--record-max', 4 * $total ]);
my $node = new_node('pool', { preload => 1 });
$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
create_openai_connection($node, 'postgres', $standin, 'pooled',
	max_concurrency => 4);
create_chat_model($node, 'postgres', 'chat', 'pooled');

# The worker is there, with its own backend_type and a status line.
my $activity = poll_value($node, 'postgres', q{SELECT query FROM pg_stat_activity
	WHERE backend_type = 'mlpredict pool'}, qr/^mlpredict pool worker 1: /);
like($activity // '',
	qr/^mlpredict pool worker 1: \d+ sessions?, \d+ in flight, \d+ queued$/,
	'pg_stat_activity shows the pool worker and its status');
is(scalar(pool_worker_pids($node)), 1, 'one pool worker (the default)');

# Each session checks its own answers: every statement prints how many of
# its rows came back as the echo of their own prompt.
sub session_sql
{
	my ($round, $session) = @_;
	return join('', map {
		qq{SELECT count(*) FROM generate_series(1, $rows) g,
			LATERAL chat('r$round s$session q$_ row ' || g)
			WHERE answer = 'echo: r$round s$session q$_ row ' || g;
}
	} 1 .. $statements);
}

# Runs one round: $sessions parallel sessions.  Meanwhile samples the
# worker's status line; returns the statuses seen.
sub run_round
{
	my ($round) = @_;
	my @ps = map { psql_start($node, 'postgres', session_sql($round, $_)) }
	  1 .. $sessions;
	my %seen;
	while (grep { psql_running($_) } @ps)
	{
		my ($ret, $out) = $node->psql('postgres', q{SELECT query FROM pg_stat_activity
			WHERE backend_type = 'mlpredict pool'});
		$seen{$out} = 1 if $ret == 0;
		usleep(20_000);
	}
	for my $i (0 .. $#ps)
	{
		my ($rc, $out, $err, $secs) = psql_finish($ps[$i]);
		is($rc, 0, "round $round session " . ($i + 1) . ': no error') or diag $err;
		is($out, join("\n", ($rows) x $statements),
			"round $round session " . ($i + 1) . ": $statements x $rows rows answered")
		  or diag $err;
		note sprintf('round %d session %d: %.2f s', $round, $i + 1, $secs);
	}
	return keys %seen;
}

# Round 1.
standin_post($standin, '/_control/reset');
my @status = run_round(1);
my $stats = standin_get($standin, '/_control/stats');
is($stats->{requests}, $total, "round 1: the stand-in received $total requests");
is_deeply($stats->{by_status}, { 200 => $total }, 'round 1: all answered 200');
cmp_ok($stats->{connections}, '<=', 4, 'round 1: over at most 4 TCP connections')
  or diag explain $stats;
cmp_ok($stats->{max_in_flight}, '<=', 4, 'round 1: at most 4 requests in flight');
my $reqs = standin_get($standin, '/_control/requests');
is(scalar(@$reqs), $total, 'round 1: every request recorded');
my %round1 = map { $_->{connection} => 1 } @$reqs;
cmp_ok(scalar(keys %round1), '<=', 4, 'round 1: at most 4 distinct connection ids')
  or diag join(',', sort keys %round1);
is_deeply([ grep { ($_->{headers}{connection} // '') =~ /close/i } @$reqs ], [],
	'round 1: no request asked to close its connection');
# (The stand-in answers these requests too fast to overlap them, so the
# worker's own status line shows the concurrency.)
ok((grep { /: [1-9]\d* sessions?, [2-9]\d* in flight/ } @status),
	'round 1: the worker reported several requests in flight at once')
  or diag explain \@status;
is_deeply([ grep { /, (\d+) in flight/ && $1 > 4 } @status ], [],
	'round 1: the worker never reported more than 4 in flight');
note 'worker status lines seen: ' . join(' | ', sort @status);

# Round 2: new sessions (new backends), the same work.  The worker keeps
# its connections, so no new TCP connection carries a model request.
standin_post($standin, '/_control/reset');
run_round(2);
$stats = standin_get($standin, '/_control/stats');
is($stats->{requests}, $total, "round 2: the stand-in received $total requests");
is_deeply($stats->{by_status}, { 200 => $total }, 'round 2: all answered 200');
cmp_ok($stats->{connections}, '<=', 4, 'round 2: over at most 4 TCP connections');
$reqs = standin_get($standin, '/_control/requests');
my %round2 = map { $_->{connection} => 1 } @$reqs;
is_deeply([ grep { !$round1{$_} } sort keys %round2 ], [],
	'round 2: only connections opened in round 1 were used (no new TCP connections)')
  or diag 'round 1: ' . join(',', sort keys %round1) . '; round 2: '
  . join(',', sort keys %round2);

# Cluster-wide statistics of the connection object.
my $row = $node->safe_psql('postgres', q{SELECT calls, rows, errors, retries, in_flight,
	latency_p50_ms IS NOT NULL FROM mlpredict.stat_connections WHERE connection = 'pooled'});
is($row, join('|', 2 * $total, 2 * $total, 0, 0, 0, 't'),
	'stat_connections: every call and row of both rounds, no errors, none in flight');

# All sessions gone: the worker says so.
ok(defined poll_value($node, 'postgres', q{SELECT query FROM pg_stat_activity
	WHERE backend_type = 'mlpredict pool'}, qr/: 0 sessions, 0 in flight, 0 queued$/),
	'the worker reports no sessions once they have ended');

$node->stop;
done_testing();
