# Outages, with a real one: the stand-in stops listening and resets every
# open connection for 1 s and for 5 s (POST /_control/outage) in the middle
# of a pipelined INSERT ... SELECT ... LATERAL model(...) of a few thousand
# rows, which must commit every row (count and content) with the default
# mlpredict.retry_outage_window; and an endpoint that never comes back:
# the first statement fails after the window with the clear error (08001,
# the connection named, how long it has been failing and the last error,
# the setting in the hint, no secret), the following ones fail at once
# (each well under a second), the breaker shows as open, and a
# statement_timeout still stops a statement waiting for an endpoint.  A
# connect that a session's short connect_timeout cuts off does not count
# against the endpoint (every session shares its breaker).
# Through the pool and without it (the in-backend dispatcher shares the
# logic; its breakers are the session's).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use IO::Socket::INET;
use MlpredictTest;

my $rows = 3000;
my $standin = start_standin(args => [ '--latency-ms', '10' ]);

sub stats { return standin_get($standin, '/_control/stats'); }

# Waits (bounded) until the stand-in has answered at least $n requests.
sub wait_requests
{
	my ($n, $what) = @_;
	my $deadline = time + 60;
	while (time < $deadline)
	{
		return 1 if stats()->{requests} >= $n;
		usleep(5_000);
	}
	fail("$what: the stand-in never saw $n requests");
	return 0;
}

# A pipelined INSERT of $rows rows with an outage of $seconds in the middle.
sub insert_through_outage
{
	my ($node, $mode, $seconds) = @_;
	my $what = "$mode, ${seconds} s outage";

	$node->safe_psql('postgres', 'TRUNCATE answers');
	standin_post($standin, '/_control/reset');
	my $p = psql_start($node, 'postgres', qq{
INSERT INTO answers SELECT g, a.answer
FROM generate_series(1, $rows) g, LATERAL chat('row ' || g) a;
});
	wait_requests($rows / 4, $what);
	my $before = stats()->{requests};
	my $t_outage = time;
	standin_post($standin, '/_control/outage', { seconds => $seconds });
	my ($rc, $out, $err, $elapsed) = psql_finish($p);
	my $after_outage = time - $t_outage;
	# (should it have failed, the stand-in may still be down)
	usleep(1_000_000 * ($t_outage + $seconds + 0.2 - time)) if time < $t_outage + $seconds + 0.2;
	is($rc, 0, "$what: the INSERT commits") or diag $err;
	ok($before < $rows, "$what: the outage began mid-INSERT ($before of $rows answered)");
	is(stats()->{outages}, 1, "$what: the stand-in went down once");
	ok($after_outage >= $seconds, "$what: the INSERT outlasted the outage");
	is($node->safe_psql('postgres', q{
SELECT count(*) || ' ' || count(DISTINCT id) || ' ' ||
	count(*) FILTER (WHERE answer = 'echo: row ' || id) FROM answers}),
		"$rows $rows $rows", "$what: every row committed, each with its own answer");
	diag(sprintf('%s: %d rows %s in %.2f s (%.2f s after the outage began)',
		$what, $rows, $rc == 0 ? 'committed' : 'FAILED', $elapsed, $after_outage));
	return;
}

