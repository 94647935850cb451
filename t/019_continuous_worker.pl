# Continuous queries' background processing, with real processes: the
# launcher and the database workers (src/continuous).
#  1. backfill drains; inserts, updates and deletes reach the sink within
#     seconds without polling: the workers use no CPU while idle;
#  2. a row the endpoint always refuses goes to the dead letter after
#     max_attempts while the rows around it are processed; an endpoint
#     outage parks nothing and charges no attempt; a row whose call times
#     out waits uncharged without holding up its batch;
#  3. pause and resume;
#  4. kill -9 of the database worker, and an immediate stop of the
#     postmaster, in the middle of a backlog: every source row's sink row is
#     there once, equal to the stand-in's answer, and the progress row
#     counts each row once (the queue, the sink and the progress commit
#     together);
#  5. two queries on one table; queries in two databases;
#  6. DROP TABLE of a source, and DROP EXTENSION, while the worker runs;
#  7. the job runs as its owner: a revoked grant stops it with a clear
#     last_error, the rows wait, and a new grant lets them through;
#     DROP DATABASE ... WITH (FORCE) while its worker runs;
#  8. mlpredict.process_continuous_query() with the workers off.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $standin = start_standin(args => [ '--latency-ms', '20' ]);

my $node = new_node('cq', { preload => 1 },
	'mlpredict.continuous_max_backoff = 2s',
	'mlpredict.continuous_outage_delay = 300ms',
	'mlpredict.retry_outage_window = 300ms',
	'mlpredict.client_timeout = 1',
	'mlpredict.retry_count = 0',
	'max_worker_processes = 16',
	'restart_after_crash = on');

# A database with the extension, a chat model and a source/sink pair.
sub setup_db
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db") if $db ne 'postgres';
	$node->safe_psql($db, 'CREATE EXTENSION mlpredict');
	create_openai_connection($node, $db, $standin, 'conn');
	create_chat_model($node, $db, 'chat', 'conn');
	return;
}

sub make_tables
{
	my ($db, $src, $snk) = @_;
	$node->safe_psql($db, qq{
CREATE TABLE $src (id int PRIMARY KEY, body text, note text,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE $snk (id int PRIMARY KEY, answer text,
	written_at timestamptz NOT NULL DEFAULT clock_timestamp());
});
	return;
}

sub create_cq
{
	my ($db, $name, $src, $snk, $options) = @_;
	$options //= '{}';
	$node->safe_psql($db, qq{
SELECT mlpredict.create_continuous_query('$name',
	'INSERT INTO $snk (id, answer) SELECT s.id, p.answer FROM $src AS s, LATERAL chat(s.body) AS p',
	'$options');
});
	return;
}

# Waits until $sql returns $want (bounded); true if it did.
sub wait_for
{
	my ($db, $sql, $want, $what) = @_;
	my $out = poll_value($node, $db, $sql, qr/^\Q$want\E$/);
	return is($out, $want, $what);
}

# Rows of $src whose sink row is missing or differs from the stand-in's
# answer ('echo: ' and the body without its markers).
sub wrong_rows
{
	my ($db, $src, $snk) = @_;
	return $node->safe_psql($db, qq{
SELECT count(*) FROM $src s FULL JOIN $snk k USING (id)
WHERE k.answer IS DISTINCT FROM
	'echo: ' || btrim(regexp_replace(s.body, '\\s*\\[\\[[a-z-]+(:[^\\]]*)?\\]\\]', '', 'g'))});
}

sub progress
{
	my ($db, $name, $col) = @_;
	return $node->safe_psql($db,
		"SELECT $col FROM mlpredict.continuous_query_progress WHERE query = '$name'");
}

sub worker_pid
{
	my ($db) = @_;
	return $node->safe_psql('postgres', qq{
SELECT pid FROM pg_stat_activity
WHERE backend_type = 'mlpredict continuous queries' AND datname = '$db'});
}

# CPU ticks (user + system) of a process.
sub cpu_ticks
{
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/stat" or return undef;
	my $stat = <$fh>;
	close $fh;
	$stat =~ s/^.*\) //;
	my @f = split / /, $stat;
	return $f[11] + $f[12];
}

