# DROP DATABASE and ALTER DATABASE of a database whose continuous-query
# worker runs (src/continuous/cq_dbguard.c): the worker is stopped for the
# command, as PostgreSQL does with autovacuum.
#  1. a plain DROP DATABASE succeeds, and no worker is left or restarted;
#  2. ALTER DATABASE ... RENAME TO, and CREATE DATABASE ... TEMPLATE of it,
#     succeed, and the query goes on in the renamed database;
#  3. a DROP DATABASE that fails (another session connected; inside a
#     transaction block) leaves the query processing new rows;
#  4. an unprivileged role's DROP DATABASE fails with PostgreSQL's own
#     error, and the worker keeps running (same pid);
#  5. with the workers off, DROP DATABASE behaves as PostgreSQL's.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use MlpredictTest;

my $standin = start_standin(args => [ '--latency-ms', '20' ]);

my $node = new_node('cqdrop', { preload => 1 }, 'max_worker_processes = 16');

# A database with the extension, a model, a source/sink pair and a running
# continuous query that has processed one row.
sub setup_db
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION mlpredict');
	create_openai_connection($node, $db, $standin, 'conn');
	create_chat_model($node, $db, 'chat', 'conn');
	$node->safe_psql($db, q{
CREATE TABLE src (id int PRIMARY KEY, body text);
CREATE TABLE snk (id int PRIMARY KEY, answer text);
SELECT mlpredict.create_continuous_query('cq',
	'INSERT INTO snk (id, answer) SELECT s.id, p.answer FROM src AS s, LATERAL chat(s.body) AS p',
	'{}');
INSERT INTO src VALUES (1, 'first');
});
	processed($db, 1, "$db: first row processed");
	return;
}

# Inserts row $id and waits until its answer is in the sink.
sub processed
{
	my ($db, $id, $what) = @_;
	$node->safe_psql($db, "INSERT INTO src VALUES ($id, 'row $id') ON CONFLICT DO NOTHING");
	my $out = poll_value($node, $db, "SELECT answer FROM snk WHERE id = $id",
		qr/^echo: (row \Q$id\E|first)$/);
	return ok(defined $out, $what);
}

sub worker_pid
{
	my ($db) = @_;
	return $node->safe_psql('postgres', qq{
SELECT pid FROM pg_stat_activity
WHERE backend_type = 'mlpredict continuous queries' AND datname = '$db'});
}

sub workers_without_database
{
	return $node->safe_psql('postgres', q{
SELECT count(*) FROM pg_stat_activity
WHERE backend_type = 'mlpredict continuous queries' AND datname IS NULL});
}

# 1. Plain DROP DATABASE.
setup_db('d1');
like(worker_pid('d1'), qr/^\d+$/, 'drop: d1 has a worker');
my $log_offset = -s $node->logfile;
my ($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE d1');
is($ret, 0, 'drop: plain DROP DATABASE of a database with a running query succeeds');
is($err, '', 'drop: no error');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'd1'}),
	'0', 'drop: the database is gone');
sleep 3;
is(workers_without_database(), '0', 'drop: no worker left without a database');
my @fatal = slurp_log($node, $log_offset) =~ /FATAL:  database \d+ does not exist/g;
ok(@fatal <= 1, 'drop: no worker restarted over and over (' . scalar(@fatal) . ' failed start)');

# 2. ALTER DATABASE ... RENAME TO.
setup_db('d2');
my $old_pid = worker_pid('d2');
($ret, $out, $err) = $node->psql('postgres', 'ALTER DATABASE d2 RENAME TO d2r');
is($ret, 0, 'rename: ALTER DATABASE RENAME TO succeeds') or diag $err;
processed('d2r', 2, 'rename: the query goes on in the renamed database');
my $new_pid = worker_pid('d2r');
like($new_pid, qr/^\d+$/, 'rename: the renamed database has a worker');
isnt($new_pid, $old_pid, 'rename: it is a new worker');
($ret, $out, $err) = $node->psql('postgres', 'CREATE DATABASE d2copy TEMPLATE d2r');
is($ret, 0, 'template: CREATE DATABASE ... TEMPLATE of it succeeds') or diag $err;
processed('d2r', 3, 'template: the query goes on in the template database');

# 3. A DROP DATABASE that fails leaves the query running.
setup_db('d3');
my $bg = $node->background_psql('d3', on_error_stop => 0, timeout => 90);
$bg->query_safe('SELECT 1');
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE d3');
isnt($ret, 0, 'failed drop: DROP DATABASE with another session connected fails');
like($err, qr/is being accessed by other users/, 'failed drop: PostgreSQL says why');
like($err, qr/There is 1 other session using the database/,
	'failed drop: only the user session is counted, not the worker');
processed('d3', 3, 'failed drop: a new row is processed afterwards');
like(worker_pid('d3'), qr/^\d+$/, 'failed drop: d3 has its worker again');
$bg->quit;

($ret, $out, $err) = $node->psql('postgres', "BEGIN; DROP DATABASE d3;");
like($err, qr/cannot run inside a transaction block/, 'failed drop: in a transaction block, PostgreSQL refuses');
processed('d3', 4, 'failed drop: a new row is processed after that too');

# 4. An unprivileged role.
$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN');
my $pid3 = worker_pid('d3');
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE d3',
	extra_params => [ '-U', 'mallory' ]);
isnt($ret, 0, 'unprivileged: DROP DATABASE fails');
like($err, qr/must be owner of database d3/, 'unprivileged: PostgreSQL\'s own error');
($ret, $out, $err) = $node->psql('postgres', 'ALTER DATABASE d3 RENAME TO d3x',
	extra_params => [ '-U', 'mallory' ]);
like($err, qr/must be owner of database d3/, 'unprivileged: ALTER DATABASE RENAME fails the same way');
is(worker_pid('d3'), $pid3, 'unprivileged: the worker was not stopped (same pid)');
processed('d3', 5, 'unprivileged: the query keeps processing');

# A DROP DATABASE of a database that does not exist: PostgreSQL's messages.
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE nosuchdb');
like($err, qr/database "nosuchdb" does not exist/, 'missing: PostgreSQL reports it');
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE IF EXISTS nosuchdb');
is($ret, 0, 'missing: IF EXISTS is quiet');

# Finally the last database goes too.
($ret, $out, $err) = $node->psql('postgres', 'DROP DATABASE d3');
is($ret, 0, 'drop: d3 drops once nobody else is connected') or diag $err;

my $log = slurp_log($node);
unlike($log, qr/PANIC|TRAP:|was terminated by signal/, 'no PANIC, assertion or process killed');

# 5. Without the workers: nothing is done, DROP DATABASE works as usual.
my $off = new_node('cqdrop_off', { preload => 1 }, 'mlpredict.continuous_workers = off');
$off->safe_psql('postgres', 'CREATE DATABASE e1');
$off->safe_psql('e1', 'CREATE EXTENSION mlpredict');
($ret, $out, $err) = $off->psql('postgres', 'DROP DATABASE e1');
is($ret, 0, 'workers off: DROP DATABASE works') or diag $err;
$off->stop;

$node->stop;
stop_standin($standin);
done_testing();
