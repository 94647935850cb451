# Shared helpers for the mlpredict TAP tests (t/*.pl).
#
# - start_standin: runs the provider stand-in (test/standin/standin.py) on a
#   free port, owned by the calling test file, stopped at the end.
# - standin_get / standin_post: the stand-in's control API (HTTP::Tiny).
# - new_node: a PostgreSQL::Test::Cluster with the settings mlpredict needs
#   (optionally preloading the library, which starts the connection pool).
# - setup_connections: CREATE EXTENSION plus connections to a stand-in.
# - create_openai_connection / create_chat_model: more of them, with limits.
# - poll_value: poll a query until its output matches (bounded).
# - psql_start / psql_running / psql_finish / psql_parallel: psql sessions
#   running in parallel with the test.
# - pool_worker_pids: the pids of the 'mlpredict pool' background workers.
# - slurp_log: a node's server log.
#
# The tests run from scripts/test.sh (see run_tap in scripts/common.sh); by
# hand, as a user other than root, with the extension installed:
#   PATH=/usr/lib/postgresql/15/bin:$PATH \
#   PERL5LIB=/usr/lib/postgresql/15/lib/pgxs/src/test/perl:t \
#   PG_REGRESS=/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress \
#   TESTDIR=/tmp/somewhere prove t/

package MlpredictTest;

use strict;
use warnings;

use Exporter 'import';
use File::Basename qw(dirname);
use File::Spec;
use HTTP::Tiny;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

our @EXPORT = qw(start_standin stop_standin standin_get standin_post new_node
  setup_connections create_openai_connection create_chat_model poll_value
  psql_start psql_running psql_finish psql_parallel pool_worker_pids repo_root slurp_log);

# The repository root: t/ is one level below it.
sub repo_root
{
	return File::Spec->rel2abs(dirname(__FILE__) . '/..');
}

my @standins;

=pod

=item start_standin(%opts)

Starts the stand-in on port 0 (a free port) and waits, bounded, until it has
written its port file.  Returns a hash: host, port, url (http://HOST:PORT),
pid, log.  host => '127.0.0.2' binds another loopback address (default
127.0.0.1).  Extra command line options may be passed as args => [...].
The stand-in is stopped by stop_standin or at the end of the test file.
The control API (standin_get, standin_post) goes to the same address.

=cut

sub start_standin
{
	my (%opts) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir('standin');
	my $portfile = "$dir/standin.port";
	my $pidfile = "$dir/standin.pid";
	my $log = "$dir/standin.log";
	my $host = $opts{host} || '127.0.0.1';
	my $python = $ENV{STANDIN_PYTHON} || '/usr/bin/python3';
	$python = 'python3' unless -x $python;
	my @cmd = (
		$python, repo_root() . '/test/standin/standin.py',
		'--host', $host, '--port', '0', '--port-file', $portfile,
		'--pid-file', $pidfile, '--log', $log, @{ $opts{args} || [] });
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(\@cmd, '<', \undef, '>', \$out, '2>', \$err);

	# poll for the port file: at most 30 s
	my $deadline = time + 30;
	while (!-s $portfile)
	{
		$h->pump_nb;
		BAIL_OUT("the stand-in exited before listening: $err")
		  unless $h->pumpable || -s $portfile;
		BAIL_OUT("the stand-in did not write $portfile within 30 s: $err")
		  if time > $deadline;
		usleep(50_000);
	}
	my $port = PostgreSQL::Test::Utils::slurp_file($portfile);
	chomp $port;
	my $self = {
		h => $h,
		host => $host,
		port => $port,
		url => "http://$host:$port",
		log => $log,
		pidfile => $pidfile,
	};
	push @standins, $self;
	note "stand-in listening on $self->{url} (log $log)";
	return $self;
}

sub stop_standin
{
	my ($s) = @_;
	return unless $s->{h};
	my $h = delete $s->{h};
	eval {
		$h->signal('TERM') if $h->pumpable;
		$h->finish;
		1;
	} or eval { $h->kill_kill(grace => 5); };
	return;
}

END
{
	# keep the test's exit status: stopping must not change $?
	my $rc = $?;
	stop_standin($_) for @standins;
	$? = $rc;
}

my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 0);
my $json = JSON::PP->new->canonical;

