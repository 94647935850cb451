# pg_dump round trip of continuous queries: the catalog rows (queries,
# their queues with a parked row, progress) are dumped with the extension's
# configuration tables, the capture triggers with the user tables (as
# ordinary triggers calling mlpredict.continuous_query_capture); a restored
# database keeps capturing changes and its workers keep processing them.
# DROP EXTENSION ... CASCADE (the models' typed functions need it anyway)
# then removes the triggers and leaves the tables usable.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $standin = start_standin();
my $node = new_node('a', { preload => 1 });

$node->safe_psql('postgres', 'CREATE DATABASE src');
setup_connections($node, 'src', $standin);
create_chat_model($node, 'src', 'echo_model', 'openai-connection');
$node->safe_psql('postgres', 'CREATE ROLE cq_owner');
$node->safe_psql('src', q{
CREATE TABLE docs (id int PRIMARY KEY, body text, lang text);
CREATE TABLE answers (id int PRIMARY KEY, answer text);
CREATE TABLE answers_en (doc int UNIQUE, answer text, version int);
INSERT INTO docs VALUES (1, 'one', 'en'), (2, 'two', 'fr'), (3, 'three', 'en');
GRANT SELECT, TRIGGER ON docs TO cq_owner;
GRANT SELECT, INSERT, UPDATE, DELETE ON answers_en TO cq_owner;
SELECT * FROM mlpredict.execute('GRANT USAGE ON CONNECTION openai-connection TO cq_owner');
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL echo_model TO cq_owner');
-- Flink's text, running; and a paused query of another owner
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY echo_job AS INSERT INTO answers SELECT id, answer FROM docs, LATERAL TABLE(ML_PREDICT('echo_model', body))$$);
SET ROLE cq_owner;
BEGIN;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY english_job WITH ('batch_size' = '7', 'provenance_column' = 'version') AS INSERT INTO answers_en (doc, answer) SELECT id, answer FROM docs, LATERAL echo_model(body) WHERE lang = 'en'$$);
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY english_job PAUSE');
COMMIT;
RESET ROLE;
});

# the running query is processed by the workers
ok(defined poll_value($node, 'src', q{SELECT string_agg(id || '=' || answer, ',' ORDER BY id) FROM answers},
	qr/^1=echo: one,2=echo: two,3=echo: three$/), 'original: the backfill is processed');
# a parked row, as a failing row leaves it
$node->safe_psql('src', q{
UPDATE mlpredict.continuous_query_queue SET parked = true, attempts = 5, last_sqlstate = '22000', last_error = 'bad row'
WHERE query = 'english_job' AND key = '{3}';
});

my %catalog = (
	queries => q{SELECT name, owner, source, source_key, sink, sink_key, model_schema, model_name, model_version,
			inputs, targets, where_clause, options, state, statement
		FROM mlpredict.continuous_query ORDER BY name},
	queue => q{SELECT query, key, attempts, parked, last_sqlstate, last_error FROM mlpredict.continuous_query_queue ORDER BY 1, 2},
	progress => q{SELECT query, rows_done, batches > 0 FROM mlpredict.continuous_query_progress ORDER BY 1},
	triggers => q{SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'docs'::regclass ORDER BY tgname},
	dead_letter => q{SELECT query, key, attempts, last_error FROM mlpredict.continuous_query_dead_letter},
	show_create => q{SELECT mlpredict.show_create_continuous_query('english_job')},
	answers => q{SELECT * FROM answers ORDER BY id},
);
my %orig = map { my ($r, $o, $e) = $node->psql('src', $catalog{$_}); ($_ => $r == 0 ? $o : "ERROR: $e") } keys %catalog;
like($orig{queries}, qr/^echo_job\|postgres\|docs\|\{id\}\|answers\|\{id\}\|public\|echo_model\|\|\{body\}/m,
	'original: echo_job in the catalog');
like($orig{queries}, qr/^english_job\|cq_owner\|.*\|paused\|/m, 'original: english_job paused, owned by cq_owner');
is($orig{queue}, "english_job|{1}|0|f||\nenglish_job|{3}|5|t|22000|bad row", 'original: the paused query\'s queue');
like($orig{triggers}, qr/CREATE TRIGGER mlpredict_cq_echo_job AFTER INSERT OR DELETE OR UPDATE OF id, body ON public\.docs/,
	'original: the capture trigger');