setup_db('postgres');
make_tables('postgres', 'src', 'snk');

# 1. Backfill, then changes within seconds, no CPU when idle.
$node->safe_psql('postgres',
	q{INSERT INTO src (id, body) SELECT g, 'row ' || g FROM generate_series(1, 400) g});
create_cq('postgres', 'cq1', 'src', 'snk');
wait_for('postgres', 'SELECT count(*) FROM snk', '400', 'backfill: 400 sink rows');
is(wrong_rows('postgres', 'src', 'snk'), '0', 'backfill: every sink row is the answer');
wait_for('postgres', "SELECT count(*) FROM mlpredict.continuous_query_queue WHERE query = 'cq1'",
	'0', 'backfill: queue empty');

my $wpid = worker_pid('postgres');
like($wpid, qr/^\d+$/, 'a database worker runs for postgres');
my ($launcher) = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'mlpredict continuous query launcher'});
like($launcher, qr/^\d+$/, 'the launcher runs');
usleep(500_000);
my ($w0, $l0) = (cpu_ticks($wpid), cpu_ticks($launcher));
sleep 3;
my ($w1, $l1) = (cpu_ticks($wpid), cpu_ticks($launcher));
ok($w1 - $w0 <= 1, "idle worker used no CPU over 3 s (" . ($w1 - $w0) . " ticks)");
ok($l1 - $l0 <= 1, "idle launcher used no CPU over 3 s (" . ($l1 - $l0) . " ticks)");

my $t0 = time;
$node->safe_psql('postgres',
	q{INSERT INTO src (id, body) SELECT g, 'row ' || g FROM generate_series(401, 450) g});
wait_for('postgres', 'SELECT count(*) FROM snk', '450', 'insert: 50 new sink rows');
my $latency = time - $t0;
ok($latency < 5, sprintf('insert reached the sink in %.2f s', $latency));

$node->safe_psql('postgres', q{UPDATE src SET body = 'changed ' || id WHERE id <= 10});
wait_for('postgres', q{SELECT count(*) FROM snk WHERE answer LIKE 'echo: changed %'}, '10',
	'update of the input: 10 answers refreshed');
$node->safe_psql('postgres', q{DELETE FROM src WHERE id > 440});
wait_for('postgres', 'SELECT count(*) FROM snk', '440', 'delete: sink rows removed');
is(wrong_rows('postgres', 'src', 'snk'), '0', 'after changes: every sink row is the answer');

# 2. A failing row goes to the dead letter; an outage charges nothing.
make_tables('postgres', 'fsrc', 'fsnk');
create_cq('postgres', 'cqf', 'fsrc', 'fsnk', '{"max_attempts": "3", "batch_size": "50"}');
$node->safe_psql('postgres', q{
INSERT INTO fsrc (id, body) SELECT g,
	CASE WHEN g = 17 THEN 'bad [[status:400]]' ELSE 'row ' || g END
FROM generate_series(1, 100) g});
wait_for('postgres', 'SELECT count(*) FROM fsnk', '99', 'dead letter: the 99 good rows are processed');
wait_for('postgres', q{SELECT key::text || ' ' || attempts || ' ' || last_sqlstate
	FROM mlpredict.continuous_query_queue WHERE query = 'cqf' AND parked},
	'{17} 3 38000', 'dead letter: the bad row is parked after 3 attempts with its SQLSTATE');
is(progress('postgres', 'cqf', 'rows_done || \' \' || rows_failed || \' \' || rows_parked'),
	'99 3 1', 'dead letter: progress counts 99 done, 3 failures, 1 parked');

standin_post($standin, '/_control/outage', { seconds => 3 });
usleep(200_000);
$node->safe_psql('postgres',
	q{INSERT INTO fsrc (id, body) SELECT g, 'row ' || g FROM generate_series(101, 120) g});
