# No session can starve or exhaust the shared connection pool, and the
# shared tables never fail open:
#  - a session holds at most mlpredict.max_session_share of the pool's
#    slots: while one session keeps 70 requests open against a server
#    that sends one byte a second, another session's call starts at once
#    and completes;
#  - mlpredict.max_client_timeout bounds every attempt: a longer
#    client_timeout runtime option is refused, a longer
#    mlpredict.client_timeout is lowered to it;
#  - mlpredict.pool_max_buffered_bytes bounds the bytes a pool worker
#    holds: big answers in parallel all arrive, the worker's peak stays
#    within the budget (mlpredict.pool_info()), and a single answer
#    larger than the budget fails with a clear error; the worker gives
#    the memory of big answers back once idle;
#  - the limiter table has room for every connection that may have
#    requests in flight: with mlpredict.max_connections above 256 and
#    more than 256 connections busy, a connection's max_concurrency still
#    holds (it used to go unlimited); when every entry is busy (the
#    setting was raised by a reload), a request waits for one;
#  - dropped connections and models free their statistics rows, so a new
#    connection is counted after many were used and dropped.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $standin = start_standin(args => [ '--record-max', 10000 ]);
my $node = new_node('bounds', { preload => 1 },
	'max_connections = 40',
	# the limiter table is sized from it at start (256 at least)
	'mlpredict.max_connections = 300',
	'mlpredict.stat_max_connections = 400');
$node->safe_psql('postgres', q{CREATE EXTENSION mlpredict; CREATE ROLE alice LOGIN;});
create_openai_connection($node, 'postgres', $standin, 'slow');
create_openai_connection($node, 'postgres', $standin, 'quick');
create_chat_model($node, 'postgres', 'm_slow', 'slow');
create_chat_model($node, 'postgres', 'm_quick', 'quick');

sub in_flight
{
	my ($connection) = @_;
	return $node->safe_psql('postgres', qq{SELECT coalesce(sum(in_flight), 0)
		FROM mlpredict.stat_connections WHERE connection = '$connection'});
}

sub reload_with
{
	my (@settings) = @_;
	# (psql, not safe_psql: the checks below fail, not this, where a
	# setting is missing)
	$node->psql('postgres', "ALTER SYSTEM SET $_") for @settings;
	$node->reload;
	# the worker reads the file on its next pass
	usleep(500_000);
	return;
}

# ---------------------------------------------------------------------------
# 1. client_timeout ceiling
my ($rc, $out, $err) = $node->psql('postgres',
	q{SELECT answer FROM m_quick('hi', mlpredict.options(client_timeout => 3600));});
isnt($rc, 0, 'a client_timeout above mlpredict.max_client_timeout is refused');
like($err, qr/runtime option "client_timeout" must not exceed mlpredict.max_client_timeout \(300 s\), got 3600/,
	'... with an error naming the ceiling');
like($err, qr/HINT:.*ask a superuser to raise mlpredict.max_client_timeout/,
	'... and a hint');
($rc, $out, $err) = $node->psql('postgres', q{SET ROLE alice;
SET mlpredict.max_client_timeout = '1h';});
like($err, qr/permission denied to set parameter "mlpredict.max_client_timeout"/,
	'only a superuser may raise the ceiling');

reload_with(q{mlpredict.max_client_timeout = '2s'});
my $t0 = time;
($rc, $out, $err) = $node->psql('postgres', q{
SET mlpredict.client_timeout = 3600; SET mlpredict.retry_count = 0;
SELECT answer FROM m_quick('nap [[sleep:6000]]');});
my $took = time - $t0;
isnt($rc, 0, 'mlpredict.client_timeout above the ceiling is lowered to it');
like($err, qr/timed out|timeout/i, '... the request timed out');
cmp_ok($took, '<', 5, "... after the ceiling of 2 s, not 6 s (took $took s)");
reload_with(q{mlpredict.max_client_timeout = '1h'});

# ---------------------------------------------------------------------------
# 2. one session cannot take every slot of the pool
reload_with(q{mlpredict.max_connections = 64});
my $hog = psql_start($node, 'postgres', q{
SET statement_timeout = '120s';
SELECT count(*) FROM generate_series(1, 70) g,
	LATERAL m_slow('trickle ' || g || ' [[trickle:1000]]',
		mlpredict.options(max_parallelism => 70, client_timeout => 3600));
}, timeout => 180);
my $hog_flight = poll_value($node, 'postgres',
	q{SELECT sum(in_flight) >= 30 FROM mlpredict.stat_connections WHERE connection = 'slow'},
	qr/^t$/);
ok(defined $hog_flight, 'the big query keeps requests on the wire');
usleep(1_000_000);
$hog_flight = in_flight('slow');
is($hog_flight, 32, 'a session holds at most 50% of the 64 slots (max_session_share)');

