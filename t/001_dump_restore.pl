# pg_dump / pg_restore carry everything mlpredict keeps: connections with
# their secrets, models with all versions and the default version, models in
# other schemas, and the typed functions with their grants.  The restored
# database must answer predictions exactly as the original did.
#
# Secrets travel sealed under the cluster key (the data directory's
# mlpredict_secret.key, made 0600 on first use).  Restored into the same
# cluster, or into one given a copy of the key file, they work at once;
# restored into a cluster with a key of its own, calling a model says to
# re-enter them (naming no secret), and ALTER CONNECTION ... SET does.
use strict;
use warnings;

use File::Copy qw(copy);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $standin = start_standin();
my $node_a = new_node('a');

$node_a->safe_psql('postgres', 'CREATE DATABASE src');
setup_connections($node_a, 'src', $standin);
$node_a->safe_psql('postgres', 'CREATE ROLE mlp_reader');
$node_a->safe_psql('src', q{
CREATE SCHEMA ml;
GRANT USAGE ON SCHEMA ml TO mlp_reader;
-- version 1 classifies, version 2 (made the default) echoes
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-4o-mini', 'openai.system_prompt' = 'Repeat the text.', 'openai.params.temperature' = '0')$$);
SELECT * FROM mlpredict.execute('ALTER MODEL sentimentmodel SET (''default_version''=''2'')');
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ('azureopenai.connection' = 'azure-connection', 'provider' = 'azureopenai', 'task' = 'embedding')$$);
SET search_path = ml, public;
SELECT * FROM mlpredict.execute($$CREATE MODEL assistant INPUT (prompt STRING) OUTPUT (answer STRING) COMMENT 'lives in schema ml' WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
RESET search_path;
GRANT EXECUTE ON FUNCTION ml.assistant(text, mlpredict.predict_options) TO mlp_reader;
SELECT mlpredict.grant_connection('azure-connection', 'mlp_reader');
});

# What must survive, as text.  created_at is left out on purpose.
my %catalog = (
	models => q{SELECT schema, name, version, is_default, provider, task, input, output, options, comment, owner
		FROM mlpredict.models ORDER BY schema, name, version},
	connections => q{SELECT name, type, endpoint, options, secrets, comment, owner
		FROM mlpredict.connections ORDER BY name},
	secrets => q{SELECT connection, keys, encode(sealed, 'hex') FROM mlpredict.connection_secret ORDER BY connection},
	plaintext => q{SELECT count(*) FROM mlpredict.connection_secret
		WHERE position('sk-test-openai-key'::bytea IN sealed) > 0 OR position('azure-test-key'::bytea IN sealed) > 0},
	functions => q{SELECT p.oid::regprocedure, pg_get_function_result(p.oid),
			pg_get_userbyid(p.proowner), p.proacl, p.prosrc,
			obj_description(p.oid, 'pg_proc')
		FROM pg_proc p WHERE p.pronamespace IN ('public'::regnamespace, 'ml'::regnamespace)
		ORDER BY p.oid::regprocedure::text},
	privileges => q{SELECT * FROM mlpredict.privileges ORDER BY 1, 2, 3, 4},
	default_version => q{SELECT version FROM mlpredict.models WHERE name = 'sentimentmodel' AND is_default},
	describe_all => q{SELECT * FROM mlpredict.execute('DESCRIBE MODEL sentimentmodel$all')},
	describe_embed => q{SELECT * FROM mlpredict.execute('DESCRIBE MODEL azure_embed')},
	describe_ml => q{SET search_path = ml, public; SELECT * FROM mlpredict.execute('DESCRIBE MODEL assistant$all')},
	show_create => q{SELECT mlpredict.show_create_model('sentimentmodel$1'), mlpredict.show_create_model('sentimentmodel$2')},
);

# Predictions: through the typed function (default version), a pinned
# version, embeddings, the model in schema ml, and as the granted role.
my %predict = (
	default_version => q{SELECT sentiment FROM sentimentmodel('Happy Birthday! You are great!')},
	version_1 => q{SELECT s FROM mlpredict.ml_predict('sentimentmodel$1', 'Happy Birthday! You are great!') AS p(s text)},
	embedding => q{SELECT array_length(response, 1), md5(response::text) FROM azure_embed('alien')},
	schema_ml => q{SELECT answer FROM ml.assistant('hello from ml')},
	as_reader => q{SET ROLE mlp_reader; SELECT answer FROM ml.assistant('hello reader')},
);
# ... and what the granted role may not do
my %denied = (
	reader_typed => q{SET ROLE mlp_reader; SELECT * FROM sentimentmodel('x')},
	reader_generic => q{SET ROLE mlp_reader; SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'x') AS p(s text)},
);

# Run a query; an error comes back as "ERROR: ..." text so that a broken
# restore fails the comparison instead of aborting the file.
sub query
{
	my ($node, $db, $sql) = @_;
	my ($ret, $out, $err) = $node->psql($db, $sql, on_error_stop => 1);
	return $ret == 0 ? $out : "ERROR($ret): $err";
}

