# The pool's limits under load from several sessions at once, measured on
# the wire by the stand-in:
#  - max_concurrency caps the requests in flight to one connection object,
#    all sessions together;
#  - mlpredict.max_connections caps them in the whole cluster (a reload
#    changes it);
#  - requests_per_minute and tokens_per_minute pace the requests once the
#    bucket's initial burst is spent;
#  - a 429 with Retry-After pauses the whole connection object: no session
#    sends anything on it until Retry-After has passed, and every row still
#    succeeds after retries.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $standin = start_standin(args => [ '--record-max', 10000 ]);
my $node = new_node('pool', { preload => 1 });
$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
my %connections = (
	capped => { max_concurrency => 2 },
	uncapped => {},
	other => {},
	paced => { requests_per_minute => 60 },
	tokened => { tokens_per_minute => 2000, max_concurrency => 1 },
	stormy => {},);
for my $name (sort keys %connections)
{
	create_openai_connection($node, 'postgres', $standin, $name,
		%{ $connections{$name} });
	create_chat_model($node, 'postgres', "m_$name", $name);
}

# One session's script: $n rows of model $model, printing how many came
# back as the echo of their own prompt.
sub rows_sql
{
	my ($model, $tag, $n, $suffix) = @_;
	$suffix //= '';
	return qq{SELECT count(*) FROM generate_series(1, $n) g,
		LATERAL $model('$tag row ' || g || '$suffix')
		WHERE answer = 'echo: $tag row ' || g;
};
}

