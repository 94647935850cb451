# The pipeline's window (issue 16, head-of-line blocking): a slow row, or
# one waiting for a retry, must not stop new calls.  5,000 rows against the
# stand-in, 32 calls in flight:
#   - ten rows that take 4 s, 500 rows apart, in order and unordered: the
#     window holding at most 33 rows made this take over 40 s; the rows
#     behind a slow one keep their calls going, so it ends a few seconds
#     after the last slow row starts;
#   - 10% of the rows answering 500 twice before succeeding (over 70 s;
#     then about 9 s, while a call waiting for its retry held its place;
#     now it gives its place to the next row's call meanwhile, through
#     the pool and in-backend);
#   - EXPLAIN ANALYZE shows the window: how often it was full, the peak
#     rows and bytes buffered, under the user's bounds
#     (mlpredict.pipeline_window_rows, mlpredict.pipeline_window_memory);
#   - memory stays flat: the backend's peak RSS does not grow between a
#     query and one three times as long that fill the window many times.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use MlpredictTest;

my $standin = start_standin();
my $node = new_node('window', { preload => 1 });
$node->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
create_openai_connection($node, 'postgres', $standin, 'conn');
create_chat_model($node, 'postgres', 'chat', 'conn');

# 5,000 rows; every 500th (from row 250) takes 4 s; every 10th (from row
# 5) answers 500 twice (its text is its own, so its counter is too).
$node->safe_psql('postgres', q{
CREATE TABLE slow AS SELECT g AS id, 'slow ' || g ||
	CASE WHEN g % 500 = 250 THEN ' [[sleep:4000]]' ELSE '' END AS q
	FROM generate_series(1, 5000) g;
CREATE TABLE flaky AS SELECT g AS id, 'flaky ' || g ||
	CASE WHEN g % 10 = 5 THEN ' [[fail-times:2:500]]' ELSE '' END AS q
	FROM generate_series(1, 5000) g;
CREATE TABLE dst (id int, answer text, n bigint);
});

# Runs a pipelined INSERT of $table's rows (with $options), timed; the
# rows' order of arrival is kept in dst.n.  Returns the seconds taken.
sub timed_insert
{
	my ($table, $options) = @_;
	$node->safe_psql('postgres', 'TRUNCATE dst');
	standin_post($standin, '/_control/reset');
	my $t0 = time;
	$node->safe_psql('postgres', qq{
INSERT INTO dst SELECT s.id, c.answer, row_number() OVER ()
	FROM $table s, LATERAL chat(s.q$options) c});
	return time - $t0;
}

# The arrival order and the answers of dst: rows, rows answered right,
# rows out of the outer order.
sub check_dst
{
	my ($prefix) = @_;
	return $node->safe_psql('postgres', qq{
SELECT count(*), count(*) FILTER (WHERE answer = 'echo: $prefix ' || id),
	count(*) FILTER (WHERE id <> n) FROM dst});
}

# 1. Ten 4 s rows, in order: the rest keep 32 calls in flight.
my $s = timed_insert('slow', '');
cmp_ok($s, '<', 12, sprintf('ordered: 5,000 rows with ten 4 s rows took %.1f s (< 12 s)', $s));
is(check_dst('slow'), '5000|5000|0', 'ordered: every row answered, in the outer order');

# 2. The same, unordered: the slow rows come last in their stretch.
$s = timed_insert('slow', ', mlpredict.options(ordered => false)');
cmp_ok($s, '<', 12, sprintf('unordered: 5,000 rows with ten 4 s rows took %.1f s (< 12 s)', $s));
my ($rows, $right, $moved) = split /\|/, check_dst('slow');
is("$rows|$right", '5000|5000', 'unordered: every row answered');
cmp_ok($moved, '>', 0, "unordered: rows came as they completed ($moved out of the outer order)");

# 3. 10% of the rows answer 500 twice, then succeed: their retries run
# while the other rows' calls go on.  A call waiting out its retry's
# backoff gives its place to the next row's (up to 32 more): when each
# held its place, 500 rows x ~0.6 s of backoff / 32 calls added ~7 s to
# the ~2 s of the rest (9.3-9.5 s in all here; 5.0 s since).
$s = timed_insert('flaky', '');
cmp_ok($s, '<', 8, sprintf('500 twice: 5,000 rows, 500 of them retried twice, took %.1f s (< 8 s)', $s));
is(check_dst('flaky'), '5000|5000|0', '500 twice: every row answered, in order');
is(standin_get($standin, '/_control/stats')->{by_status}{500}, 1000,
	'500 twice: the stand-in answered 1,000 times 500');
my $local = new_node('window_local', { preload => 0 });
$local->safe_psql('postgres', 'CREATE EXTENSION mlpredict');
create_openai_connection($local, 'postgres', $standin, 'conn');
create_chat_model($local, 'postgres', 'chat', 'conn');
$local->safe_psql('postgres', q{
CREATE TABLE flaky AS SELECT g AS id, 'flaky ' || g ||
	CASE WHEN g % 10 = 5 THEN ' [[fail-times:2:500]]' ELSE '' END AS q
	FROM generate_series(1, 1000) g});
