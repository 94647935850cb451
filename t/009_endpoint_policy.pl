# The endpoint policy, with the connection pool and without it: every
# address a request is about to connect to (after name resolution) must be
# public or inside mlpredict.allowed_networks.  The node runs the default
# policy except that plain http is allowed and allowed_networks holds only
# the address of the "good" stand-in (127.0.0.2); a "victim" stand-in on
# 127.0.0.1 must never see a request, or even a TCP connection.  Refused:
# the victim's address, the cloud metadata address (before any packet
# leaves), host names that resolve to loopback, a redirect to the victim
# (never followed), a Vertex service account whose token_uri points at the
# victim.  A refusal is 42501, clear, and not retried.  A reload changes
# the policy of the pool worker at once, kept-alive connections included;
# mlpredict.ca_bundle reaches new transfers the same way.  Plain http needs
# allow_insecure_http, and a non-superuser can set none of these settings.
use strict;
use warnings;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

my $good = start_standin(host => '127.0.0.2');
my $victim = start_standin();
my $gp = $good->{port};
my $vp = $victim->{port};
is($victim->{host}, '127.0.0.1', 'the victim listens on 127.0.0.1');

# A service account whose token endpoint is the victim.
my $dir = PostgreSQL::Test::Utils::tempdir('policy');
my $python = $ENV{STANDIN_PYTHON} || '/usr/bin/python3';
$python = 'python3' unless -x $python;
system($python, repo_root() . '/test/standin/make_service_account.py',
	'--out', "$dir/sa.json", '--public-key', "$dir/sa.pub",
	'--token-uri', "http://127.0.0.1:$vp/token") == 0
  or die "make_service_account.py failed";
my $sa_json = slurp_file("$dir/sa.json");

my $refused = qr/ERROR:  42501: connection to (127\.0\.0\.1|::1) refused by mlpredict\.allowed_networks/;

