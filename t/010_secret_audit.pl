# Secrets never leave: after a run full of successes and failures with every
# kind of secret (literal keys, an env: reference, file: references for AWS
# keys and a Google service account), none of them may appear in the whole
# server log (log_min_messages = debug5, log_statement = 'all', verbose
# errors), in any view of pg_catalog, information_schema or mlpredict
# (pg_stat_activity with the pool worker, pg_stat_statements with nested
# statements tracked, the stats views), in the catalog tables (ciphertext
# only), or in anything a client was shown (errors, notices, DESCRIBE,
# debug output, EXPLAIN).
#
# The secrets are random per run and the stand-in is told to accept them,
# so they appear nowhere in the repository.  The statements that carry a
# literal key run with statement logging off, as the README advises: what
# is checked is that nothing mlpredict itself logs or shows carries a key.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

sub random_text
{
	my ($n) = @_;
	my @c = ('a' .. 'z', 'A' .. 'Z', '0' .. '9');
	return join('', map { $c[ int(rand(@c)) ] } 1 .. $n);
}

my %secret = (
	openai_literal => 'sk-audit-' . random_text(32),
	openai_env => 'sk-audit-env-' . random_text(32),
	openai_wrong => 'sk-audit-wrong-' . random_text(32),
	azure_literal => 'azure-audit-' . random_text(32),
	googleai_literal => 'AIza-audit-' . random_text(32),
	aws_access => 'AKIAAUDIT' . uc(random_text(11)),
	aws_secret => 'audit/Secret+' . random_text(28),
	aws_wrong_secret => 'audit/Wrong+' . random_text(28),
);

my $dir = PostgreSQL::Test::Utils::tempdir('audit');

# the stand-in accepts exactly these keys
my $keys_file = "$dir/keys.json";
open(my $kf, '>', $keys_file) or die "$keys_file: $!";
print $kf JSON::PP->new->encode({
	openai => [ $secret{openai_literal}, $secret{openai_env} ],
	azure_openai => $secret{azure_literal},
	googleai => $secret{googleai_literal},
	aws => { access_key_id => $secret{aws_access},
			 secret_access_key => $secret{aws_secret} } });
close($kf);
my $s = start_standin(args => [ '--keys-file', $keys_file ]);
my $url = $s->{url};
my $port = $s->{port};

# a Google service account whose private key is only in a file
my $python = $ENV{STANDIN_PYTHON} || '/usr/bin/python3';
$python = 'python3' unless -x $python;
my $email = 'audit@mlpredict-audit.iam.gserviceaccount.com';
system($python, repo_root() . '/test/standin/make_service_account.py',
	'--out', "$dir/sa.json", '--public-key', "$dir/sa.pub",
	'--token-uri', "$url/token", '--client-email', $email) == 0
  or die "make_service_account.py failed";
standin_post($s, '/_control/config',
	{ gcp_public_key => slurp_file("$dir/sa.pub"), gcp_client_email => $email });
my $sa = JSON::PP->new->decode(slurp_file("$dir/sa.json"));
# a line from the middle of the PEM body stands for the private key
my @pem = grep { length($_) >= 40 } split(/\n/, $sa->{private_key});
$secret{gcp_private_key} = $pem[ int(@pem / 2) ];

# AWS keys in files; an env: reference for one OpenAI key
for my $k (qw(aws_access aws_secret))
{
	open(my $fh, '>', "$dir/$k") or die;
	print $fh "$secret{$k}\n";
	close($fh);
}
chmod(0644, "$dir/sa.json", "$dir/aws_access", "$dir/aws_secret");
chmod(0755, $dir);
$ENV{MLPREDICT_AUDIT_OPENAI_KEY} = $secret{openai_env};

my $node = new_node('audit',
	"shared_preload_libraries = 'mlpredict, pg_stat_statements'",
	"pg_stat_statements.track = all",
	# PostgreSQL itself prints the postmaster's environment (and so an
	# env: reference's value) at DEBUG3 while starting; the README says so.
	# The most verbose level is set once the server is up.
	"log_min_messages = debug2",
	"log_statement = 'all'",
	"log_min_error_statement = debug5",
	"log_error_verbosity = verbose",
	"log_connections = on",
	"log_disconnections = on",
	"mlpredict.retry_count = 1");
delete $ENV{MLPREDICT_AUDIT_OPENAI_KEY};
$node->safe_psql('postgres', q{ALTER SYSTEM SET log_min_messages = 'debug5'; SELECT pg_reload_conf();});
$node->poll_query_until('postgres', q{SELECT current_setting('log_min_messages') = 'debug5'})
  or die "log_min_messages did not change";

# Everything clients were shown: stdout and stderr of every psql run.
my $shown = '';

sub run_sql
{
	my ($sql) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', $sql,
		on_error_stop => 0,
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	$shown .= "$out\n$err\n";
	return ($rc, $out, $err);
}