$t0 = time;
($rc, $out, $err) = $node->psql('postgres',
	q{SET statement_timeout = '20s'; SELECT answer FROM m_quick('second session');});
$took = time - $t0;
is($out, 'echo: second session', 'another session\'s call completes meanwhile')
  or diag $err;
cmp_ok($took, '<', 3, "... at once (took $took s)");
my ($second) = grep { ($_->{body}{messages}[0]{content} // '') eq 'second session' }
  @{ standin_get($standin, '/_control/requests') };
ok($second && $second->{t_start} - $t0 < 1.5,
	'... its request reached the server within a second');
ok(psql_running($hog), 'the big query is still running');
$node->safe_psql('postgres', q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE query LIKE '%trickle%' AND pid <> pg_backend_pid() AND backend_type = 'client backend'});
psql_finish($hog);
ok(defined poll_value($node, 'postgres',
	q{SELECT sum(in_flight) FROM mlpredict.stat_connections WHERE connection = 'slow'}, qr/^0$/),
	'cancelling the big query frees its slots');

# Resident anonymous memory of a process, in kB.
sub rss_anon_kb
{
	my ($pid) = @_;
	my $status = PostgreSQL::Test::Utils::slurp_file("/proc/$pid/status");
	return $status =~ /^RssAnon:\s*(\d+) kB/m ? $1 : -1;
}

# ---------------------------------------------------------------------------
# 3. the pool worker's buffer budget
reload_with(q{mlpredict.pool_max_buffered_bytes = '2MB'}, q{mlpredict.max_session_share = 100});
my $budget = 2 * 1024 * 1024;
($rc, $out, $err) = $node->psql('postgres', q{SET statement_timeout = '120s';
SELECT count(*), min(length(answer)), max(length(answer))
FROM generate_series(1, 16) g,
	LATERAL m_quick('big ' || g || ' [[big:600000]]', mlpredict.options(max_parallelism => 16));});
like($out, qr/^16\|(599\d\d\d)\|\1$/, 'sixteen answers of 600 kB in parallel all arrive under a 2 MB budget')
  or diag $err;
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT buffered_bytes, peak_buffered_bytes FROM mlpredict.pool_info() WHERE worker = 1});
my ($buffered, $peak) = $rc == 0 ? split(/\|/, $out) : (-1, -1);
ok($peak >= 0 && $peak <= $budget,
	"the worker's peak buffered bytes ($peak) stay within the budget");
cmp_ok($peak, '>', 600000, '... and it did buffer big answers');
is($buffered, 0, 'nothing stays buffered afterwards');

($rc, $out, $err) = $node->psql('postgres', q{SET mlpredict.retry_count = 0;
SELECT length(answer) FROM m_quick('huge [[big:3000000]]');});
isnt($rc, 0, 'an answer larger than the whole budget fails');
like($err, qr/ERROR:  response of model "public.m_quick\$1" is too large\nDETAIL:  The response body exceeds the pool's buffer budget of 2097152 bytes \(mlpredict.pool_max_buffered_bytes\)\./,
	'... with an error naming the budget');
is($node->safe_psql('postgres', q{SELECT answer FROM m_quick('after')}), 'echo: after',
	'... and the pool goes on serving');
reload_with(q{mlpredict.pool_max_buffered_bytes = '256MB'});

# A long answer crosses the response queue as its head, then its body in
# pieces.  A query that stops reading (LIMIT 1) while big answers are
# still arriving leaves their remaining pieces to be dropped: the same
# session's next answers are its own and whole.
($rc, $out, $err) = $node->psql('postgres', q{SET statement_timeout = '120s';
SELECT length(answer) > 100000 FROM generate_series(1, 12) g,
	LATERAL m_quick('cut ' || g || ' [[big:700000]]', mlpredict.options(max_parallelism => 12)) LIMIT 1;
SELECT string_agg(left(answer, 12) || ':' || length(answer), ',' ORDER BY g)
FROM generate_series(1, 3) g, LATERAL m_quick('next ' || g || ' [[big:300000]]');
SELECT answer FROM m_quick('after');});
like($out, qr/^t\necho: next 1:(299\d\d\d),echo: next 2:\1,echo: next 3:\1\necho: after$/,
	'after a query stopped reading big answers mid-way, the next answers are whole and in step')
  or diag "$out\n$err";
ok($node->poll_query_until('postgres',
		q{SELECT sum(buffered_bytes) = 0 FROM mlpredict.pool_info()}),
	'... and the pool holds no bytes for the dropped pieces');

