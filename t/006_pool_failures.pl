# Failures around the pool: a cancelled, timed-out or terminated session
# abandons its request at the pool worker at once (the stand-in sees the
# client close the connection) and frees its concurrency slot; a pool
# worker that exits makes its waiting sessions fail fast with an error
# naming it and is restarted by the postmaster; a worker killed with
# SIGKILL makes the postmaster reinitialize, after which predictions work
# again; and so they do after a restart.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $standin = start_standin();
# restart_after_crash: the test framework turns it off, part 6 needs it
my $node = new_node('pool', { preload => 1 }, 'restart_after_crash = on');
$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
create_openai_connection($node, 'postgres', $standin, 'conn');
create_openai_connection($node, 'postgres', $standin, 'single', max_concurrency => 1);
create_chat_model($node, 'postgres', 'chat', 'conn');
create_chat_model($node, 'postgres', 'chat1', 'single');

# Waits (bounded) until the stand-in has $n requests in flight.
sub wait_in_flight
{
	my ($n, $what) = @_;
	my $deadline = time + 30;
	while (time < $deadline)
	{
		return 1 if standin_get($standin, '/_control/stats')->{in_flight} == $n;
		usleep(10_000);
	}
	fail("$what: the stand-in never had $n requests in flight");
	return 0;
}

# Waits (bounded) until the stand-in has recorded $n aborted requests;
# returns the last aborted record.
sub wait_aborted
{
	my ($n, $what) = @_;
	my $deadline = time + 10;
	while (time < $deadline)
	{
		if (standin_get($standin, '/_control/stats')->{aborted} >= $n)
		{
			my @a = grep { $_->{aborted} } @{ standin_get($standin, '/_control/requests') };
			return $a[-1];
		}
		usleep(10_000);
	}
	fail("$what: the stand-in never saw the request abandoned");
	return { t_end => 1e12 };
}

my $bg = $node->background_psql('postgres', on_error_stop => 0, timeout => 90);
my $pid = $bg->query_safe('SELECT pg_backend_pid()');

# Starts a statement in the background session and returns at once; the
# \echo after it lets wait_bg wait for its end.
sub start_in_bg
{
	my ($sql, $tag) = @_;
	$bg->{stderr} = '';
	$bg->query_until(qr/${tag}_started/,
		"\\echo ${tag}_started\n$sql;\n\\echo ${tag}_done\n");
	return;
}

sub wait_bg
{
	my ($tag) = @_;
	my $out = $bg->query_until(qr/${tag}_done/, '');
	$out =~ s/\n?${tag}_done\n//;
	my $err = $bg->{stderr};
	$bg->{stderr} = '';    # query_safe fails on leftover stderr
	return ($out, $err);
}

# 1. pg_cancel_backend while the request is in flight.
standin_post($standin, '/_control/reset');
start_in_bg(q{SELECT * FROM chat('cancel me [[sleep:30000]]')}, 'cancel');
wait_in_flight(1, 'cancel');
my $t0 = time;
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
my ($out, $err) = wait_bg('cancel');
my $elapsed = time - $t0;
like($err, qr/ERROR:  canceling statement due to user request/, 'cancel: statement cancelled');
cmp_ok($elapsed, '<', 1, sprintf('cancel: the error arrived after %.3f s', $elapsed));
my $rec = wait_aborted(1, 'cancel');
cmp_ok($rec->{t_end} - $t0, '<', 0.5,
	sprintf('cancel: the stand-in saw the request abandoned %.3f s after the cancel',
		$rec->{t_end} - $t0));
is($bg->query_safe(q{SELECT answer FROM chat('after cancel')}), 'echo: after cancel',
	'cancel: the session predicts again');
is(poll_value($node, 'postgres', q{SELECT errors_canceled, in_flight
	FROM mlpredict.stat_connections WHERE connection = 'conn'}, qr/^1\|0$/), '1|0',
	'cancel: stat_connections counts one canceled request, none in flight');