# Statements that carry literal keys run without statement logging (the
# documented advice) but with log_min_error_statement at its default, so
# that anything mlpredict logs at LOG or above while running them (the
# cluster key file is created by the first one) would show the statement.
# The refused ones also hide the STATEMENT line of their ERROR; everything
# else stays at its most verbose.
my $quiet = q{SET log_statement = 'none'; SET log_min_error_statement = 'error';};
my $refused = q{SET log_statement = 'none'; SET log_min_error_statement = 'panic';};
my $bedrock = "http://bedrock-runtime.us-east-1.localhost:$port/model/amazon.titan-text-express-v1/invoke";
my ($rc, $out, $err) = run_sql(qq{
CREATE EXTENSION mlpredict;
CREATE EXTENSION pg_stat_statements;
$quiet
SELECT mlpredict.create_connection('audit-openai', '{"type": "openai", "endpoint": "$url/v1/chat/completions", "api-key": "$secret{openai_literal}"}');
SELECT mlpredict.create_connection('audit-wrong', '{"type": "openai", "endpoint": "$url/v1/chat/completions", "api-key": "$secret{openai_wrong}"}');
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION audit-azure WITH ('type' = 'azureopenai', 'endpoint' = '$url/openai/deployments/embed/embeddings?api-version=2024-06-01', 'api-key' = '$secret{azure_literal}')\$\$);
SELECT mlpredict.create_connection('audit-gemini', '{"type": "googleai", "endpoint": "$url/v1beta/models/gemini-2.0-flash:generateContent", "api-key": "$secret{googleai_literal}"}');
SELECT mlpredict.create_connection('audit-bedrock-wrong', '{"type": "bedrock", "endpoint": "$bedrock", "aws-access-key": "$secret{aws_access}", "aws-secret-key": "$secret{aws_wrong_secret}"}');
-- the error messages of refused statements must not echo their keys
$refused
SELECT mlpredict.create_connection('audit-bad', '{"type": "openai", "endpoint": "$url/v1/chat/completions", "api-key": "$secret{openai_literal}", "no-such-option": "1"}');
SELECT mlpredict.alter_connection('audit-openai', '{"api-key": "$secret{openai_literal}", "type": "azureopenai"}');
SELECT mlpredict.create_connection('audit-openai', '{"type": "openai", "endpoint": "ftp://x/v1", "api-key": "$secret{openai_literal}"}');
});
is(scalar(() = $err =~ /ERROR:/g), 3, 'the three refused statements of the setup failed')
  or diag $err;

# References: the keys never pass through SQL text at all.
run_sql(qq{
SELECT mlpredict.create_connection('audit-env', '{"type": "openai", "endpoint": "$url/v1/chat/completions", "api-key": "env:MLPREDICT_AUDIT_OPENAI_KEY"}');
SELECT mlpredict.create_connection('audit-bedrock', '{"type": "bedrock", "endpoint": "$bedrock", "aws-access-key": "file:$dir/aws_access", "aws-secret-key": "file:$dir/aws_secret"}');
SELECT mlpredict.create_connection('audit-vertex', '{"type": "vertexai", "endpoint": "$url/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/gemini-2.0-flash", "service-key": "file:$dir/sa.json"}');
});

my %models = (
	chat => 'audit-openai', chat_env => 'audit-env', chat_wrong => 'audit-wrong',
	gemini => 'audit-gemini', titan => 'audit-bedrock', titan_wrong => 'audit-bedrock-wrong',
	vertex => 'audit-vertex');
my %provider = (
	'audit-openai' => 'openai', 'audit-env' => 'openai', 'audit-wrong' => 'openai',
	'audit-gemini' => 'googleai', 'audit-bedrock' => 'bedrock',
	'audit-bedrock-wrong' => 'bedrock', 'audit-vertex' => 'vertexai');
for my $m (sort keys %models)
{
	my $c = $models{$m};
	my $p = $provider{$c};
	run_sql(qq{SELECT * FROM mlpredict.execute(\$\$CREATE MODEL $m INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = '$p', 'task' = 'text_generation', '$p.connection' = '$c')\$\$)});
}
run_sql(q{SELECT * FROM mlpredict.execute($$CREATE MODEL embed INPUT (text STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = 'azureopenai', 'task' = 'embedding', 'azureopenai.connection' = 'audit-azure')$$)});

# Successes: every connection works, so every secret was really used.
for my $m (qw(chat chat_env gemini titan vertex))
{
	($rc, $out, $err) = run_sql("SELECT answer FROM $m('hello from $m')");
	like($out, qr/hello from $m/, "$m answers with its secret");
}
($rc, $out) = run_sql(q{SELECT array_length(v, 1) > 0 FROM embed('hello')});
is($out, 't', 'the Azure embedding answers');