# The worker keeps freed memory in its heap while it is busy, and gives it
# back once idle for a second.  Sixteen answers of 600 kB arrive at once
# for a backend that reads one row every 50 ms: the worker holds most of
# them until sent, then frees them.
my $worker = (pool_worker_pids($node))[0];
my $anon_before = rss_anon_kb($worker);
($rc, $out, $err) = $node->psql('postgres', q{SET statement_timeout = '120s';
SELECT count(*) FROM (SELECT length(answer), pg_sleep(0.05) FROM generate_series(1, 16) g,
	LATERAL m_quick('held ' || g || ' [[big:600000]]', mlpredict.options(max_parallelism => 16))) a;});
is($out, 16, 'sixteen answers of 600 kB read slowly') or diag $err;
# (how much it keeps depends on how many answers it held at once: only
# shown, 1.9-6.5 MB in the runs seen)
my $anon_kept = rss_anon_kb($worker);
diag("the worker's resident memory: $anon_before kB before, $anon_kept kB right after");
my $anon_after;
for (1 .. 100)
{
	$anon_after = rss_anon_kb($worker);
	last if $anon_after < $anon_before + 1024;
	usleep(100_000);
}
cmp_ok($anon_after, '<', $anon_before + 1024,
	"once idle, the worker gave the memory back ($anon_after kB)");

# ---------------------------------------------------------------------------
# 4. the limiter table never fails open: 257 connections with requests in
# flight, then one with max_concurrency = 1
reload_with(q{mlpredict.max_connections = 300});
my $nbusy = 257;
my $nall = 300;
$node->safe_psql('postgres', qq{
DO \$\$
BEGIN
  FOR i IN 1..$nall LOOP
    PERFORM * FROM mlpredict.execute(format(
      'CREATE CONNECTION busy%s WITH (''type'' = ''openai'', ''endpoint'' = ''%s/v1/chat/completions'', ''api-key'' = ''sk-test-openai-key'')',
      i, '$standin->{url}'));
    PERFORM * FROM mlpredict.execute(format(
      'CREATE MODEL m_busy%s INPUT (prompt STRING) OUTPUT (answer STRING) WITH (''provider'' = ''openai'', ''task'' = ''text_generation'', ''openai.connection'' = ''busy%s'')',
      i, i));
  END LOOP;
END
\$\$;});
create_openai_connection($node, 'postgres', $standin, 'single', max_concurrency => 1);
create_chat_model($node, 'postgres', 'm_single', 'single');

# Each query returns its first, quick row and ends; its second row's
# request stays on the wire (150 s).  The session then waits.  Returns
# once the stand-in counts $until requests in flight.
sub start_busy
{
	my ($from, $to, $until) = @_;
	my $sql = join('', map {
		qq{SELECT answer FROM generate_series(1, 2) g, LATERAL m_busy$_(CASE WHEN g = 1 THEN 'quick' ELSE 'slow [[sleep:150000]]' END) LIMIT 1;\n}
	} $from .. $to) . "SELECT pg_sleep(150);\n";
	my $session = psql_start($node, 'postgres',
		"SET mlpredict.client_timeout = 600;\n" . $sql, timeout => 240);
	# (counted by the stand-in: the statistics table may not show them all)
	my $deadline = time + 60;
	usleep(100_000) while standin_get($standin, '/_control/stats')->{in_flight} < $until
	  && time < $deadline;
	is(standin_get($standin, '/_control/stats')->{in_flight}, $until,
		"$until connections have requests in flight");
	return $session;
}
my $busy = start_busy(1, $nbusy, $nbusy);

$node->safe_psql('postgres', q{SELECT count(*) FROM generate_series(1, 3) g,
	LATERAL m_single('single ' || g || ' [[sleep:700]]')});