my $dumpdir = PostgreSQL::Test::Utils::tempdir('dump');
my $dump = "$dumpdir/src.dump";
command_checks_all(
	[ 'pg_dump', '-Fc', '-h', $node->host, '-p', $node->port, '-f', $dump, 'src' ],
	0, [qr/^$/], [qr/^$/], 'pg_dump -Fc');
my ($toc) = run_command([ 'pg_restore', '-l', $dump ]);
like($toc, qr/TABLE DATA mlpredict continuous_query /, 'the dump carries the continuous queries');
like($toc, qr/TRIGGER public docs mlpredict_cq_echo_job/, 'the dump carries the capture triggers');
like($toc, qr/TRIGGER public docs mlpredict_cqt_echo_job/, 'the dump carries the TRUNCATE triggers');

$node->safe_psql('postgres', 'CREATE DATABASE restored');
command_checks_all(
	[ 'pg_restore', '--exit-on-error', '-h', $node->host, '-p', $node->port, '-d', 'restored', $dump ],
	0, [qr/^$/], [qr/^$/], 'pg_restore');
for my $k (sort keys %catalog)
{
	my ($r, $o, $e) = $node->psql('restored', $catalog{$k});
	is($r == 0 ? $o : "ERROR: $e", $orig{$k}, "restored: $k equal to the original");
}

# the restored database keeps capturing and processing: an insert, an
# update of the input, a delete
$node->safe_psql('restored', q{
INSERT INTO docs VALUES (4, 'four', 'en');
UPDATE docs SET body = 'ONE' WHERE id = 1;
DELETE FROM docs WHERE id = 2;
});
ok(defined poll_value($node, 'restored', q{SELECT string_agg(id || '=' || answer, ',' ORDER BY id) FROM answers},
	qr/^1=echo: ONE,3=echo: three,4=echo: four$/), 'restored: changes are captured and processed');
my ($queued) = $node->safe_psql('restored', q{SELECT string_agg(key::text, ' ' ORDER BY key) FROM mlpredict.continuous_query_queue WHERE query = 'english_job'});
# (a delete is queued whatever the WHERE: the batch removes the sink row of a gone key)
is($queued, '{1} {2} {3} {4}', 'restored: the paused query queues the changes it follows');
# resumed, the paused query runs as its owner; the parked row waits
$node->safe_psql('restored', q{SELECT mlpredict.resume_continuous_query('english_job')});
ok(defined poll_value($node, 'restored', q{SELECT string_agg(doc || '=' || answer || '@' || version, ',' ORDER BY doc) FROM answers_en},
	qr/^1=echo: ONE\@1,4=echo: four\@1$/), 'restored: the resumed query writes its sink with the model version');
is($node->safe_psql('restored', q{SELECT key FROM mlpredict.continuous_query_dead_letter}), '{3}',
	'restored: the parked row is still parked');

# DROP EXTENSION ... CASCADE removes the capture triggers; the tables stay
# usable
my ($ret, $out, $err) = $node->psql('restored', 'DROP EXTENSION mlpredict CASCADE');
is($ret, 0, 'restored: DROP EXTENSION ... CASCADE') or diag $err;
like($err, qr/drop cascades to trigger mlpredict_cq_echo_job on table docs/, 'restored: DROP EXTENSION names the triggers');
is($node->safe_psql('restored', q{SELECT count(*) FROM pg_trigger WHERE tgrelid = 'docs'::regclass}), '0',
	'restored: no trigger left on the source');
$node->safe_psql('restored', q{INSERT INTO docs VALUES (5, 'five', 'en')});
pass('restored: the source takes inserts after DROP EXTENSION');

# the original database was left alone
is($node->safe_psql('src', q{SELECT count(*) FROM pg_trigger WHERE tgrelid = 'docs'::regclass}), '4',
	'original: its triggers are untouched');

$node->stop;
stop_standin($standin);
done_testing();