# Failures of every kind, with debug output on for some.
my @failing = (
	q{SELECT * FROM chat_wrong('wrong key')},
	q{SELECT * FROM titan_wrong('wrong aws secret')},
	q{SELECT * FROM chat('[[status:500]] server error')},
	q{SELECT * FROM chat('[[status:429]] [[retry-after:0]] throttled')},
	q{SELECT * FROM chat('[[drop]] dropped')},
	q{SELECT * FROM chat('[[bad-json]] truncated')},
	q{SELECT * FROM chat('[[status:401]] refused', mlpredict.options(debug => true))},
	q{SELECT * FROM chat('[[sleep:3000]] slow', mlpredict.options(client_timeout => 1))},
	q{SET statement_timeout = '300ms'; SELECT * FROM chat('[[sleep:3000]] canceled')},
	q{SELECT * FROM titan('[[status:403]] signed', mlpredict.options(debug => true))},
	q{SELECT * FROM vertex('[[status:500]] vertex fails', mlpredict.options(debug => true))},
	q{SELECT * FROM gemini('[[status:400]] gemini fails', mlpredict.options(debug => true))},
	q{SELECT * FROM embed('[[status:500]] embed fails', mlpredict.options(debug => true))},
	q{SELECT x, a.* FROM generate_series(1, 20) x, LATERAL chat_env('row ' || x || CASE WHEN x % 5 = 0 THEN ' [[status:500]]' ELSE '' END) a},
	q{EXPLAIN (ANALYZE, VERBOSE) SELECT x, a.* FROM generate_series(1, 5) x, LATERAL chat('row ' || x) a},
	q{SELECT * FROM mlpredict.debug_request('chat', 'what is sent')},
	q{SELECT * FROM mlpredict.debug_request('titan', 'what is sent')},
	q{SELECT * FROM mlpredict.debug_request('vertex', 'what is sent')},
	q{SELECT * FROM mlpredict.debug_request('gemini', 'what is sent')},
	q{SELECT * FROM mlpredict.execute('DESCRIBE CONNECTION audit-openai')},
	q{SELECT * FROM mlpredict.execute('SHOW CONNECTIONS')},
	q{SELECT * FROM mlpredict.describe_connection('audit-bedrock')},
	q{SELECT mlpredict.show_create_model('vertex')},
	q{SELECT * FROM mlpredict.execute('DESCRIBE MODEL titan')},
	q{SELECT mlpredict.alter_connection('audit-env', '{"no-such-option": "1"}')},
	q{SELECT mlpredict.drop_connection('audit-openai')},
);
for my $sql (@failing)
{
	run_sql($sql);
}
# a connection that cannot be reached, and one to a closed port
run_sql(qq{SELECT mlpredict.create_connection('audit-closed', '{"type": "openai", "endpoint": "http://127.0.0.1:1/v1/chat/completions", "api-key": "env:MLPREDICT_AUDIT_OPENAI_KEY"}');
SELECT * FROM mlpredict.execute(\$\$CREATE MODEL closed INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'audit-closed')\$\$);
SELECT * FROM closed('nobody listens', mlpredict.options(debug => true));});

# Without the pool: the same calls in the backend.
run_sql(q{SET mlpredict.retry_count = 0; SELECT * FROM chat_wrong('wrong key, again')});

ok($shown =~ /ERROR/, 'the run had its errors');
ok($shown =~ /\*\*\*\*\*/, 'secrets were shown masked');

# What there is to search: every view, the catalog, the whole log.
my $views = $node->safe_psql('postgres', q{
SELECT string_agg(format('%I.%I', n.nspname, c.relname), ' ' ORDER BY 1)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('pg_catalog', 'information_schema', 'mlpredict', 'public')});
my $dump = '';
for my $v (split / /, $views)
{
	my ($vrc, $vout, $verr) = $node->psql('postgres', "SELECT t::text FROM $v t");
	$dump .= "== $v\n$vout\n$verr\n";
}
note 'searched ' . scalar(split / /, $views) . ' views';
like($dump, qr/mlpredict pool/, 'pg_stat_activity was searched, with the pool worker');
like($dump, qr/create_connection/, 'pg_stat_statements was searched');
my $catalog = $node->safe_psql('postgres', q{
SELECT t::text FROM mlpredict.connection t
UNION ALL SELECT t::text FROM mlpredict.connection_secret t
UNION ALL SELECT t::text FROM mlpredict.model_version t});
my $log = slurp_log($node);

for my $name (sort keys %secret)
{
	my $value = $secret{$name};
	ok(index($log, $value) < 0, "$name is not in the server log");
	ok(index($dump, $value) < 0, "$name is not in any view");
	ok(index($catalog, $value) < 0, "$name is not in the catalog tables");
	ok(index($shown, $value) < 0, "$name was never shown to a client");
}

# The search itself can fail.  A key in the text of a logged statement is
# the user's own risk (the README's advice is to turn statement logging off
# or use a reference): it does reach the log, but pg_stat_statements keeps
# the statement with its constants replaced.
my $canary = 'sk-audit-canary-' . random_text(32);
run_sql(qq{SELECT mlpredict.create_connection('audit-canary', '{"type": "openai", "endpoint": "$url/v1/chat/completions", "api-key": "$canary"}')});
$log = slurp_log($node);
ok(index($log, $canary) >= 0, 'a key written into a logged statement is found in the log');
my $statements = $node->safe_psql('postgres', 'SELECT string_agg(query, E\'\\n\') FROM pg_stat_statements');
ok(index($statements, 'audit-canary') < 0 && index($statements, $canary) < 0,
	'pg_stat_statements keeps that statement without its constants');

done_testing();