my @single = sort { $a->{t_start} <=> $b->{t_start} }
  grep { ($_->{body}{messages}[0]{content} // '') =~ /^single \d/ }
  @{ standin_get($standin, '/_control/requests') };
is(scalar @single, 3, 'the capped connection answered its three rows');
my $overlap = 0;
for my $i (1 .. $#single)
{
	$overlap++ if $single[$i]{t_start} < $single[ $i - 1 ]{t_end} - 0.05;
}
is($overlap, 0, 'max_concurrency = 1 still holds with more than 256 connections busy');

# Every entry of the limiter table (300) busy: a connection without one
# waits for one, it does not run without its limits.
my $busy2 = start_busy($nbusy + 1, $nall, $nall);
reload_with(q{mlpredict.max_connections = 400});
($rc, $out, $err) = $node->psql('postgres',
	q{SET statement_timeout = '3s'; SELECT answer FROM m_single('blocked')});
like($err, qr/canceling statement due to statement timeout/,
	'with the limiter table full of busy connections, another connection waits');
ok(!grep({ ($_->{body}{messages}[0]{content} // '') eq 'blocked' }
	@{ standin_get($standin, '/_control/requests') }),
	'... and its request never went out unlimited');

# ---------------------------------------------------------------------------
# 5. statistics rows of dropped objects are freed
$node->safe_psql('postgres', q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE query LIKE '%pg_sleep(150)%' AND pid <> pg_backend_pid() AND backend_type = 'client backend'});
psql_finish($busy);
psql_finish($busy2);
is($node->safe_psql('postgres', q{SELECT answer FROM m_single('freed')}), 'echo: freed',
	'once entries are free, it runs');
ok(defined poll_value($node, 'postgres',
	q{SELECT coalesce(sum(in_flight), 0) FROM mlpredict.stat_connections}, qr/^0$/),
	'the busy requests were abandoned');
$node->safe_psql('postgres', qq{
DO \$\$
BEGIN
  FOR i IN 1..$nall LOOP
    PERFORM * FROM mlpredict.execute(format('DROP MODEL m_busy%s', i));
    PERFORM * FROM mlpredict.execute(format('DROP CONNECTION busy%s', i));
  END LOOP;
END
\$\$;});
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM mlpredict.stat_connections WHERE connection LIKE 'busy%'}),
	'0', 'dropped connections have no statistics rows left');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM mlpredict.stat_models WHERE model LIKE '%m_busy%'}),
	'0', '... nor their models');

# Use and drop more connections than the table has rows, then a new one.
$node->safe_psql('postgres', qq{
DO \$\$
DECLARE
  a text;
BEGIN
  FOR i IN 1..450 LOOP
    PERFORM * FROM mlpredict.execute(format(
      'CREATE CONNECTION churn%s WITH (''type'' = ''openai'', ''endpoint'' = ''%s/v1/chat/completions'', ''api-key'' = ''sk-test-openai-key'')',
      i, '$standin->{url}'));
    PERFORM * FROM mlpredict.execute(format(
      'CREATE MODEL m_churn%s INPUT (prompt STRING) OUTPUT (answer STRING) WITH (''provider'' = ''openai'', ''task'' = ''text_generation'', ''openai.connection'' = ''churn%s'')',
      i, i));
    EXECUTE format('SELECT answer FROM m_churn%s(''x'')', i) INTO a;
    PERFORM * FROM mlpredict.execute(format('DROP MODEL m_churn%s', i));
    PERFORM * FROM mlpredict.execute(format('DROP CONNECTION churn%s', i));
  END LOOP;
END
\$\$;});
create_openai_connection($node, 'postgres', $standin, 'newcomer');
create_chat_model($node, 'postgres', 'm_newcomer', 'newcomer');
$node->safe_psql('postgres', q{SELECT answer FROM m_newcomer('hello')});
is($node->safe_psql('postgres',
	q{SELECT calls FROM mlpredict.stat_connections WHERE connection = 'newcomer'}),
	'1', 'a new connection is counted after many were used and dropped');
is($node->safe_psql('postgres', q{SELECT dropped FROM mlpredict.stat_info()}),
	'0', 'no recording was lost');

# ---------------------------------------------------------------------------
# 6. statistics rows of a dropped database make room when the table is full
$node->safe_psql('postgres', 'CREATE DATABASE scratch');
$node->safe_psql('scratch', qq{CREATE EXTENSION mlpredict;
DO \$\$
DECLARE
  a text;
BEGIN
  FOR i IN 1..400 LOOP
    PERFORM * FROM mlpredict.execute(format(
      'CREATE CONNECTION filler%s WITH (''type'' = ''openai'', ''endpoint'' = ''%s/v1/chat/completions'', ''api-key'' = ''sk-test-openai-key'')',
      i, '$standin->{url}'));
    PERFORM * FROM mlpredict.execute(format(
      'CREATE MODEL m_filler%s INPUT (prompt STRING) OUTPUT (answer STRING) WITH (''provider'' = ''openai'', ''task'' = ''text_generation'', ''openai.connection'' = ''filler%s'')',
      i, i));
    EXECUTE format('SELECT answer FROM m_filler%s(''x'')', i) INTO a;
  END LOOP;
END
\$\$;});
cmp_ok($node->safe_psql('postgres', q{SELECT dropped FROM mlpredict.stat_info()}),
	'>', 0, 'another database fills the statistics table');
$node->safe_psql('postgres', 'DROP DATABASE scratch');
create_openai_connection($node, 'postgres', $standin, 'late');
create_chat_model($node, 'postgres', 'm_late', 'late');
$node->safe_psql('postgres', q{SELECT answer FROM m_late('hello')});
is($node->safe_psql('postgres',
	q{SELECT calls FROM mlpredict.stat_connections WHERE connection = 'late'}),
	'1', 'after that database is dropped, a new connection is counted');

$node->stop;
done_testing();
