# Citus scale-out: a coordinator and two workers (then a third added later),
# each with shared_preload_libraries = 'citus,mlpredict'.  The coordinator's
# CREATE CONNECTION / CREATE MODEL / GRANT reach both workers (rows, sealed
# secrets as stored, the typed function); a distributed LATERAL query over a
# distributed table answers every row of every shard, each worker calling
# the stand-in itself (citus_stat_models shows every node's calls); a worker
# refuses catalog changes of its own and refuses to create a key file; a
# node added later gets the catalog from mlpredict.citus_sync(); a worker
# with another cluster key is named by mlpredict.citus_check_keys(); a
# change while a worker is down fails, naming it.
#
# Citus is not a Debian package: the test is skipped, with a message, where
# it is not installed for the server under test (see README "Scaling out").
use strict;
use warnings;

use File::Copy qw(copy);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $probe = PostgreSQL::Test::Cluster->new('probe');
my $sharedir = $probe->config_data('--sharedir');
if (!-f "$sharedir/extension/citus.control")
{
	plan skip_all =>
	  "Citus is not installed for this PostgreSQL ($sharedir/extension/citus.control is missing)";
}

my $standin = start_standin();
my $url = $standin->{url};

my @conf = (
	"shared_preload_libraries = 'citus,mlpredict'",
	"listen_addresses = '127.0.0.1'",
	"max_prepared_transactions = 20",
	"citus.node_conninfo = 'sslmode=disable'");

sub citus_node
{
	my ($name) = @_;
	my $node = new_node($name, @conf);
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	return $node;
}

sub key_file
{
	my ($node) = @_;
	my $setting = $node->safe_psql('postgres', 'SHOW mlpredict.secret_key_file');
	return $setting =~ m{^/} ? $setting : $node->data_dir . "/$setting";
}

# Copy the coordinator's key file to a worker, as the README tells users to.
sub copy_key
{
	my ($from, $to) = @_;
	copy(key_file($from), key_file($to)) or die "copy key: $!";
	chmod 0600, key_file($to);
	return;
}

my $coord = citus_node('coord');
my $w1 = citus_node('worker1');
my $w2 = citus_node('worker2');
my $cport = $coord->port;

$coord->safe_psql('postgres', qq{
SELECT citus_set_coordinator_host('127.0.0.1', $cport);
SELECT citus_add_node('127.0.0.1', ${\ $w1->port});
SELECT citus_add_node('127.0.0.1', ${\ $w2->port});
CREATE EXTENSION mlpredict;
SELECT mlpredict.cluster_key_id();
});
is($w1->safe_psql('postgres', q{SELECT mlpredict.citus_role()}), 'worker',
	'the extension reaches the workers and knows it is on one');
is($coord->safe_psql('postgres', q{SELECT mlpredict.citus_role()}), 'coordinator',
	'the coordinator knows it is one');

# A worker without the coordinator's key file refuses to make its own.
my ($ret, $out, $err) = $w1->psql('postgres', q{SELECT mlpredict.cluster_key_id()});
isnt($ret, 0, 'a worker without a key file does not create one');
like($err, qr/Citus worker 127\.0\.0\.1:${\ $w1->port} \(group \d+\) has no mlpredict secret key file/,
	'the error names the worker');
like($err, qr/Copy the coordinator's key file/, 'and says to copy the coordinator\'s key file');
ok(!-e key_file($w1), 'no key file was written on the worker');
copy_key($coord, $w1);
copy_key($coord, $w2);

# Catalog changes on the coordinator reach both workers.
$coord->safe_psql('postgres', qq{
CREATE ROLE alice LOGIN;
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION openai-connection WITH ('type' = 'openai', 'endpoint' = '$url/v1/chat/completions', 'api-key' = 'sk-test-openai-key')\$\$);
});
create_chat_model($coord, 'postgres', 'chat', 'openai-connection');
$coord->safe_psql('postgres', q{
SELECT mlpredict.grant_connection('openai-connection', 'alice');
SELECT mlpredict.grant_model('chat', 'alice');
});

my %catalog = (
	connections => q{SELECT name, type, endpoint, secrets, owner FROM mlpredict.connections ORDER BY 1},
	models => q{SELECT schema, name, version, provider, input, output, owner FROM mlpredict.models ORDER BY 1, 2, 3},
	sealed => q{SELECT connection, encode(sealed, 'hex') FROM mlpredict.connection_secret ORDER BY 1},
	grants => q{SELECT acl::text FROM mlpredict.connection ORDER BY name},
	typed_function => q{SELECT has_function_privilege('alice', 'public.chat(text, mlpredict.predict_options)', 'EXECUTE'),
		has_function_privilege('public', 'public.chat(text, mlpredict.predict_options)', 'EXECUTE')});
