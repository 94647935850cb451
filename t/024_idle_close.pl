# Connections the provider closes while they sit idle in libcurl's cache.
#
# Between two requests, a keep-alive connection goes back to libcurl's
# cache and libcurl stops watching its socket; the engine keeps it in its
# wait set, parked, watched for reading (src/http/http_engine.c), so that
# the next request on it costs no change to the set.  An idle connection
# becomes readable only when the server closes it (or sends something
# unasked): the engine must then drop it from the set, or every wait
# would return at once and the process would spin.  Checked through the
# pool and in-backend, with a stand-in that closes connections idle for
# 0.5 s:
#   - a statement of 16 rows whose first answer takes 2 s, while the
#     other rows' connections are closed: the process waiting for that
#     answer (pool worker, or backend) uses little CPU;
#   - the pool worker stays idle afterwards, closed connections cached;
#   - the next statement opens new connections and gets its own answers.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use MlpredictTest;

my $standin = start_standin(args => [ '--idle-timeout', '0.5' ]);

# CPU seconds (user + system) a process has used so far.
sub cpu_seconds
{
	my ($pid) = @_;
	my $stat = PostgreSQL::Test::Utils::slurp_file("/proc/$pid/stat");
	$stat =~ s/^.*\) //s;    # past the command name
	my @f = split / /, $stat;
	# utime and stime are fields 14 and 15 of the line, 12 and 13 here
	return ($f[11] + $f[12]) / 100;    # USER_HZ: 100 on Linux
}

# A statement of 16 rows, 8 in flight (several connections); with $slow,
# the first row's answer takes 2 s, during which the other rows'
# connections sit idle and the stand-in closes them.
sub sixteen
{
	my ($tag, $slow) = @_;
	my $marker = $slow ? q{ || CASE WHEN g = 1 THEN ' [[sleep:2000]]' ELSE '' END} : '';
	return qq{SET mlpredict.max_parallelism = 8;
SELECT count(*) FROM generate_series(1, 16) g,
	LATERAL chat('$tag ' || g$marker) c
	WHERE c.answer = 'echo: $tag ' || g};
}

for my $mode ('pool', 'in-backend')
{
	my $node = new_node($mode eq 'pool' ? 'pool' : 'local',
		{ preload => $mode eq 'pool' ? 1 : 0 });
	$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
	create_openai_connection($node, 'postgres', $standin, 'conn');
	create_chat_model($node, 'postgres', 'chat', 'conn');

	standin_post($standin, '/_control/reset');
	my $session = $node->background_psql('postgres');
	my $backend = $session->query_safe('SELECT pg_backend_pid()');
	my $pid = $mode eq 'pool' ? (pool_worker_pids($node))[0] : $backend;
	my $who = $mode eq 'pool' ? 'the pool worker' : 'the backend';

	# connections closed while the engine waits for another answer
	my $cpu0 = cpu_seconds($pid);
	is($session->query_safe(sixteen('first', 1)), 16, "$mode: 16 rows answered");
	my $cpu1 = cpu_seconds($pid);
	my $opened = standin_get($standin, '/_control/stats')->{connections};
	cmp_ok($opened, '>=', 2, "$mode: over several connections ($opened)");
	cmp_ok($cpu1 - $cpu0, '<', 0.3,
		sprintf('%s: %s used %.2f s of CPU in a 2 s statement whose idle connections were closed',
			$mode, $who, $cpu1 - $cpu0));

	# the pool worker waits on, with the closed connections in the cache
	if ($mode eq 'pool')
	{
		usleep(1_500_000);
		my $cpu2 = cpu_seconds($pid);
		cmp_ok($cpu2 - $cpu1, '<', 0.2,
			sprintf('%s: %s used %.2f s of CPU idle for 1.5 s', $mode, $who, $cpu2 - $cpu1));
		is(join(',', pool_worker_pids($node)), $pid, 'pool: the same worker');
	}

	# the next statement opens connections anew, every answer its own
	is($session->query_safe(sixteen('second', 0)), 16, "$mode: 16 more rows answered");
	cmp_ok(standin_get($standin, '/_control/stats')->{connections}, '>', $opened,
		"$mode: over new connections");
	$session->quit;
	$node->stop;
}

done_testing();