# 2. statement_timeout.
standin_post($standin, '/_control/reset');
$bg->query_safe(q{SET statement_timeout = '300ms'});
start_in_bg(q{SELECT * FROM chat('time me out [[sleep:30000]]')}, 'timeout');
($out, $err) = wait_bg('timeout');
like($err, qr/ERROR:  canceling statement due to statement timeout/,
	'statement_timeout: statement cancelled');
$rec = wait_aborted(1, 'statement_timeout');
my $took = $rec->{t_end} - $rec->{t_start};
cmp_ok($took, '>=', 0.25, sprintf('statement_timeout: abandoned after %.3f s', $took));
cmp_ok($took, '<', 0.3 + 0.5, 'statement_timeout: within 0.5 s of the timeout');
$bg->query_safe('RESET statement_timeout');
is($bg->query_safe(q{SELECT answer FROM chat('after timeout')}), 'echo: after timeout',
	'statement_timeout: the session predicts again');

# 2b. mlpredict.client_timeout: the worker gives up on a slow answer and
# closes the transfer (the stand-in sees the abort), without retrying.
standin_post($standin, '/_control/reset');
$bg->query_safe('SET mlpredict.client_timeout = 1; SET mlpredict.retry_count = 0');
$t0 = time;
start_in_bg(q{SELECT * FROM chat('too slow [[sleep:30000]]')}, 'client_timeout');
($out, $err) = wait_bg('client_timeout');
$elapsed = time - $t0;
like($err, qr/ERROR:  request to model "public\.chat(\$\d+)?" timed out after 1000 ms/,
	'client_timeout: the request timed out');
cmp_ok($elapsed, '<', 1.5, sprintf('client_timeout: after %.3f s', $elapsed));
$rec = wait_aborted(1, 'client_timeout');
$took = $rec->{t_end} - $rec->{t_start};
cmp_ok($took, '>=', 0.9, sprintf('client_timeout: abandoned on the wire after %.3f s', $took));
cmp_ok($took, '<', 1.5, 'client_timeout: within 0.5 s of the limit');
is(standin_get($standin, '/_control/stats')->{requests}, 1, 'client_timeout: not retried');
is(poll_value($node, 'postgres', q{SELECT errors_timeout FROM mlpredict.stat_connections
	WHERE connection = 'conn'}, qr/^1$/), '1', 'client_timeout: counted in errors_timeout');
$bg->query_safe('RESET mlpredict.client_timeout; RESET mlpredict.retry_count');

# 3. max_concurrency = 1: a cancelled request frees its slot for another
# session at once.
standin_post($standin, '/_control/reset');
start_in_bg(q{SELECT * FROM chat1('hold the slot [[sleep:30000]]')}, 'slot');
wait_in_flight(1, 'slot');
my $other = psql_start($node, 'postgres', q{SELECT answer FROM chat1('next in line')});
usleep(500_000);
ok(psql_running($other), 'slot: the other session waits for the slot');
is(standin_get($standin, '/_control/stats')->{requests}, 1,
	'slot: its request has not been sent');
$t0 = time;
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
usleep(5_000) while psql_running($other) && time - $t0 < 30;
$elapsed = time - $t0;
my ($rc, $oout, $oerr) = psql_finish($other);
is($oout, 'echo: next in line', 'slot: the other session got its answer') or diag $oerr;
cmp_ok($elapsed, '<', 1,
	sprintf('slot: %.3f s after the cancel (the slot was freed at once)', $elapsed));
($out, $err) = wait_bg('slot');
like($err, qr/canceling statement due to user request/, 'slot: the holder was cancelled');
$rec = wait_aborted(1, 'slot');
cmp_ok($rec->{t_end} - $t0, '<', 0.5, 'slot: the held request was abandoned on the wire');

# 4. pg_terminate_backend of a session mid-request: its request is
# abandoned too.
standin_post($standin, '/_control/reset');
my $victim = psql_start($node, 'postgres', q{SELECT * FROM chat('terminate me [[sleep:30000]]')});
wait_in_flight(1, 'terminate');
my $vpid = poll_value($node, 'postgres', q{SELECT pid FROM pg_stat_activity
	WHERE query LIKE '%terminate me%' AND pid <> pg_backend_pid() AND state = 'active'},
	qr/^\d+$/);