sub snapshot
{
	my ($node, $db, $queries) = @_;
	return { map { $_ => query($node, $db, $queries->{$_}) } keys %$queries };
}

my $orig = snapshot($node_a, 'src', \%catalog);
my $orig_answers = snapshot($node_a, 'src', \%predict);
# (to the test log only: STDOUT is redirected there)
print explain { catalog => $orig, answers => $orig_answers };

# The originals are what the test expects, so the comparisons below are not
# comparing two empty or failed results.
is($orig->{default_version}, '2', 'original: default version moved to 2');
like($orig->{models}, qr/^ml\|assistant\|1\|t\|openai\|text_generation/m,
	'original: model in schema ml');
is(scalar(() = $orig->{models} =~ /^(public|ml)\|/mg), 4,
	'original: four model versions');
like($orig->{connections}, qr/^azure-connection\|AZUREOPENAI\|.*\{"api-key": "\*\*\*\*\*"\}\|embeddings\|/m,
	'original: azure connection with masked secret');
like($orig->{secrets}, qr/^azure-connection\|\{"api-key": "\*\*\*\*\*"\}\|01[0-9a-f]{100,}$/m,
	'original: secret stored sealed');
is($orig->{plaintext}, '0', 'original: no plaintext secret in the catalog');
unlike($orig->{secrets}, qr/sk-test-openai-key|azure-test-key/, 'original: secrets not shown');

# the key file was made on first use, for the server's user only
my $key_a = $node_a->data_dir . '/mlpredict_secret.key';
ok(-f $key_a, 'original: the cluster key file exists');
is(sprintf('%04o', (stat $key_a)[2] & 07777), '0600', 'original: the key file has mode 0600');
like($orig->{privileges}, qr/^connection\|azure-connection\|mlp_reader\|USAGE\|/m,
	'the USAGE grant on a connection is in the source');
like($orig->{functions}, qr/^ml\.assistant\(text,mlpredict\.predict_options\)\|.*mlp_reader=X\//m,
	'original: EXECUTE granted on ml.assistant');
