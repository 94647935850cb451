# The pipelined executor with real processes, through the pool and without
# it: one query keeps max_parallelism requests in flight; a cancel or a
# statement_timeout abandons all of them at once (the stand-in sees every
# client close) and the session works again; the connection's
# max_concurrency caps one query's requests; and while one big query
# fills a capped connection, another session's requests are started in
# turn with it, not behind it.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $standin = start_standin();

sub stats { return standin_get($standin, '/_control/stats'); }

# The user message of a recorded chat request.
sub prompt
{
	my ($rec) = @_;
	my $messages = ref $rec->{body} eq 'HASH' ? $rec->{body}{messages} : undef;
	return ref $messages eq 'ARRAY' && @$messages ? $messages->[-1]{content} // '' : '';
}

# Waits (bounded) until the stand-in has $n requests in flight.
sub wait_in_flight
{
	my ($n, $what) = @_;
	my $deadline = time + 30;
	while (time < $deadline)
	{
		return 1 if stats()->{in_flight} >= $n;
		usleep(10_000);
	}
	fail("$what: the stand-in never had $n requests in flight");
	return 0;
}

# Waits (bounded) until the stand-in has seen $n requests abandoned by the
# client; returns the latest t_end among them.
sub wait_aborted
{
	my ($n, $what) = @_;
	my $deadline = time + 10;
	while (time < $deadline)
	{
		if (stats()->{aborted} >= $n)
		{
			my @a = grep { $_->{aborted} } @{ standin_get($standin, '/_control/requests') };
			my ($last) = sort { $b <=> $a } map { $_->{t_end} } @a;
			return $last;
		}
		usleep(10_000);
	}
	fail("$what: the stand-in saw fewer than $n requests abandoned");
	return 1e12;
}