$t0 = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($vpid)");
($rc, undef, $err) = psql_finish($victim);
like($err, qr/FATAL:  terminating connection due to administrator command/,
	'terminate: the session ended');
$rec = wait_aborted(1, 'terminate');
cmp_ok($rec->{t_end} - $t0, '<', 0.5,
	sprintf('terminate: the request was abandoned %.3f s after the termination',
		$rec->{t_end} - $t0));
is(poll_value($node, 'postgres', q{SELECT in_flight FROM mlpredict.stat_connections
	WHERE connection = 'conn'}, qr/^0$/), '0', 'terminate: nothing left in flight');

# 5. The pool worker exits mid-query (pg_terminate_backend): the waiting
# session gets an error naming it within a second, the postmaster starts
# a new worker, and the same session predicts again.
my ($worker) = pool_worker_pids($node);
like($worker // '', qr/^\d+$/, 'worker exit: the pool worker runs');
standin_post($standin, '/_control/reset');
start_in_bg(q{SELECT * FROM chat('worker exit [[sleep:30000]]')}, 'worker');
wait_in_flight(1, 'worker exit');
$t0 = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($worker)");
($out, $err) = wait_bg('worker');
$elapsed = time - $t0;
like($err, qr/ERROR: .*pool worker/, 'worker exit: the session got an error naming the pool worker');
cmp_ok($elapsed, '<', 1, sprintf('worker exit: after %.3f s', $elapsed));
$rec = wait_aborted(1, 'worker exit');
cmp_ok($rec->{t_end} - $t0, '<', 0.5, 'worker exit: its connection to the provider closed');
my $new = poll_value($node, 'postgres', qq{SELECT pid FROM pg_stat_activity
	WHERE backend_type = 'mlpredict pool' AND pid <> $worker}, qr/^\d+$/);
ok(defined $new, 'worker exit: a new pool worker started');
$elapsed = time - $t0;
cmp_ok($elapsed, '<', 5, sprintf('worker exit: the new worker was there after %.3f s', $elapsed));
is($bg->query_safe(q{SELECT answer FROM chat('after worker exit')}),
	'echo: after worker exit', 'worker exit: the same session predicts again');
is($node->safe_psql('postgres', q{SELECT answer FROM chat('new session')}),
	'echo: new session', 'worker exit: a new session predicts');
$bg->quit;

# 6. SIGKILL of the worker mid-query: the postmaster treats it as a crash,
# terminates every session and reinitializes; then predictions work again.
$worker = $new;
my $log_offset = -s $node->logfile;
standin_post($standin, '/_control/reset');
my $doomed = psql_start($node, 'postgres', q{SELECT * FROM chat('crash [[sleep:30000]]')});
wait_in_flight(1, 'SIGKILL');
ok(kill('KILL', $worker), "SIGKILL: sent to the pool worker $worker");
($rc, undef, $err) = psql_finish($doomed);
isnt($rc, 0, 'SIGKILL: the waiting session failed');
like($err,
	qr/terminating connection because of crash of another server process|server closed the connection unexpectedly|connection to server was lost/,
	'SIGKILL: the session lost its connection');
ok($node->poll_query_until('postgres', 'SELECT 1', '1'),
	'SIGKILL: the cluster accepts connections again');
like(slurp_log($node, $log_offset), qr/all server processes terminated; reinitializing/,
	'SIGKILL: the postmaster reinitialized');
wait_aborted(1, 'SIGKILL');
my $after = poll_value($node, 'postgres', qq{SELECT pid FROM pg_stat_activity
	WHERE backend_type = 'mlpredict pool' AND pid <> $worker}, qr/^\d+$/);
ok(defined $after, 'SIGKILL: a new pool worker runs');
is($node->safe_psql('postgres', q{SELECT answer FROM chat('after the crash')}),
	'echo: after the crash', 'SIGKILL: predictions work again');

# 7. A clean restart.
$node->restart;
ok(defined poll_value($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'mlpredict pool'}, qr/^1$/), 'restart: the pool worker is back');
is($node->safe_psql('postgres', q{SELECT answer FROM chat('after restart')}),
	'echo: after restart', 'restart: predictions work');

$node->stop;
done_testing();