# Runs the scripts in parallel sessions; checks that session i printed
# $expect[i].
sub run_sessions
{
	my ($what, $scripts, $expect) = @_;
	my @results = psql_parallel($node, 'postgres', @$scripts);
	for my $i (0 .. $#results)
	{
		my ($rc, $out, $err) = @{ $results[$i] };
		is($out, $expect->[$i], "$what: session " . ($i + 1) . ' answered every row')
		  or diag "exit $rc: $err";
	}
	return;
}

# A row of mlpredict.stat_connections, as a hash.
sub conn_stats
{
	my ($name) = @_;
	my $out = $node->safe_psql('postgres', qq{SELECT calls, errors, retries, throttled,
		throttled_ms, in_flight FROM mlpredict.stat_connections WHERE connection = '$name'});
	my %h;
	@h{qw(calls errors retries throttled throttled_ms in_flight)} = split /\|/, $out;
	return \%h;
}

# The recorded requests, sorted by arrival.
sub records
{
	return [ sort { $a->{t_start} <=> $b->{t_start} }
		  @{ standin_get($standin, '/_control/requests') } ];
}

# 1. max_concurrency = 2, six sessions of four 100 ms requests each.
standin_post($standin, '/_control/reset');
run_sessions('max_concurrency',
	[ map { rows_sql('m_capped', "cap s$_", 4, ' [[sleep:100]]') } 1 .. 6 ],
	[ (4) x 6 ]);
my $stats = standin_get($standin, '/_control/stats');
is($stats->{requests}, 24, 'max_concurrency: 24 requests');
is($stats->{max_in_flight}, 2,
	'max_concurrency: exactly 2 in flight at most (capped, and concurrent)')
  or diag explain $stats;
my $recs = records();
my $span = $recs->[-1]{t_end} - $recs->[0]{t_start};
cmp_ok($span, '>=', 1.15,
	sprintf('max_concurrency: 24 x 100 ms two at a time took %.2f s (>= 1.2 s)', $span));
my $cs = conn_stats('capped');
is_deeply([ @$cs{qw(calls errors in_flight)} ], [ 24, 0, 0 ],
	'max_concurrency: stat_connections counts 24 calls, no errors, none in flight');
cmp_ok($cs->{throttled}, '>', 0, 'max_concurrency: requests were held back (throttled)');

# 2. mlpredict.max_connections = 3 (reloaded), six sessions over two
# connection objects without caps: at most 3 in flight in the cluster.
$node->safe_psql('postgres',
	'ALTER SYSTEM SET mlpredict.max_connections = 3; SELECT pg_reload_conf()');
is($node->safe_psql('postgres', 'SHOW mlpredict.max_connections'), '3',
	'max_connections: reloaded');
# the worker reads the file when it handles its SIGHUP: give it a moment
usleep(500_000);
standin_post($standin, '/_control/reset');
run_sessions('max_connections',
	[ (map { rows_sql('m_uncapped', "glob s$_", 4, ' [[sleep:100]]') } 1 .. 3),
	  (map { rows_sql('m_other', "glob t$_", 4, ' [[sleep:100]]') } 1 .. 3) ],
	[ (4) x 6 ]);
$stats = standin_get($standin, '/_control/stats');
is($stats->{requests}, 24, 'max_connections: 24 requests');
is($stats->{max_in_flight}, 3,
	'max_connections: exactly 3 in flight at most, over both connection objects')
  or diag explain $stats;
$node->safe_psql('postgres',
	'ALTER SYSTEM RESET mlpredict.max_connections; SELECT pg_reload_conf()');
usleep(500_000);

# Without the global cap the same load runs 6 wide: the caps above were
# the pool's doing, not the test's.
standin_post($standin, '/_control/reset');
run_sessions('no cap',
	[ map { rows_sql('m_uncapped', "free s$_", 4, ' [[sleep:100]]') } 1 .. 6 ],
	[ (4) x 6 ]);
$stats = standin_get($standin, '/_control/stats');
cmp_ok($stats->{max_in_flight}, '>', 3, 'no cap: more than 3 in flight at once')
  or diag explain $stats;

# 3. requests_per_minute = 60: the bucket starts full (a burst of 60), then
# one request per second.  65 requests from two sessions: request k
# (k > 60) cannot start before k - 60 seconds after the first.
standin_post($standin, '/_control/reset');
run_sessions('requests_per_minute',
	[ rows_sql('m_paced', 'rpm a', 33), rows_sql('m_paced', 'rpm b', 32) ],
	[ 33, 32 ]);
$recs = records();
is(scalar(@$recs), 65, 'requests_per_minute: 65 requests');
my $t0 = $recs->[0]{t_start};
my @early = grep {
	$recs->[$_]{t_start} - $t0 < ($_ + 1 - 60) - 0.05
} 60 .. $#$recs;
is_deeply(\@early, [], 'requests_per_minute: no request beyond the burst of 60 '
	  . 'started before one second per request had passed')
  or diag explain [ map { sprintf('%d: +%.3f s', $_ + 1, $recs->[$_]{t_start} - $t0) }
	  60 .. $#$recs ];
my $burst = $recs->[59]{t_start} - $t0;
cmp_ok($burst, '<', 2,
	sprintf('requests_per_minute: the first 60 went out at once (%.2f s)', $burst));
$span = $recs->[-1]{t_start} - $t0;
cmp_ok($span, '>=', 4.95, sprintf('requests_per_minute: 65 requests took %.2f s', $span));
cmp_ok($span, '<', 8, 'requests_per_minute: and not much more than 5 s');
$cs = conn_stats('paced');
cmp_ok($cs->{throttled}, '>', 0, 'requests_per_minute: throttled requests counted');
cmp_ok($cs->{throttled_ms}, '>=', 1000,
	"requests_per_minute: throttled_ms = $cs->{throttled_ms}");

# 4. tokens_per_minute = 2000 (and max_concurrency = 1, so the requests
# follow one another): every answer's tokens are charged after it
# arrives; once 2000 are spent, later requests wait until the debt is
# repaid at 2000/60 tokens per second.  Each prompt is 49 words, so each
# call uses about 100 tokens (the stand-in counts words).
my $words = join(' ', ('w') x 48);
standin_post($standin, '/_control/reset');
run_sessions('tokens_per_minute',
	[ qq{SELECT count(*) FROM generate_series(1, 22) g,
		LATERAL m_tokened('$words ' || g) WHERE answer = 'echo: $words ' || g;
} ], [22]);
my $tok = $node->safe_psql('postgres', q{SELECT calls, prompt_tokens + completion_tokens
	FROM mlpredict.stat_connections WHERE connection = 'tokened'});
my ($calls, $tokens) = split /\|/, $tok;
is($calls, 22, 'tokens_per_minute: 22 calls');
my $per_call = $calls ? $tokens / $calls : 0;
cmp_ok($per_call, '>=', 90, "tokens_per_minute: $per_call tokens per call");
$recs = records();
$t0 = $recs->[0]{t_start};
my $rate = 2000 / 60;
my @violations;
for my $k (0 .. $#$recs)
{
	# tokens charged before request k+1 was sent: k calls' worth
	my $earliest = ($k * $per_call - 2000) / $rate;
	push @violations, sprintf('%d at +%.3f s, earliest +%.3f s', $k + 1,
		$recs->[$k]{t_start} - $t0, $earliest)
	  if $recs->[$k]{t_start} - $t0 < $earliest - 0.05;
}
is_deeply(\@violations, [],
	'tokens_per_minute: no request started before the spent tokens allowed it');
my $last_earliest = ($#$recs * $per_call - 2000) / $rate;
cmp_ok($last_earliest, '>', 1, 'tokens_per_minute: the test did exceed the budget');
my $free = $per_call ? int(1999 / $per_call) + 1 : 1;
cmp_ok($recs->[ $free - 1 ]{t_start} - $t0, '<', 2,
	"tokens_per_minute: the first $free requests (within 2000 tokens) were not held back");
cmp_ok($recs->[-1]{t_start} - $t0, '<', $last_earliest + 3,
	'tokens_per_minute: and the last one not much later than the budget allowed');

# 5. A 429 storm: the next 3 requests answer 429 (at once) with
# Retry-After: 1.  Two sessions send 5 rows each, one at a time
# (max_parallelism = 1), on the same connection
# object; an answered row takes 150 ms.  Every 429 pauses the connection
# object for one second: no request (of either session) may reach the
# stand-in in that second, except those already on the wire when the 429
# was answered (they arrive within a few ms).  The first two 429s hit both
# sessions' first rows; at the retries one session gets the third 429 and
# the other an answer, so without the pause that other session would send
# its next row 150 ms later, inside the paused second.
standin_post($standin, '/_control/reset');
standin_post($standin, '/_control/config', { storm => { count => 3, retry_after => '1' } });
my $storm_sql = sub {
	my ($s) = @_;
	return qq{SET mlpredict.retry_count = 5;
SET mlpredict.max_parallelism = 1;
SELECT string_agg(answer, ',' ORDER BY g) FROM generate_series(1, 5) g,
	LATERAL m_stormy('storm $s row ' || g || ' [[sleep:150]]');
};
};
run_sessions('429 storm', [ $storm_sql->('a'), $storm_sql->('b') ],
	[ map { my $s = $_; join(',', map { "echo: storm $s row $_" } 1 .. 5) } qw(a b) ]);
$recs = records();
my @throttled = grep { ($_->{status} // 0) == 429 } @$recs;
is(scalar(@throttled), 3, '429 storm: three requests answered 429');
is(scalar(grep { ($_->{status} // 0) == 200 } @$recs), 10,
	'429 storm: ten requests answered 200');
my @during_pause;
for my $r (@throttled)
{
	for my $q (@$recs)
	{
		my $gap = $q->{t_start} - $r->{t_end};
		push @during_pause, sprintf('request %d sent %.3f s after the 429 of request %d',
			$q->{id}, $gap, $r->{id})
		  if $gap > 0.1 && $gap < 0.9;
	}
}
is_deeply(\@during_pause, [],
	'429 storm: nothing was sent on the connection within a second of a 429');
$span = $recs->[-1]{t_end} - $recs->[0]{t_start};
cmp_ok($span, '>=', 1.9,
	sprintf('429 storm: two pauses at least (%.2f s in all)', $span));
$cs = conn_stats('stormy');
is_deeply([ @$cs{qw(calls errors in_flight)} ], [ 10, 0, 0 ],
	'429 storm: stat_connections: 10 calls, no errors');
cmp_ok($cs->{retries}, '>=', 3, "429 storm: stat_connections retries = $cs->{retries}");
cmp_ok($cs->{throttled}, '>', 0, "429 storm: stat_connections throttled = $cs->{throttled}");
is(standin_get($standin, '/_control/config')->{storm}, undef, '429 storm: used up');

$node->stop;
done_testing();