foreach my $n ($node, $local)
{
	my $how = $n == $node ? 'through the pool' : 'in-backend';
	standin_post($standin, '/_control/reset');
	my $plan = $n->safe_psql('postgres', q{
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT s.id, c.answer FROM flaky s, LATERAL chat(s.q) c WHERE s.id <= 1000});
	my ($peak) = $plan =~ /Peak In Flight: (\d+)/;
	ok(defined $peak && $peak > 32 && $peak <= 64,
		"500 twice, $how: calls waiting for a retry let others start (peak in flight "
		  . ($peak // 'none') . ', max_parallelism 32, at most 64)')
	  or note $plan;
}
$local->stop;

# 4. EXPLAIN ANALYZE: the window's counters.
sub window_explain
{
	my ($settings, $where) = @_;
	standin_post($standin, '/_control/reset');
	my $plan = $node->safe_psql('postgres', qq{
$settings
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT s.id, c.answer FROM slow s, LATERAL chat(s.q) c WHERE $where});
	my %v = $plan =~ /^\s*(Window Full|Peak Rows Buffered|Peak Memory Buffered|Window Rows|Window Memory): (\d+)/mg;
	note $plan;
	return \%v;
}

# one 4 s row among 1,000, a window of 100 rows: full, and held to 100
my $v = window_explain('SET mlpredict.pipeline_window_rows = 100;', 'id <= 1000');
cmp_ok($v->{'Window Full'} // 0, '>=', 1, "a 100-row window was full ($v->{'Window Full'} times)");
cmp_ok($v->{'Peak Rows Buffered'} // 1e9, '<=', 100, "rows buffered stayed within 100 ($v->{'Peak Rows Buffered'})");
cmp_ok($v->{'Peak Rows Buffered'} // 0, '>=', 90, 'and reached it');
is($v->{'Window Rows'}, 100, 'EXPLAIN shows the row bound');

# the same with the default window: never full, far past the 33 rows of old
$v = window_explain('', 'id <= 1000');
is($v->{'Window Full'}, 0, 'the default window was never full');
cmp_ok($v->{'Peak Rows Buffered'} // 0, '>', 200,
	"the default window held the rows behind the 4 s one ($v->{'Peak Rows Buffered'})");

# a byte bound: 256 kB holds a few dozen of these rows and their calls
# (requests, answers), far fewer than the 100 rows nor the 751 above; the
# calls in flight when it fills may still bring their answers
$v = window_explain(q{SET mlpredict.pipeline_window_memory = '256kB';}, 'id <= 1000');
cmp_ok($v->{'Window Full'} // 0, '>=', 1, "a 256 kB window was full ($v->{'Window Full'} times)");
cmp_ok($v->{'Peak Memory Buffered'} // 1e9, '<=', 256 + 128,
	"memory buffered stayed near 256 kB ($v->{'Peak Memory Buffered'} kB)");
cmp_ok($v->{'Peak Rows Buffered'} // 1e9, '<', 100,
	"the memory bound held the rows buffered ($v->{'Peak Rows Buffered'})");
is($v->{'Window Memory'}, 256, 'EXPLAIN shows the memory bound in kB');

# 5. Memory stays flat: the same session runs 10,000 rows, then 30,000,
# through a 500-row window that a slow row in every 1,000 fills.  A leak
# of 100 bytes per row would show as 2 MB more at the peak.  What the
# allocator adds as the window fills and empties again and again, which
# is not per row, grows with the window: with 2,000 rows (15 MB) the peak
# rose 1.2-2.7 MB from a first query to a longer one and then stayed put
# from 25,000 rows to 60,000; with 500 rows (3.7 MB) it rises 0.1-0.7 MB.
$node->safe_psql('postgres', q{
CREATE TABLE long AS SELECT g AS id, 'long ' || g ||
	CASE WHEN g % 1000 = 500 THEN ' [[sleep:1000]]' ELSE '' END AS q
	FROM generate_series(1, 30000) g});
my $out = $node->safe_psql('postgres', q{
SET mlpredict.pipeline_window_rows = 500;
SELECT count(*) FROM long s, LATERAL chat(s.q) c WHERE s.id <= 10000;
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+) kB');
SELECT count(*) FROM long s, LATERAL chat(s.q) c;
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+) kB');
});
my ($n1, $hwm1, $n2, $hwm2) = split /\n/, $out;
is("$n1|$n2", '10000|30000', 'the long queries answered every row');
cmp_ok($hwm2 - $hwm1, '<', 2048,
	sprintf('peak RSS grew %d kB from 10,000 rows to 30,000 (%d kB, then %d kB)', $hwm2 - $hwm1, $hwm1, $hwm2));

$node->stop;
done_testing();