my %expected = map { $_ => $coord->safe_psql('postgres', $catalog{$_}) } keys %catalog;
like($expected{models}, qr/chat/, 'the coordinator has the model');
like($expected{typed_function}, qr/^t\|f$/, 'alice may run the typed function, PUBLIC may not');
for my $w ($w1, $w2)
{
	for my $what (sort keys %catalog)
	{
		is($w->safe_psql('postgres', $catalog{$what}), $expected{$what},
			$w->name . ": $what as on the coordinator");
	}
}

# A worker refuses catalog changes of its own.
($ret, $out, $err) = $w1->psql('postgres',
	q{SELECT mlpredict.create_model('local_model', 'prompt STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "openai-connection"}')});
isnt($ret, 0, 'CREATE MODEL on a worker fails');
like($err, qr/changed on the Citus coordinator, not on a worker/, 'and says where to run it');
($ret, $out, $err) = $w2->psql('postgres', q{SELECT mlpredict.grant_connection('openai-connection', 'alice')});
like($err, qr/changed on the Citus coordinator, not on a worker/, 'so does a GRANT on a worker');

# A distributed LATERAL query answers every row of every shard.
$coord->safe_psql('postgres', q{
CREATE TABLE docs (id int PRIMARY KEY, body text);
SELECT create_distributed_table('docs', 'id');
INSERT INTO docs SELECT g, 'document ' || g FROM generate_series(1, 200) g;
});
is($coord->safe_psql('postgres', q{
SELECT count(*), count(*) FILTER (WHERE p.answer = 'echo: ' || d.body)
FROM docs d, LATERAL chat(d.body) p}), '200|200',
	'the distributed LATERAL query answers all 200 rows correctly');
is($coord->safe_psql('postgres', q{
SELECT count(*), count(*) FILTER (WHERE p.answer = 'echo: ' || d.body)
FROM docs d, LATERAL mlpredict.ml_predict('chat', d.body) AS p(answer text)}), '200|200',
	'ml_predict in a distributed LATERAL query answers all 200 rows too');
is($coord->safe_psql('postgres', q{
SELECT count(*) FROM (SELECT d.id, p.answer FROM docs d, LATERAL chat(d.body) p WHERE d.id = 7) s
WHERE s.answer = 'echo: document 7'}), '1', 'a query routed to one shard is answered on its worker');
my $per_node = $coord->safe_psql('postgres', q{
SELECT node, sum(calls) > 0 FROM mlpredict.citus_stat_models WHERE model = 'public.chat' GROUP BY node ORDER BY node});
my @nodes_calling = grep { /\|t$/ } split /\n/, $per_node;
is(scalar @nodes_calling, 2, 'both workers called the model themselves (citus_stat_models)')
  or diag $per_node;
is($coord->safe_psql('postgres', q{
SELECT sum(rows) FROM mlpredict.citus_stat_models WHERE model = 'public.chat'}), '401',
	'the cluster-wide statistics count every row once (200 + 200 + 1)');
is($coord->safe_psql('postgres', q{
SELECT count(DISTINCT node) FROM mlpredict.citus_stat_connections
WHERE connection = 'openai-connection' AND node <> 'coordinator' AND calls > 0}), '2',
	'citus_stat_connections has both workers\' calls');

# Changes and drops propagate too.
$coord->safe_psql('postgres', q{
SELECT mlpredict.alter_model('chat', '{"openai.params.temperature": 0.5}');
SELECT mlpredict.create_model('chat2', 'prompt STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "openai-connection"}');
SELECT mlpredict.drop_model('chat2');
CREATE ROLE bob;
});
$coord->safe_psql('postgres', q{
SELECT mlpredict.alter_connection_owner('openai-connection', 'bob');
SELECT mlpredict.alter_model_owner('chat', 'bob');
});
is($w2->safe_psql('postgres', q{SELECT owner FROM mlpredict.models UNION ALL SELECT owner FROM mlpredict.connections}),
	"bob\nbob", 'new owners reach the worker');
is($w2->safe_psql('postgres', q{SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = 'public.chat(text, mlpredict.predict_options)'::regprocedure}),
	'bob', 'and the typed function has the new owner there (Citus propagates it)');
is($w2->safe_psql('postgres', $catalog{models} =~ s/provider/options::text/r),
	$coord->safe_psql('postgres', $catalog{models} =~ s/provider/options::text/r),
	'ALTER MODEL and a created then dropped model reach the worker');