# Runs $sql; returns (exit code, stdout, stderr) with verbose errors.
sub run_sql
{
	my ($node, $sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', $sql,
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	return ($ret, $out, $err);
}

# The victim's accepted TCP connections; the stats call itself adds one.
sub victim_accepted
{
	return standin_get($victim, '/_control/stats')->{connections_accepted};
}

# $sql must fail with the refusal, without a connection to the victim.
sub refused_ok
{
	my ($node, $sql, $name, $want) = @_;
	my $before = victim_accepted();
	my ($ret, $out, $err) = run_sql($node, $sql);
	like($err, $want || $refused, "$name: refused");
	is(victim_accepted(), $before + 1, "$name: the victim saw no connection");
	return $err;
}

# Polls until $sql's stderr matches (or, with $ok, it succeeds); bounded.
sub poll_outcome
{
	my ($node, $sql, $regex, $ok) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	my ($ret, $out, $err);
	while (time < $deadline)
	{
		($ret, $out, $err) = run_sql($node, $sql);
		return 1 if $ok ? $ret == 0 : $err =~ $regex;
		usleep(100_000);
	}
	diag "poll_outcome timed out: $sql\nstdout: $out\nstderr: $err";
	return 0;
}

for my $preload (1, 0)
{
	my $mode = $preload ? 'pool' : 'no pool';
	my $node = new_node($preload ? 'policy_pool' : 'policy_plain',
		{ preload => $preload, allowed_networks => '127.0.0.2/32' },
		'mlpredict.connect_timeout = 30000');
	is($node->safe_psql('postgres', 'SHOW mlpredict.allowed_networks'),
		'127.0.0.2/32', "$mode: only the good stand-in is allowed");

	my %endpoints = (
		good => "http://127.0.0.2:$gp/v1/chat/completions",
		direct => "http://127.0.0.1:$vp/v1/chat/completions",
		metadata => 'http://169.254.169.254/latest/v1/chat/completions',
		localhost => "http://localhost:$vp/v1/chat/completions",
		dotlocal => "http://victim.localhost:$vp/v1/chat/completions",
		httpsgood => "https://127.0.0.2:$gp/v1/chat/completions");
	my $setup = "CREATE EXTENSION mlpredict;\n";
	for my $name (sort keys %endpoints)
	{
		$setup .= qq{SELECT mlpredict.create_connection('c-$name', '{"type": "openai", "endpoint": "$endpoints{$name}", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('chat_$name', 'prompt STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "c-$name"}');
};
	}
	$setup .= qq{SELECT mlpredict.create_connection('c-vertex', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.2:$gp/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/gemini-2.0-flash',
  'service-key', \$sa\$$sa_json\$sa\$::text));
SELECT mlpredict.create_model('vertex', 'prompt STRING', 'answer STRING', '{"provider": "vertexai", "task": "text_generation", "vertexai.connection": "c-vertex"}');
CREATE ROLE policy_user LOGIN;
};
	$node->safe_psql('postgres', $setup);

	# The good stand-in works: the test can pass.
	is($node->safe_psql('postgres', q{SELECT answer FROM chat_good('hello')}),
		'echo: hello', "$mode: the allowed stand-in answers");

	# SSRF attempts.
	my $err = refused_ok($node, q{SELECT * FROM chat_direct('hi')},
		"$mode: http://127.0.0.1:<victim>");
	like($err, qr/DETAIL:  127\.0\.0\.1 is not a public address \(loopback\)\. Loopback, link-local/,
		"$mode: the detail names the kind of address");
	like($err, qr/HINT:  .*a superuser can add its network to mlpredict\.allowed_networks/,
		"$mode: the hint names the setting");
	like($err, qr/CONTEXT:  request to model "public\.chat_direct\$1" \(connection "c-direct"\)/,
		"$mode: the context names the model and connection");

	my $t0 = time;
	refused_ok($node, q{SELECT * FROM chat_metadata('hi')},
		"$mode: the metadata address",
		qr/ERROR:  42501: connection to 169\.254\.169\.254 refused by mlpredict\.allowed_networks/);
	cmp_ok(time - $t0, '<', 10,
		"$mode: refused at once, no connection attempted (connect_timeout is 30 s)");
	refused_ok($node, q{SELECT * FROM chat_localhost('hi')}, "$mode: http://localhost:<victim>");
	refused_ok($node, q{SELECT * FROM chat_dotlocal('hi')}, "$mode: http://victim.localhost:<victim>");

	# Not retried: one attempt although retry_count allows four.
	my ($ret, $out, $notices) = run_sql($node,
		q{SELECT * FROM chat_direct('hi', mlpredict.options(retry_count => 3, debug => true))});
	my @attempts = $notices =~ /refused by mlpredict\.allowed_networks 0 \(attempt (\d+)\)/g;
	is_deeply(\@attempts, [1], "$mode: a refused request is not retried")
	  or diag $notices;

	# A redirect to the victim: not followed, the 302 is an error.
	standin_post($good, '/_control/reset');
	my $before = victim_accepted();
	($ret, $out, $err) = run_sql($node,
		qq{SELECT * FROM chat_good('go [[redirect:http://127.0.0.1:$vp/v1/chat/completions]]', mlpredict.options(retry_count => 3))});
	like($err, qr/ERROR:  38000: model "public\.chat_good\$1" answered with a redirect \(HTTP status 302\), which is not followed/,
		"$mode: a redirect is an error");
	unlike($err, qr/127\.0\.0\.1/, "$mode: the error does not show the Location");
	is(victim_accepted(), $before + 1, "$mode: the redirect did not reach the victim");
	is_deeply(standin_get($good, '/_control/stats')->{by_status}, { 302 => 1 },
		"$mode: the redirect was answered once (not retried)");

	# A Vertex token endpoint on a refused address is refused the same way.
	($ret, $out, $err) = run_sql($node, q{SELECT * FROM vertex('hi')});
	like($err, $refused, "$mode: a service account's token_uri on the victim");
	like($err, qr/CONTEXT:  access token request of connection "c-vertex"/,
		"$mode: the context names the token request");

	# Plain http needs allow_insecure_http, which only a superuser sets.
	($ret, $out, $err) = run_sql($node,
		q{SET mlpredict.allow_insecure_http = off; SELECT * FROM chat_good('hi')});
	like($err, qr/ERROR:  22023: invalid endpoint "http:.*\n.*DETAIL:  Plain http:\/\/ endpoints are refused/,
		"$mode: http:// is refused when allow_insecure_http is off");
	for my $setting ('allow_insecure_http = on', 'allow_insecure_http = off',
		'max_output_elements = 1000000', 'max_response_size = 1048576')
	{
		my ($name) = split / /, $setting;
		($ret, $out, $err) = run_sql($node,
			"LOAD 'mlpredict'; SET ROLE policy_user; SET mlpredict.$setting;");
		like($err, qr/ERROR:  42501: permission denied to set parameter "mlpredict\.$name"/,
			"$mode: a non-superuser cannot SET mlpredict.$setting");
	}
	# Set before the library is loaded (without the pool, a new session
	# has not loaded it), the value is dropped when it is; with the pool,
	# the SET fails.
	($ret, $out, $err) = $node->psql('postgres', q{SET ROLE policy_user;
SET mlpredict.max_output_elements = 1000000;
RESET ROLE;
LOAD 'mlpredict';
SHOW mlpredict.max_output_elements;}, on_error_stop => 0);
	is($out, '100000', "$mode: a non-superuser's early SET does not stick");
	for my $setting (q{allowed_networks = '0.0.0.0/0, ::/0'}, q{ca_bundle = '/tmp/mine.pem'})
	{
		($ret, $out, $err) = run_sql($node,
			"LOAD 'mlpredict'; SET ROLE policy_user; SET mlpredict.$setting;");
		like($err, qr/ERROR:  55P02: parameter "mlpredict\.\w+" cannot be changed now/,
			"$mode: nobody can SET mlpredict.$setting (configuration file only)");
		($ret, $out, $err) = run_sql($node,
			"LOAD 'mlpredict'; SET ROLE policy_user; ALTER SYSTEM SET mlpredict.$setting;");
		like($err, qr/ERROR:  42501: /,
			"$mode: a non-superuser cannot ALTER SYSTEM SET mlpredict.$setting");
	}

	# A reload changes the policy for the next request, even over a
	# connection kept alive from before (the pool worker's, with the pool).
	is($node->safe_psql('postgres', q{SELECT answer FROM chat_good('warm')}),
		'echo: warm', "$mode: a connection to the good stand-in is open");
	$node->safe_psql('postgres',
		q{LOAD 'mlpredict'; ALTER SYSTEM SET mlpredict.allowed_networks = '127.0.0.3/32'; SELECT pg_reload_conf();});
	ok(poll_outcome($node, q{SELECT * FROM chat_good('after reload')},
			qr/ERROR:  42501: connection to 127\.0\.0\.2 refused by mlpredict\.allowed_networks/),
		"$mode: after a reload the good stand-in is refused too");
	$node->safe_psql('postgres',
		q{ALTER SYSTEM RESET mlpredict.allowed_networks; SELECT pg_reload_conf();});
	ok(poll_outcome($node, q{SELECT * FROM chat_good('back')}, undef, 1),
		"$mode: and allowed again after the next reload");

	# mlpredict.ca_bundle reaches new TLS transfers after a reload.
	$node->safe_psql('postgres',
		qq{LOAD 'mlpredict'; ALTER SYSTEM SET mlpredict.ca_bundle = '$dir/no-such-ca.pem'; SELECT pg_reload_conf();});
	ok(poll_outcome($node, q{SELECT * FROM chat_httpsgood('hi')},
			qr/DETAIL:  .*no-such-ca\.pem/),
		"$mode: the CA bundle of mlpredict.ca_bundle is used");
	$node->safe_psql('postgres',
		q{ALTER SYSTEM RESET mlpredict.ca_bundle; SELECT pg_reload_conf();});
	ok(poll_outcome($node, q{SELECT * FROM chat_httpsgood('hi')}, qr/ERROR:  08006/),
		"$mode: without it, the system store (a TLS failure against a plain http server)");

	$node->stop;
}

# Nothing ever reached the victim.
my $stats = standin_get($victim, '/_control/stats');
is($stats->{requests}, 0, 'the victim received no request');
is_deeply(standin_get($victim, '/_control/requests'), [], 'the victim recorded nothing');

done_testing();