sleep 2;
is($node->safe_psql('postgres', q{
SELECT count(*) FILTER (WHERE parked) || ' ' || coalesce(max(attempts), 0)
FROM mlpredict.continuous_query_queue WHERE query = 'cqf' AND key <> '{17}'}),
	'0 0', 'outage: no row parked or charged');
like(progress('postgres', 'cqf', 'last_sqlstate'), qr/^08/, 'outage: last_sqlstate is of class 08');
wait_for('postgres', 'SELECT count(*) FROM fsnk', '119', 'outage: rows processed once the endpoint is back');

# A row whose call always times out (mlpredict.client_timeout = 1s) is not
# charged (class 08) and does not hold up the rows of its batch.
$node->safe_psql('postgres', q{
INSERT INTO fsrc (id, body) SELECT g,
	CASE WHEN g = 205 THEN 'slow [[sleep:3000]]' ELSE 'row ' || g END
FROM generate_series(201, 220) g});
wait_for('postgres', 'SELECT count(*) FROM fsnk', '138', 'timeout: the 19 other rows are processed');
is($node->safe_psql('postgres', q{SELECT attempts || ' ' || parked || ' ' || last_sqlstate
	FROM mlpredict.continuous_query_queue WHERE query = 'cqf' AND key = '{205}'}),
	'0 false 08006', 'timeout: the slow row waits, not charged');
$node->safe_psql('postgres', 'DELETE FROM fsrc WHERE id = 205');
wait_for('postgres', q{SELECT count(*) FROM mlpredict.continuous_query_queue WHERE query = 'cqf' AND NOT parked},
	'0', 'timeout: deleting the slow row empties the queue');

# 3. Pause and resume.
$node->safe_psql('postgres', q{SELECT mlpredict.pause_continuous_query('cq1')});
$node->safe_psql('postgres', q{INSERT INTO src (id, body) VALUES (1001, 'paused 1'), (1002, 'paused 2')});
sleep 2;
is($node->safe_psql('postgres', 'SELECT count(*) FROM snk WHERE id > 1000'), '0', 'paused: nothing processed');
$node->safe_psql('postgres', q{SELECT mlpredict.resume_continuous_query('cq1')});
wait_for('postgres', 'SELECT count(*) FROM snk WHERE id > 1000', '2', 'resumed: the waiting rows are processed');

# 4. Crashes in the middle of a backlog.
for my $how ('worker kill -9', 'immediate stop')
{
	my $first = $how eq 'worker kill -9' ? 10_001 : 20_001;
	my $done_before = progress('postgres', 'cq1', 'rows_done');
	$node->safe_psql('postgres', qq{
INSERT INTO src (id, body) SELECT g, 'crash ' || g || ' [[sleep:30]]'
FROM generate_series($first, $first + 2999) g});
	poll_value($node, 'postgres',
		"SELECT count(*) >= 600 FROM snk WHERE id >= $first", qr/^t$/);
	if ($how eq 'worker kill -9')
	{
		my $pid = worker_pid('postgres');
		kill 'KILL', $pid;
	}
	else
	{
		$node->stop('immediate');
		$node->start;
	}
	wait_for('postgres', "SELECT count(*) FROM snk WHERE id >= $first", '3000',
		"$how: the backlog drains after the restart");
	is(wrong_rows('postgres', 'src', 'snk'), '0', "$how: every sink row is the stand-in's answer");
	is(progress('postgres', 'cq1', 'rows_done') - $done_before, 3000,
		"$how: the progress row counts each row once");
	is($node->safe_psql('postgres', q{SELECT count(*) FROM mlpredict.continuous_query_queue WHERE query = 'cq1'}),
		'0', "$how: the queue is empty");
}

# 5. Two queries on one table; a second database.
$node->safe_psql('postgres', 'CREATE TABLE snk2 (id int PRIMARY KEY, answer text)');
create_cq('postgres', 'cq2', 'src', 'snk2');
$node->safe_psql('postgres', q{INSERT INTO src (id, body) VALUES (30001, 'both')});
wait_for('postgres', q{SELECT count(*) FROM snk2 JOIN src USING (id)}, 
	$node->safe_psql('postgres', 'SELECT count(*) FROM src'), 'two queries: the second backfills');