# GET a control path; returns the decoded JSON (dies if the call fails).
sub standin_get
{
	my ($s, $path) = @_;
	my $r = $http->get("$s->{url}$path");
	die "GET $path: $r->{status} $r->{reason} $r->{content}"
	  unless $r->{success};
	return $json->decode($r->{content});
}

sub standin_post
{
	my ($s, $path, $body) = @_;
	my %o = (headers => { 'content-type' => 'application/json' });
	$o{content} = defined $body ? $json->encode($body) : '{}';
	my $r = $http->post("$s->{url}$path", \%o);
	die "POST $path: $r->{status} $r->{reason} $r->{content}"
	  unless $r->{success};
	return $json->decode($r->{content});
}

=pod

=item new_node($name, [\%opts,] @extra_conf)

A started node with mlpredict.allow_insecure_http = on, C messages and
mlpredict.allowed_networks = '127.0.0.0/8, ::1/128': the stand-in listens
on loopback, which the endpoint policy refuses by default.
Options: preload => 1 adds shared_preload_libraries = 'mlpredict' (the
connection pool's background workers start with the server);
pool_workers => N sets mlpredict.pool_workers; allowed_networks => '...'
sets that list instead ('' for the default policy, nothing but public
addresses).

=cut

sub new_node
{
	my ($name, @conf) = @_;
	my %opts = (@conf && ref $conf[0] eq 'HASH') ? %{ shift @conf } : ();
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	push @conf, "shared_preload_libraries = 'mlpredict'" if $opts{preload};
	push @conf, "mlpredict.pool_workers = $opts{pool_workers}"
	  if defined $opts{pool_workers};
	my $allowed = $opts{allowed_networks} // '127.0.0.0/8, ::1/128';
	$node->append_conf('postgresql.conf', join("\n",
		"mlpredict.allow_insecure_http = on",
		"mlpredict.allowed_networks = '$allowed'",
		"lc_messages = 'C'",
		@conf) . "\n");
	$node->start;
	return $node;
}

=pod

=item setup_connections($node, $db, $standin)

CREATE EXTENSION mlpredict and two connections to the stand-in:
openai-connection (OpenAI chat) and azure-connection (Azure OpenAI
embeddings, deployment "embed").

=cut

sub setup_connections
{
	my ($node, $db, $s) = @_;
	my $url = $s->{url};
	$node->safe_psql($db, qq{
CREATE EXTENSION mlpredict;
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION openai-connection WITH ('type' = 'openai', 'endpoint' = '$url/v1/chat/completions', 'api-key' = 'sk-test-openai-key')\$\$);
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION azure-connection COMMENT 'embeddings' WITH ('type' = 'azureopenai', 'endpoint' = '$url/openai/deployments/embed/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key')\$\$);
});
	return;
}

=pod

=item create_openai_connection($node, $db, $standin, $name, %options)

CREATE CONNECTION $name of type openai (chat completions on the stand-in),
with any extra WITH options (max_concurrency => 2, requests_per_minute =>
60, ...).

=cut

sub create_openai_connection
{
	my ($node, $db, $s, $name, %options) = @_;
	my $with = join('', map { ", '$_' = '$options{$_}'" } sort keys %options);
	$node->safe_psql($db, qq{
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION $name WITH ('type' = 'openai', 'endpoint' = '$s->{url}/v1/chat/completions', 'api-key' = 'sk-test-openai-key'$with)\$\$);
});
	return;
}

=pod

=item create_chat_model($node, $db, $model, $connection)

CREATE MODEL $model INPUT (prompt STRING) OUTPUT (answer STRING), an OpenAI
chat model on $connection: the stand-in answers 'echo: <prompt>' (markers
removed).

=cut