for my $preload (1, 0)
{
	my $mode = $preload ? 'pool' : 'in-backend';
	my $node = new_node($preload ? 'outage_pool' : 'outage_local', { preload => $preload });
	$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
	create_openai_connection($node, 'postgres', $standin, 'conn');
	create_chat_model($node, 'postgres', 'chat', 'conn');
	$node->safe_psql('postgres', 'CREATE TABLE answers (id int, answer text)');

	# 1. A 1 s and a 5 s restart mid-INSERT: every row commits.
	insert_through_outage($node, $mode, 1);
	insert_through_outage($node, $mode, 5);
	is($node->safe_psql('postgres',
		q{SELECT state || ' ' || failures FROM mlpredict.circuit_breakers() WHERE connection = 'conn'}),
		$preload ? 'closed 0' : '', "$mode: the breaker closed again (the pool's is shared; a new session has none)");

	# 2. An endpoint that never comes back (nothing listens on port 1).
	$node->safe_psql('postgres', q{
SELECT * FROM mlpredict.execute($$CREATE CONNECTION down WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:1/v1/chat/completions', 'api-key' = 'sk-secret-down-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL downchat INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'down')$$);
CREATE FUNCTION try_down(n int, nrows int)
RETURNS TABLE (i int, state text, msg text, detail text, hint text, secs float8)
LANGUAGE plpgsql AS $f$
DECLARE
	t timestamptz;
BEGIN
	FOR k IN 1..n LOOP
		i := k;
		t := clock_timestamp();
		state := NULL; msg := NULL; detail := NULL; hint := NULL;
		BEGIN
			PERFORM count(*) FROM generate_series(1, nrows) g, LATERAL downchat('row ' || g);
		EXCEPTION WHEN others THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
				detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
		END;
		secs := extract(epoch FROM clock_timestamp() - t);
		RETURN NEXT;
	END LOOP;
END
$f$;
});
	my $result = $node->safe_psql('postgres', q{
SELECT i, state, msg, detail, hint, secs FROM try_down(4, 200);
SELECT state, failures >= 3, last_error IS NOT NULL, next_probe IS NOT NULL
FROM mlpredict.circuit_breakers() WHERE connection = 'down';
});
	my @lines = split /\n/, $result;
	my $breaker = pop @lines;
	is(scalar @lines, 4, "$mode: four statements against the down endpoint");
	my @first = split /\|/, $lines[0];
	is($first[1], '08001', "$mode: unavailable is SQLSTATE 08001");
	is($first[2], 'connection "down" is unavailable', "$mode: the error names the connection");
	like($first[3],
		qr/^Its endpoint has been unreachable for \d+\.\d s; last error: Failed to connect to 127\.0\.0\.1( port |:)1/,
		"$mode: the detail says for how long and the last error");
	like($first[4], qr/mlpredict\.retry_outage_window/, "$mode: the hint names the setting");
	unlike($result, qr/sk-secret-down-key/, "$mode: no secret in the error");
	ok($first[5] >= 9.5 && $first[5] < 20,
		"$mode: the first statement waited out the window (10 s by default): $first[5] s");
	for my $n (1 .. 3)
	{
		my @f = split /\|/, $lines[$n];
		is("$f[1] $f[2]", '08001 connection "down" is unavailable', "$mode: statement " . ($n + 1) . " fails the same way");
		ok($f[5] < 1.0, "$mode: statement " . ($n + 1) . " of 200 rows fails fast: $f[5] s");
	}
	diag(sprintf('%s: first statement failed after %.2f s; then %s s', $mode, $first[5],
		join(', ', map { (split /\|/, $_)[5] } @lines[1 .. 3])));
	like($breaker, qr/^(open|half-open)\|t\|t\|t$/, "$mode: the breaker shows as open");

	# 3. statement_timeout and cancel still stop a statement waiting for an
	# endpoint at once (a connection of its own: its breaker is closed).
	$node->safe_psql('postgres', q{
SELECT * FROM mlpredict.execute($$CREATE CONNECTION down2 WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:1/v1/chat/completions', 'api-key' = 'sk-secret-down-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL downchat2 INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'down2')$$);
});
	my $t0 = time;
	my ($rc, $out, $err) = $node->psql('postgres', q{
SET statement_timeout = '1s';
SELECT count(*) FROM generate_series(1, 100) g, LATERAL downchat2('row ' || g);
});
	my $took = time - $t0;
	like($err, qr/canceling statement due to statement timeout/, "$mode: statement_timeout ends the wait");
	ok($took < 4, "$mode: at once (${took} s)");

	# 4. retry_count 0 still means no retry: the real error, at once.
	$t0 = time;
	($rc, $out, $err) = $node->psql('postgres', q{
SELECT * FROM mlpredict.execute($$CREATE CONNECTION down3 WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:1/v1/chat/completions', 'api-key' = 'sk-secret-down-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL downchat3 INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'down3')$$);
SELECT * FROM downchat3('once', mlpredict.options(retry_count => 0));
});
	like($err, qr/could not reach model/, "$mode: retry_count 0: the connection failure itself");
	ok(time - $t0 < 4, "$mode: retry_count 0: at once");

	# 5. A gateway whose upstream is down (502 for every request), with a
	# 3 s window: the breaker keeps a pipelined query of 200 rows from
	# sending each row's attempts (about 200 requests a second of waiting
	# without it); one probe at a time goes, and the statement fails after
	# the window.
	$node->safe_psql('postgres', q{
LOAD 'mlpredict';
ALTER SYSTEM SET mlpredict.retry_outage_window = '3s';
SELECT pg_reload_conf();
});
	poll_value($node, 'postgres', q{LOAD 'mlpredict'; SHOW mlpredict.retry_outage_window}, qr/^3s$/);
	usleep(300_000);    # the pool worker reloads in its loop
	create_openai_connection($node, 'postgres', $standin, 'gateway');
	create_chat_model($node, 'postgres', 'gatechat', 'gateway');
	standin_post($standin, '/_control/reset');
	$t0 = time;
	($rc, $out, $err) = $node->psql('postgres', q{
SELECT count(*) FROM generate_series(1, 200) g, LATERAL gatechat('row ' || g || ' [[status:502]]');
});
	$took = time - $t0;
	my $sent = stats()->{requests};
	like($err, qr/ERROR:  (model "public\.gatechat\$1" returned HTTP status 502|connection "gateway" is unavailable)/,
		"$mode: a gateway's 502s fail the statement after the window");
	ok($took >= 2.5 && $took < 8, "$mode: after about the 3 s window (${took} s)");
	ok($sent < 100, "$mode: the breaker held the requests back: $sent sent to the gateway for 200 rows in ${took} s");
	diag(sprintf('%s: a gateway answering 502 got %d requests in %.2f s for 200 rows', $mode, $sent, $took));
	$node->safe_psql('postgres', q{
LOAD 'mlpredict';
ALTER SYSTEM RESET mlpredict.retry_outage_window;
SELECT pg_reload_conf();
});

	# 4. A connect that times out marks the endpoint down (for every
	# session) only when it had at least a second: one session's short
	# connect_timeout must not open the breaker for the others.  A
	# listener whose accept queue is full drops new SYNs, so connecting to
	# it times out.
	my $hole = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
		LocalPort => 0, Proto => 'tcp') or die "listen: $@";
	my $hole_port = $hole->sockport;
	my @queued = map {
		IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $hole_port,
			Proto => 'tcp', Blocking => 0)
	} 1 .. 4;
	$node->safe_psql('postgres', qq{
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION hole WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:$hole_port/v1/chat/completions', 'api-key' = 'sk-hole-key')\$\$);
SELECT * FROM mlpredict.execute(\$\$CREATE MODEL holechat INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'hole')\$\$);
});
	my $breaker_sql = q{SELECT coalesce(max(state || ' ' || failures), 'none')
FROM mlpredict.circuit_breakers() WHERE connection = 'hole'};
	# (each statement and the look at the breaker in one session: without
	# the pool, breakers are the session's)
	$t0 = time;
	($rc, $out, $err) = $node->psql('postgres', q{
SELECT count(*) FROM generate_series(1, 4) g,
	LATERAL holechat('row ' || g, mlpredict.options(connect_timeout => 200, retry_count => 0));
} . $breaker_sql, on_error_stop => 0);
	$took = time - $t0;
	like($err, qr/ERROR:  .*holechat/, "$mode: a connect cut short by connect_timeout => 200 fails the statement");
	ok($took < 3, sprintf('%s: ... at once (%.2f s)', $mode, $took)) or diag $err;
	like($out, qr/^(none|closed 0)$/, "$mode: ... and does not count against the endpoint");
	($rc, $out, $err) = $node->psql('postgres', q{
SELECT count(*) FROM generate_series(1, 2) g,
	LATERAL holechat('row ' || g, mlpredict.options(connect_timeout => 1000, client_timeout => 2));
} . $breaker_sql, on_error_stop => 0);
	like($err, qr/ERROR:  /, "$mode: a connect given a second that times out fails too");
	like($out, qr/^(open|closed|half-open) [1-9]/,
		"$mode: ... and that one counts: the endpoint is failing");
	close $_ for grep { defined } @queued;
	close $hole;

	$node->stop;
}

done_testing();