unlike($orig->{functions}, qr/^sentimentmodel\(.*mlp_reader/m,
	'original: no grant on sentimentmodel');
like($orig->{describe_all}, qr/"VersionId": "2", "IsDefaultVersion": "true"/,
	'original: DESCRIBE shows version 2 as default');
is($orig_answers->{default_version}, 'echo: Happy Birthday! You are great!',
	'original: typed function uses version 2');
is($orig_answers->{version_1}, 'POSITIVE', 'original: version 1 classifies');
like($orig_answers->{embedding}, qr/^1536\|[0-9a-f]{32}$/, 'original: embedding');
is($orig_answers->{schema_ml}, 'echo: hello from ml', 'original: model in schema ml answers');
is($orig_answers->{as_reader}, 'echo: hello reader', 'original: granted role may predict');
for my $k (sort keys %denied)
{
	like(query($node_a, 'src', $denied{$k}), qr/permission denied/,
		"original: $k is refused");
}

# Dump once, in custom format.
my $dumpdir = PostgreSQL::Test::Utils::tempdir('dump');
my $dump = "$dumpdir/src.dump";
command_checks_all(
	[ 'pg_dump', '-Fc', '-h', $node_a->host, '-p', $node_a->port, '-f', $dump, 'src' ],
	0, [qr/^$/], [qr/^$/], 'pg_dump -Fc');
my ($toc) = run_command([ 'pg_restore', '-l', $dump ]);
like($toc, qr/^\d+; \d+ \d+ ACL ml FUNCTION assistant\(/m,
	'the dump carries the typed function grant');
like($toc, qr/TABLE DATA mlpredict connection_secret/,
	'the dump carries the secrets table');

# Restore into a fresh database of the same cluster, into a second cluster
# with a key of its own, and into a third one given the first one's key file
# (the others need the role first: roles are not in a database dump).
my $node_b = new_node('b');
$node_b->safe_psql('postgres', 'CREATE ROLE mlp_reader');
my $node_c = new_node('c');
$node_c->safe_psql('postgres', 'CREATE ROLE mlp_reader');
my $key_c = $node_c->data_dir . '/mlpredict_secret.key';
copy($key_a, $key_c) or die "copy $key_a: $!";
chmod(0600, $key_c) or die "chmod $key_c: $!";

# The models each connection's secrets are needed for.
my %uses_connection = (
	'openai-connection' => $predict{default_version},
	'azure-connection' => $predict{embedding},
);

for my $target ([ 'same cluster', $node_a, 0 ], [ 'other key', $node_b, 1 ],
	[ 'copied key file', $node_c, 0 ])
{
	my ($label, $node, $other_key) = @$target;
	$node->safe_psql('postgres', 'CREATE DATABASE restored');
	command_checks_all(
		[ 'pg_restore', '--exit-on-error', '-h', $node->host, '-p', $node->port,
		  '-d', 'restored', $dump ],
		0, [qr/^$/], [qr/^$/], "$label: pg_restore");

	my $got = snapshot($node, 'restored', \%catalog);
	for my $k (sort keys %catalog)
	{
		is($got->{$k}, $orig->{$k}, "$label: $k equal to the original");
	}
	re_enter_secrets($node, $label) if $other_key;

	standin_post($standin, '/_control/reset');
	my $answers = snapshot($node, 'restored', \%predict);
	for my $k (sort keys %predict)
	{
		is($answers->{$k}, $orig_answers->{$k},
			"$label: prediction $k equal to the original");
	}
	for my $k (sort keys %denied)
	{
		like(query($node, 'restored', $denied{$k}), qr/permission denied/,
			"$label: $k still refused");
	}

	# every prediction reached the stand-in with the right key
	my $reqs = standin_get($standin, '/_control/requests');
	is(scalar(@$reqs), scalar(keys %predict),
		"$label: one request per prediction");
	is_deeply([ map { "$_->{auth} $_->{status}" } @$reqs ],
		[ ('ok 200') x scalar(@$reqs) ],
		"$label: restored secrets authenticate");

	# the restored catalog and typed functions still work together for DDL
	is( query($node, 'restored', q{
SELECT count(*) FROM mlpredict.execute(mlpredict.show_create_model('sentimentmodel$1'));
SELECT string_agg(version || ':' || is_default, ',' ORDER BY version) FROM mlpredict.models WHERE name = 'sentimentmodel'}),
		"1\n1:false,2:true,3:false",
		"$label: CREATE MODEL adds version 3 after restore");
	is( query($node, 'restored', q{
SET search_path = ml, public;
SELECT count(*) FROM mlpredict.execute('DROP MODEL assistant$all');
SELECT count(*) FROM pg_proc WHERE pronamespace = 'ml'::regnamespace;
SELECT count(*) FROM mlpredict.models WHERE schema = 'ml'}),
		"1\n0\n0",
		"$label: DROP MODEL removes the restored typed function");
}

# Only files of the server's user, with no access for others, in the right
# format, are used as the key.
my $key_text = slurp_file($key_c);
chmod(0640, $key_c) or die;
like(query($node_c, 'restored', $predict{default_version}),
	qr/secret key file ".*mlpredict_secret\.key" has group or world access.*HINT:  Run chmod 0600/s,
	'a group-readable key file is refused');
chmod(0600, $key_c) or die;
open(my $fh, '>', $key_c) or die;
print $fh "mlpredict secret key v1\n" . ('zz' x 32) . "\n";
close($fh);
like(query($node_c, 'restored', $predict{default_version}),
	qr/secret key file ".*" is not a valid mlpredict key file/,
	'a key file of the wrong format is refused');
open($fh, '>', $key_c) or die;
print $fh $key_text;
close($fh);
is(query($node_c, 'restored', $predict{default_version}), $orig_answers->{default_version},
	'the original key file works again');

$node_a->stop;
$node_b->stop;
$node_c->stop;
done_testing();

# A cluster with a key of its own: each connection's secrets cannot be
# opened, with the re-enter hint and no secret in the error, until ALTER
# CONNECTION ... SET gives them again.
sub re_enter_secrets
{
	my ($node, $label) = @_;
	my $key = $node->data_dir . '/mlpredict_secret.key';

	for my $conn (sort keys %uses_connection)
	{
		my $err = query($node, 'restored',
			"\\set VERBOSITY verbose\n$uses_connection{$conn}");
		like($err,
			qr/ERROR:  55000: secrets of connection "$conn" were encrypted under another cluster key/,
			"$label: $conn needs its secrets re-entered (55000)");
		like($err, qr/DETAIL:  .*[0-9a-f]{16}.*restored into another cluster/,
			"$label: the detail names the key ids and why");
		like($err,
			qr/HINT:  Re-enter the secrets with ALTER CONNECTION $conn SET \(\.\.\.\), or install the original cluster's key file as mlpredict\.secret_key_file\./,
			"$label: the hint says how to fix it");
		unlike($err, qr/sk-test-openai-key|azure-test-key/,
			"$label: no secret in the error");
	}
	ok(-f $key, "$label: this cluster made a key of its own");
	is(sprintf('%04o', (stat $key)[2] & 07777), '0600', "$label: its key file has mode 0600");
	isnt(slurp_file($key), slurp_file($key_a), "$label: the keys differ");

	my ($ret, $out, $err) = $node->psql('restored', q{
SELECT * FROM mlpredict.execute($$ALTER CONNECTION openai-connection SET ('api-key' = 'sk-test-openai-key')$$);
SELECT * FROM mlpredict.execute($$ALTER CONNECTION azure-connection SET ('api-key' = 'azure-test-key')$$);
}, on_error_stop => 1);
	is($ret, 0, "$label: ALTER CONNECTION ... SET re-enters the secrets");
	like($err, qr/NOTICE:  discarding the stored secrets of connection "openai-connection"/,
		"$label: the old secrets are discarded with a notice");
	return;
}