sub create_chat_model
{
	my ($node, $db, $model, $connection) = @_;
	$node->safe_psql($db, qq{
SELECT * FROM mlpredict.execute(\$\$CREATE MODEL $model INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = '$connection')\$\$);
});
	return;
}

=pod

=item psql_start($node, $db, $sql, %opts) / psql_finish($session)

psql_start runs $sql (any number of statements, ON_ERROR_STOP) in a new
psql process and returns at once; psql_finish waits for it and returns
(exit code, stdout, stderr, seconds since the start).  Output is unaligned
tuples only.  timeout => S bounds the whole run (default: the TAP default).

=cut

my $psql_serial = 0;

sub psql_start
{
	my ($node, $db, $sql, %opts) = @_;
	# Script and output go through files, so the session runs on its own
	# without this process pumping its pipes.
	my $base = sprintf('%s/psql_%d_%d', $PostgreSQL::Test::Utils::tmp_check,
		$$, ++$psql_serial);
	open(my $fh, '>', "$base.sql") or die "$base.sql: $!";
	print $fh $sql;
	close($fh);
	my $p = { base => $base, t0 => Time::HiRes::time() };
	$p->{h} = IPC::Run::start(
		[ $node->installed_command('psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1',
		  '-d', $node->connstr($db), '-f', "$base.sql" ],
		'<', '/dev/null', '>', "$base.out", '2>', "$base.err",
		IPC::Run::timeout($opts{timeout} || $PostgreSQL::Test::Utils::timeout_default));
	return $p;
}

# Whether a psql_start session is still running.
sub psql_running
{
	my ($p) = @_;
	return $p->{h}->pumpable;
}

sub psql_finish
{
	my ($p) = @_;
	my $ok = eval { $p->{h}->finish; 1 };
	my $why = $@;
	$p->{elapsed} = Time::HiRes::time() - $p->{t0};
	eval { $p->{h}->kill_kill(grace => 1) } unless $ok;
	my $out = -e "$p->{base}.out" ? slurp_file("$p->{base}.out") : '';
	my $err = -e "$p->{base}.err" ? slurp_file("$p->{base}.err") : '';
	chomp $out;
	if (!$ok)
	{
		diag "psql session failed: $why";
		return (-1, $out, $err . $why, $p->{elapsed});
	}
	return ($p->{h}->result(0), $out, $err, $p->{elapsed});
}

=pod

=item psql_parallel($node, $db, @sqls)

Runs each SQL script in its own psql session, all at once, and waits for all
of them.  Returns a list of [exit code, stdout, stderr, seconds], one per
script, in order.

=cut

sub psql_parallel
{
	my ($node, $db, @sqls) = @_;
	my @sessions = map { psql_start($node, $db, $_) } @sqls;
	return map { [ psql_finish($_) ] } @sessions;
}

=pod

=item pool_worker_pids($node)

The pids of the node's 'mlpredict pool' background workers, sorted (an
empty list when none runs).

=cut

sub pool_worker_pids
{
	my ($node) = @_;
	my ($ret, $out) = $node->psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'mlpredict pool' ORDER BY pid});
	return () if $ret != 0 || $out eq '';
	return split /\n/, $out;
}

=pod

=item poll_value($node, $db, $sql, $regex)

Runs $sql every 100 ms until its output matches $regex, for at most
$PostgreSQL::Test::Utils::timeout_default seconds.  Returns the output, or
undef (with a diag) on timeout.

=cut

sub poll_value
{
	my ($node, $db, $sql, $regex) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	my ($ret, $out, $err);
	while (time <= $deadline)
	{
		($ret, $out, $err) = $node->psql($db, $sql);
		return $out if $ret == 0 && $out =~ $regex;
		usleep(100_000);
	}
	diag "poll_value timed out: $sql\nlast output: $out\nstderr: $err";
	return undef;
}

# The server log of a node, from byte $offset on.
sub slurp_log
{
	my ($node, $offset) = @_;
	return PostgreSQL::Test::Utils::slurp_file($node->logfile, $offset || 0);
}

1;