for my $preload (1, 0)
{
	my $mode = $preload ? 'pool' : 'in-backend';
	my $node = new_node($preload ? 'pipe_pool' : 'pipe_local', { preload => $preload });
	$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
	create_openai_connection($node, 'postgres', $standin, 'conn');
	create_openai_connection($node, 'postgres', $standin, 'capped', max_concurrency => 3);
	create_chat_model($node, 'postgres', 'chat', 'conn');
	create_chat_model($node, 'postgres', 'capchat', 'capped');

	# 1. One query, many requests in flight (the default max_parallelism).
	standin_post($standin, '/_control/reset');
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM generate_series(1, 40) g,
			LATERAL chat('w' || g || ' [[sleep:300]]') WHERE answer = 'echo: w' || g}),
		'40', "$mode: 40 rows answered");
	is(stats()->{max_in_flight}, 32, "$mode: one query had 32 requests in flight");

	# 2. The connection's max_concurrency caps them.
	standin_post($standin, '/_control/reset');
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM generate_series(1, 12) g,
			LATERAL capchat('m' || g || ' [[sleep:100]]')}),
		'12', "$mode: capped query answered");
	is(stats()->{max_in_flight}, 3, "$mode: max_concurrency = 3 held for one query");

	# 3. Cancel with 32 requests in flight.
	my $bg = $node->background_psql('postgres', on_error_stop => 0, timeout => 90);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	standin_post($standin, '/_control/reset');
	$bg->query_until(qr/cancel_started/, q{\echo cancel_started
SELECT count(*) FROM generate_series(1, 100) g, LATERAL chat('c' || g || ' [[sleep:30000]]');
\echo cancel_done
});
	wait_in_flight(32, "$mode cancel");
	my $t0 = time;
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	$bg->query_until(qr/cancel_done/, '');
	my $elapsed = time - $t0;
	like($bg->{stderr}, qr/canceling statement due to user request/, "$mode: cancelled");
	$bg->{stderr} = '';
	cmp_ok($elapsed, '<', 2, sprintf('%s: the cancel took %.3f s', $mode, $elapsed));
	my $last = wait_aborted(32, "$mode cancel");
	cmp_ok($last - $t0, '<', 2,
		sprintf('%s: all 32 requests were abandoned %.3f s after the cancel', $mode, $last - $t0));
	is($bg->query_safe(q{SELECT answer FROM chat('after cancel')}), 'echo: after cancel',
		"$mode: the session predicts after the cancel");

	# 4. statement_timeout, and a LIMIT that stops the query early.
	standin_post($standin, '/_control/reset');
	$bg->query_safe(q{SET statement_timeout = '500ms'});
	$bg->query_until(qr/timeout_started/, q{\echo timeout_started
SELECT count(*) FROM generate_series(1, 100) g, LATERAL chat('t' || g || ' [[sleep:30000]]');
\echo timeout_done
});
	$bg->query_until(qr/timeout_done/, '');
	like($bg->{stderr}, qr/canceling statement due to statement timeout/, "$mode: timed out");
	$bg->{stderr} = '';
	wait_aborted(32, "$mode statement_timeout");
	$bg->query_safe('RESET statement_timeout');
	standin_post($standin, '/_control/reset');
	is($bg->query_safe(q{SELECT string_agg(answer, ',') FROM (SELECT answer FROM generate_series(1, 100) g,
		LATERAL chat('l' || g || CASE WHEN g > 3 THEN ' [[sleep:3000]]' ELSE '' END) LIMIT 2) s}),
		'echo: l1,echo: l2', "$mode: LIMIT 2 returns at once");
	cmp_ok(stats()->{requests}, '<=', 5, "$mode: LIMIT 2 started at most 5 requests");
	$bg->quit;

	# 5. Fairness: a big query fills the capped connection; a small query
	# of another session gets turns as slots free up, instead of waiting
	# behind the big query's queued requests.
	standin_post($standin, '/_control/reset');
	my $big = psql_start($node, 'postgres', q{
SELECT count(*) FROM generate_series(1, 150) g, LATERAL capchat('big ' || g || ' [[sleep:50]]');});
	wait_in_flight(3, "$mode fairness");
	usleep(200_000);
	# the small session warms up (its channel to the pool, its caches) on
	# the uncapped connection, then notes when its query starts: start-up
	# costs of a new session do not count
	my ($rc, $out) = psql_finish(psql_start($node, 'postgres', q{
SELECT answer FROM chat('warm up');
SELECT count(*) FROM mlpredict.debug_request('capchat', 'warm up');
SELECT extract(epoch FROM clock_timestamp());
SELECT count(*) FROM generate_series(1, 3) g, LATERAL capchat('small ' || g || ' [[sleep:50]]');}));
	my (undef, undef, $small_start, $small_count) = split /\n/, $out;
	is($small_count, '3', "$mode: the small query answered");
	($rc, $out) = psql_finish($big);
	is($out, '150', "$mode: the big query answered");
	my @recs = sort { $a->{t_start} <=> $b->{t_start} }
	  grep { defined $_->{t_start} } @{ standin_get($standin, '/_control/requests?n=1000') };
	my @small = grep { prompt($_) =~ /small/ } @recs;
	my ($small_last) = sort { $b <=> $a } map { $_->{t_start} } @small;
	my $big_between = grep {
		prompt($_) =~ /big/ && $_->{t_start} > $small_start && $_->{t_start} < $small_last
	} @recs;
	is(scalar @small, 3, "$mode: three small requests recorded");
	if ($preload)
	{
		# taking turns: about one big request per small one, plus the few
		# that start while the small query is planned and sent; queued
		# behind the big query's window it would be about 29, and starved
		# until the big query ends, over 100
		cmp_ok($big_between, '<=', 12,
			"pool: only $big_between big requests started between the small query's start and its last request");
	}
	else
	{
		# without the pool each backend has its own cap: no waiting at all
		cmp_ok($big_between, '<=', 8, "in-backend: the small query did not wait ($big_between)");
	}
	$node->stop;
}

done_testing();
