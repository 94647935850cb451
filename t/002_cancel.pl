# Interrupting a backend that waits on a provider: query cancel while the
# HTTP request is in flight and while waiting between retries,
# pg_terminate_backend, and statement_timeout.  The backend must react
# within a bounded time, stay usable after a cancel, and never crash.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use MlpredictTest;

my $standin = start_standin();
my $node = new_node('main');
setup_connections($node, 'postgres', $standin);
# The backoff test gets a connection of its own: a 503 with Retry-After
# pauses the whole connection object, which would hold up the later tests.
create_openai_connection($node, 'postgres', $standin, 'backoff-connection');
$node->safe_psql('postgres', q{
SELECT * FROM mlpredict.execute($$CREATE MODEL slowmodel INPUT (text STRING) OUTPUT (sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.system_prompt' = 'Return the sentiment of the text.')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL backoffmodel INPUT (text STRING) OUTPUT (sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'backoff-connection', 'openai.system_prompt' = 'Return the sentiment of the text.')$$);
});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# The backend of a session is waiting on the extension, running $like.
sub waiting_query
{
	my ($pid, $like) = @_;
	return qq{SELECT state = 'active' AND wait_event_type = 'Extension' AND query LIKE '$like'
		FROM pg_stat_activity WHERE pid = $pid};
}

my $bg = $node->background_psql('postgres', on_error_stop => 0, timeout => 90);
$bg->set_query_timer_restart();
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
like($pid, qr/^\d+$/, 'background session pid');

# Start a statement in the background session and return at once.  The
# statement is followed by an \echo, so $bg->query_until(qr/$tag/, '')
# waits for it to end (successfully or not).
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
	return ($out, $bg->{stderr});
}

# 1. Cancel while the request is in flight.
standin_post($standin, '/_control/reset');
start_in_bg(q{SELECT * FROM slowmodel('cancel me [[sleep:30000]]')}, 'cancel');
ok($node->poll_query_until('postgres', waiting_query($pid, '%cancel me%')),
	'in flight: backend active with wait_event_type Extension');
my $stats = standin_get($standin, '/_control/stats');
is($stats->{requests}, 1, 'in flight: the stand-in received the request');
cmp_ok($stats->{in_flight}, '>=', 1, 'in flight: the stand-in is still answering it');

my $t0 = time;
is($node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)"), 't',
	'pg_cancel_backend');
my ($out, $err) = wait_bg('cancel');
my $elapsed = time - $t0;
like($err, qr/ERROR:  canceling statement due to user request/,
	'in flight: statement cancelled');
cmp_ok($elapsed, '<', 2, sprintf('in flight: cancel took %.3f s (< 2 s)', $elapsed));
is($out, '', 'in flight: no rows');

# The same session predicts again at once, on a healthy multi handle: two
# requests, and the second reuses the connection the first one opened.
standin_post($standin, '/_control/reset');
$bg->{stderr} = '';
$t0 = time;
($out, my $failed) = $bg->query(
	q{SELECT sentiment FROM slowmodel('what a great happy day') UNION ALL
	  SELECT sentiment FROM slowmodel('what a terrible sad day')});
$elapsed = time - $t0;
is($out, "POSITIVE\nNEGATIVE", 'after cancel: the session predicts again');
is($failed, 0, 'after cancel: no error') or diag $bg->{stderr};
cmp_ok($elapsed, '<', 5, sprintf('after cancel: answered in %.3f s', $elapsed));
$stats = standin_get($standin, '/_control/stats');
is($stats->{requests}, 2, 'after cancel: two requests');
is($stats->{connections}, 1, 'after cancel: one connection, kept alive');

# 2. Cancel while waiting between retries: a 503 with Retry-After: 30.
standin_post($standin, '/_control/reset');
start_in_bg(q{SELECT * FROM backoffmodel('backoff [[status:503]] [[retry-after:30]]',
	mlpredict.options(retry_count => 2))}, 'backoff');
ok($node->poll_query_until('postgres', waiting_query($pid, '%backoff%')),
	'backoff: backend active with wait_event_type Extension');
$stats = standin_get($standin, '/_control/stats');
is_deeply([ $stats->{requests}, $stats->{by_status} ], [ 1, { 503 => 1 } ],
	'backoff: one 503 answered, waiting to retry');
$t0 = time;
is($node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)"), 't',
	'pg_cancel_backend during backoff');
($out, $err) = wait_bg('backoff');
$elapsed = time - $t0;
like($err, qr/ERROR:  canceling statement due to user request/,
	'backoff: statement cancelled');
cmp_ok($elapsed, '<', 2, sprintf('backoff: cancel took %.3f s (< 2 s)', $elapsed));
is(standin_get($standin, '/_control/stats')->{requests}, 1,
	'backoff: no retry was sent after the cancel');

# 3. statement_timeout ends a slow request, and the session goes on.
$bg->{stderr} = '';
$t0 = time;
$out = $bg->query(q{SET statement_timeout = '500ms';
SELECT * FROM slowmodel('timeout [[sleep:30000]]');
RESET statement_timeout;
SELECT sentiment FROM slowmodel('so happy and great')});
$elapsed = time - $t0;
like($bg->{stderr}, qr/ERROR:  canceling statement due to statement timeout/,
	'statement_timeout: error');
cmp_ok($elapsed, '<', 5,
	sprintf('statement_timeout: ended after %.3f s, well under 30 s', $elapsed));
cmp_ok($elapsed, '>=', 0.5, 'statement_timeout: not before 500 ms');
is($out, 'POSITIVE', 'statement_timeout: the next statement predicts');
$bg->quit;

# 4. pg_terminate_backend of a backend waiting on a slow request.
my $log_offset = -s $node->logfile;
my ($tout, $terr) = ('', '');
my $h = IPC::Run::start(
	[ $node->installed_command('psql'), '-XAtq', '-d', $node->connstr('postgres'),
	  '-c', q{SELECT * FROM slowmodel('terminate me [[sleep:30000]]')} ],
	'<', \undef, '>', \$tout, '2>', \$terr, IPC::Run::timeout(90));
my $tpid = poll_value($node, 'postgres', q{SELECT pid FROM pg_stat_activity
	WHERE query LIKE '%terminate me%' AND pid <> pg_backend_pid()
	AND state = 'active' AND wait_event_type = 'Extension'}, qr/^\d+$/);
ok(defined $tpid, 'terminate: backend waiting with wait_event_type Extension');
$t0 = time;
is($node->safe_psql('postgres', "SELECT pg_terminate_backend($tpid, 5000)"), 't',
	'pg_terminate_backend: the backend exited within 5 s');
$h->finish;
$elapsed = time - $t0;
cmp_ok($elapsed, '<', 5, sprintf('terminate: client saw the end after %.3f s', $elapsed));
like($terr, qr/FATAL:  terminating connection due to administrator command/,
	'terminate: the client got the FATAL');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $tpid"),
	'0', 'terminate: the backend is gone');

# No crash: the postmaster did not restart and still serves predictions.
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $started,
	'postmaster not restarted');
is($node->safe_psql('postgres', q{SELECT sentiment FROM slowmodel('a good day')}),
	'POSITIVE', 'a new session predicts');
my $log = slurp_log($node, $log_offset);
like($log, qr/FATAL:  terminating connection due to administrator command/,
	'server log: the termination');
$log = slurp_log($node);
unlike($log,
	qr/terminated by signal|was terminated by|exited with exit code|terminating any other active server processes|server process .* was terminated/,
	'server log: no backend crashed');

$node->stop;
done_testing();