# A rolled-back change is not sent.
$coord->safe_psql('postgres', q{
BEGIN;
SELECT mlpredict.drop_model('chat');
ROLLBACK;
});
is($w1->safe_psql('postgres', q{SELECT count(*) FROM mlpredict.models}), '1',
	'a rolled-back DROP MODEL leaves the worker alone');

# A node added later gets the catalog (and EXECUTE on the typed function:
# Citus copies it with PUBLIC's default) from citus_sync(); the catalog to
# compare with is the one after the owner change above.
%expected = map { $_ => $coord->safe_psql('postgres', $catalog{$_}) } keys %catalog;
my $w3 = citus_node('worker3');
$coord->safe_psql('postgres', qq{SELECT citus_add_node('127.0.0.1', ${\ $w3->port})});
is($w3->safe_psql('postgres', q{SELECT count(*) FROM mlpredict.models}), '0',
	'a node added later has no models yet');
like($coord->safe_psql('postgres', q{SELECT node, models, connections FROM mlpredict.citus_sync() ORDER BY node}),
	qr/127\.0\.0\.1:${\ $w3->port}\|1\|1/, 'citus_sync() reports the new worker');
for my $what (sort keys %catalog)
{
	is($w3->safe_psql('postgres', $catalog{$what}), $expected{$what},
		"the added worker: $what as on the coordinator");
}

# The key check: a worker without a key, then with another key, is named.
my $keys = $coord->safe_psql('postgres',
	q{SELECT node, matches FROM mlpredict.citus_check_keys() ORDER BY matches, node});
like($keys, qr/^127\.0\.0\.1:${\ $w3->port}\|f\n/, 'a worker without a key file is named first');
is(scalar(() = $keys =~ /\|t/g), 3, 'the coordinator and the two other workers agree');
open(my $fh, '>', key_file($w3)) or die "write key: $!";
print $fh "mlpredict secret key v1\n" . ('ab' x 32) . "\n";
close $fh;
chmod 0600, key_file($w3);
($ret, $out, $err) = $coord->psql('postgres',
	q{SELECT node, matches, problem FROM mlpredict.citus_check_keys() WHERE NOT matches});
like($out, qr/^127\.0\.0\.1:${\ $w3->port}\|f\|another cluster key: copy the coordinator's key file/,
	'a worker with another key is named, with how to fix it');
like($err, qr/WARNING:  Citus worker 127\.0\.0\.1:${\ $w3->port} does not share/, 'and warned about');
copy_key($coord, $w3);
$w3->restart;
is($coord->safe_psql('postgres',
	q{SELECT count(*) FILTER (WHERE matches) || '/' || count(*) FROM mlpredict.citus_check_keys()}),
	'4/4', 'after copying the key file every node agrees');

# The new worker answers its shards once they move there.
$coord->safe_psql('postgres', q{SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes'); SELECT citus_rebalance_wait()});
is($coord->safe_psql('postgres', q{
SELECT count(*), count(*) FILTER (WHERE p.answer = 'echo: ' || d.body)
FROM docs d, LATERAL chat(d.body) p}), '200|200',
	'after rebalancing onto the added worker every row is still answered');

# On a worker: the key check is the coordinator's; the statistics views
# show the worker's own rows.
($ret, $out, $err) = $w1->psql('postgres', q{SELECT * FROM mlpredict.citus_check_keys()});
like($err, qr/citus_check_keys\(\) runs on the Citus coordinator/, 'citus_check_keys() on a worker says where to run it');
is($w1->safe_psql('postgres', q{SELECT DISTINCT node FROM mlpredict.citus_stat_models}), 'this worker',
	'citus_stat_models on a worker shows its own rows');

# A worker that cannot take the catalog fails the coordinator's change,
# naming it; once it is back, citus_sync() brings everyone in step.
$w3->stop;
($ret, $out, $err) = $coord->psql('postgres',
	q{SELECT mlpredict.alter_model('chat', '{"openai.params.temperature": 0.25}')});
isnt($ret, 0, 'a change while a worker is down fails');
like($err, qr/could not copy the mlpredict catalog to 1 Citus worker.*\n.*127\.0\.0\.1:${\ $w3->port}/,
	'and names the worker that is down');
like($coord->safe_psql('postgres', q{SELECT options::text FROM mlpredict.models}), qr/"openai.params.temperature": "0.5"/,
	'the coordinator kept its catalog');
$w3->start;
$coord->safe_psql('postgres', q{SELECT mlpredict.alter_model('chat', '{"openai.params.temperature": 0.25}')});
my $models = $coord->safe_psql('postgres', q{SELECT options::text FROM mlpredict.models});
is($_->safe_psql('postgres', q{SELECT options::text FROM mlpredict.models}), $models,
	$_->name . ' has the change once the worker is back') for ($w1, $w2, $w3);

done_testing();