wait_for('postgres', q{SELECT answer FROM snk WHERE id = 30001}, 'echo: both', 'two queries: the first processes the new row');
is($node->safe_psql('postgres', q{SELECT answer FROM snk2 WHERE id = 30001}), 'echo: both',
	'two queries: the second too');

setup_db('db2');
make_tables('db2', 'src', 'snk');
$node->safe_psql('db2', q{INSERT INTO src (id, body) SELECT g, 'db2 ' || g FROM generate_series(1, 50) g});
create_cq('db2', 'cq1', 'src', 'snk');
wait_for('db2', 'SELECT count(*) FROM snk', '50', 'second database: processed');
is(wrong_rows('db2', 'src', 'snk'), '0', 'second database: answers');
like(worker_pid('db2'), qr/^\d+$/, 'second database: its own worker');

# 6. DROP TABLE of a source and DROP EXTENSION while the worker runs.
make_tables('postgres', 'dsrc', 'dsnk');
create_cq('postgres', 'cqd', 'dsrc', 'dsnk');
$node->safe_psql('postgres', q{
INSERT INTO dsrc (id, body) SELECT g, 'd ' || g || ' [[sleep:50]]' FROM generate_series(1, 2000) g});
poll_value($node, 'postgres', 'SELECT count(*) > 100 FROM dsnk', qr/^t$/);
my $wbefore = worker_pid('postgres');
$node->safe_psql('postgres', 'DROP TABLE dsrc');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mlpredict.continuous_query WHERE name = 'cqd'}),
	'0', 'drop table: the continuous query is gone');
$node->safe_psql('postgres', q{INSERT INTO src (id, body) VALUES (30002, 'after drop')});
wait_for('postgres', q{SELECT answer FROM snk WHERE id = 30002}, 'echo: after drop',
	'drop table: the other queries go on');
is(worker_pid('postgres'), $wbefore, 'drop table: the worker did not restart');

$node->safe_psql('db2', q{
INSERT INTO src (id, body) SELECT g, 'x ' || g || ' [[sleep:50]]' FROM generate_series(100, 2000) g});
poll_value($node, 'db2', 'SELECT count(*) > 100 FROM snk', qr/^t$/);
$node->safe_psql('db2', 'DROP EXTENSION mlpredict CASCADE');
poll_value($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'mlpredict continuous queries' AND datname = 'db2'}, qr/^0$/);
pass('drop extension: the database worker exits');
$node->safe_psql('db2', q{INSERT INTO src (id, body) VALUES (5000, 'no extension')});
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'drop extension: the server is fine');

# 7. The job runs as its owner.
$node->safe_psql('postgres', q{
CREATE ROLE alice LOGIN;
CREATE TABLE asrc (id int PRIMARY KEY, body text);
CREATE TABLE asnk (id int PRIMARY KEY, answer text);
ALTER TABLE asrc OWNER TO alice;
GRANT ALL ON asnk TO alice;
SELECT * FROM mlpredict.execute('GRANT USAGE ON CONNECTION conn TO alice');
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL chat TO alice');
});
$node->safe_psql('postgres', q{
SET ROLE alice;
INSERT INTO asrc VALUES (1, 'alice 1');
SELECT mlpredict.create_continuous_query('cqa',
	'INSERT INTO asnk (id, answer) SELECT s.id, p.answer FROM asrc AS s, LATERAL chat(s.body) AS p', '{}');
});
wait_for('postgres', 'SELECT answer FROM asnk WHERE id = 1', 'echo: alice 1', 'owner: processed as alice');
$node->safe_psql('postgres', q{REVOKE INSERT, UPDATE ON asnk FROM alice});
$node->safe_psql('postgres', q{SET ROLE alice; INSERT INTO asrc VALUES (2, 'alice 2')});
my $err = poll_value($node, 'postgres',
	q{SELECT last_sqlstate || ' ' || last_error FROM mlpredict.continuous_query_progress WHERE query = 'cqa'},
	qr/^42501 /);
like($err, qr/^42501 .*asnk/, 'owner: a revoked grant stops the job with a clear last_error');
is($node->safe_psql('postgres', q{SELECT attempts || ' ' || parked FROM mlpredict.continuous_query_queue WHERE query = 'cqa'}),
	'0 false', 'owner: the row waits, not charged');
is($node->safe_psql('postgres', 'SELECT count(*) FROM asnk'), '1', 'owner: nothing written');
$node->safe_psql('postgres', q{GRANT INSERT, UPDATE ON asnk TO alice});
wait_for('postgres', 'SELECT answer FROM asnk WHERE id = 2', 'echo: alice 2', 'owner: the grant back lets it through');

# DROP DATABASE ... WITH (FORCE) of a database whose worker runs: the
# worker is not restarted over and over in a database that is gone.
setup_db('db3');
make_tables('db3', 'src', 'snk');
create_cq('db3', 'cq3', 'src', 'snk');
$node->safe_psql('db3', q{INSERT INTO src (id, body) VALUES (1, 'db3')});
wait_for('db3', 'SELECT answer FROM snk', 'echo: db3', 'third database: processed');
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', 'DROP DATABASE db3 WITH (FORCE)');
sleep 12;
my @fatal = slurp_log($node, $log_offset) =~ /FATAL:  database \d+ does not exist/g;
ok(@fatal <= 1, 'drop database: the worker of the dropped database stops trying (' . scalar(@fatal) . ' failed start)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'mlpredict continuous queries' AND datname IS NULL}),
	'0', 'drop database: no worker left without a database');

my $log = slurp_log($node);
my @signals = $log =~ /was terminated by signal (\d+)/g;
is(join(',', @signals), '9', 'no process died of a signal but the one killed');
unlike($log, qr/PANIC|TRAP:|server process .* exited with exit code [^01]/, 'no PANIC, assertion or odd exit');

# 8. Without the workers: process_continuous_query() by hand.
my $manual = new_node('cq_manual', { preload => 1 }, 'mlpredict.continuous_workers = off');
$manual->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
create_openai_connection($manual, 'postgres', $standin, 'conn');
create_chat_model($manual, 'postgres', 'chat', 'conn');
$manual->safe_psql('postgres', q{
CREATE TABLE src (id int PRIMARY KEY, body text);
CREATE TABLE snk (id int PRIMARY KEY, answer text);
INSERT INTO src SELECT g, 'm ' || g FROM generate_series(1, 30) g;
SELECT mlpredict.create_continuous_query('m',
	'INSERT INTO snk (id, answer) SELECT s.id, p.answer FROM src AS s, LATERAL chat(s.body) AS p', '{}');
});
is($manual->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'mlpredict continuous%'}),
	'0', 'workers off: no continuous-query worker');
sleep 1;
is($manual->safe_psql('postgres', 'SELECT count(*) FROM snk'), '0', 'workers off: nothing processed by itself');
is($manual->safe_psql('postgres', q{SELECT mlpredict.process_continuous_query('m', 20)}), '20',
	'process_continuous_query: 20 rows done');
is($manual->safe_psql('postgres', q{BEGIN; SELECT mlpredict.process_continuous_query('m'); ROLLBACK; SELECT count(*) FROM snk}),
	"10\n20", 'process_continuous_query: in the caller\'s transaction (rolled back)');
is($manual->safe_psql('postgres', q{SELECT mlpredict.process_continuous_query('m'); SELECT count(*) FROM mlpredict.continuous_query_queue}),
	"10\n0", 'process_continuous_query: the rest');
$manual->safe_psql('postgres', q{CREATE ROLE bob; GRANT USAGE ON SCHEMA mlpredict TO bob});
my ($rc, $out, $stderr) = $manual->psql('postgres', q{SET ROLE bob; SELECT mlpredict.process_continuous_query('m')});
like($stderr, qr/must be owner of continuous query "m"/, 'process_continuous_query: owner only');
$manual->stop;

$node->stop;
done_testing();
