# pgvector round trip: models whose OUTPUT is vector(n) or halfvec(n), the
# typed functions that return them, and a table filled from a model with an
# HNSW index, go through pg_dump -Fc / pg_restore into a fresh database; the
# restored database answers the same vectors and the same nearest
# neighbours, through the index.  Skipped where pgvector is not installed
# (Debian 12 has no postgresql-15-pgvector).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $node = new_node('vec');
if ($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'}) eq '0')
{
	plan skip_all => 'pgvector is not installed for this PostgreSQL';
}
my $standin = start_standin();
my $url = $standin->{url};

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', qq{
CREATE EXTENSION vector;
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('v-openai', '{"type": "openai", "endpoint": "$url/v1/embeddings", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('embed_vec', 't STRING', 'v vector(4)', '{"provider": "openai", "task": "embedding", "openai.connection": "v-openai", "openai.params.dimensions": 4}');
SELECT mlpredict.create_model('embed_half', 't STRING', 'v halfvec(4)', '{"provider": "openai", "task": "embedding", "openai.connection": "v-openai", "openai.params.dimensions": 4}');
CREATE TABLE docs (id int PRIMARY KEY, body text);
INSERT INTO docs SELECT g, 'document number ' || g FROM generate_series(1, 40) g;
CREATE TABLE docs_vec (id int PRIMARY KEY, v vector(4), h halfvec(4));
INSERT INTO docs_vec SELECT id, e.v, h.v FROM docs, LATERAL embed_vec(body) e, LATERAL embed_half(body) h;
CREATE INDEX docs_vec_hnsw ON docs_vec USING hnsw (v vector_l2_ops);
CREATE INDEX docs_half_hnsw ON docs_vec USING hnsw (h halfvec_l2_ops);
});

my %catalog = (
	models => q{SELECT schema, name, version, output FROM mlpredict.models ORDER BY 1, 2, 3},
	functions => q{SELECT p.oid::regprocedure, pg_get_function_result(p.oid)
		FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'embed%' ORDER BY 1::text},
	columns => q{SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = 'docs_vec'::regclass AND attnum > 0 ORDER BY attnum},
	indexes => q{SELECT indexdef FROM pg_indexes WHERE tablename = 'docs_vec' ORDER BY 1},
	data => q{SELECT md5(string_agg(id || ' ' || v::text || ' ' || h::text, ',' ORDER BY id)) FROM docs_vec},
);
my %answers = (
	typed_vec => q{SELECT v FROM embed_vec('cell biology')},
	typed_half => q{SELECT v FROM embed_half('cell biology')},
	generic => q{SELECT p.v FROM mlpredict.ml_predict('embed_vec', 'cell biology') AS p(v vector(4))},
	stored_equal => q{SELECT bool_and(d.v = e.v) FROM docs_vec d JOIN docs USING (id), LATERAL embed_vec(body) e},
	nearest => q{SET enable_seqscan = off;
		SELECT string_agg(id::text, ' ') FROM (SELECT id FROM docs_vec
		ORDER BY v <-> (SELECT v FROM embed_vec('document number 7')) LIMIT 3) s},
	nearest_half => q{SET enable_seqscan = off;
		SELECT string_agg(id::text, ' ') FROM (SELECT id FROM docs_vec
		ORDER BY h <-> (SELECT v FROM embed_half('document number 7')) LIMIT 3) s},
	plan => q{SET enable_seqscan = off;
		EXPLAIN (COSTS OFF) SELECT id FROM docs_vec ORDER BY v <-> '[1,0,0,0]' LIMIT 3},
);

sub snapshot
{
	my ($db, $queries) = @_;
	my %got;
	for my $k (keys %$queries)
	{
		my ($ret, $out, $err) = $node->psql($db, $queries->{$k}, on_error_stop => 1);
		$got{$k} = $ret == 0 ? $out : "ERROR($ret): $err";
	}
	return \%got;
}

my $orig = snapshot('src', \%catalog);
my $orig_answers = snapshot('src', \%answers);
print explain { catalog => $orig, answers => $orig_answers };

# the originals are what the comparisons expect
like($orig->{functions}, qr/^embed_vec\(text,mlpredict\.predict_options\)\|TABLE\(v vector\)$/m,
	'original: the typed function returns vector');
like($orig->{columns}, qr/^v\|vector\(4\)\nh\|halfvec\(4\)$/m, 'original: columns with dimensions');
like($orig_answers->{typed_vec}, qr/^\[-?[0-9.]+(,-?[0-9.]+){3}\]$/, 'original: a 4-dimension vector');
is($orig_answers->{generic}, $orig_answers->{typed_vec}, 'original: generic call equals typed call');
is($orig_answers->{stored_equal}, 't', 'original: stored vectors equal fresh answers');
like($orig_answers->{nearest}, qr/^7( \d+){2}$/, 'original: nearest neighbour of a document is itself');
like($orig_answers->{nearest_half}, qr/^7( \d+){2}$/, 'original: the same through halfvec');
like($orig_answers->{plan}, qr/Index Scan using docs_vec_hnsw/, 'original: the HNSW index is used');

my $dump = PostgreSQL::Test::Utils::tempdir('dump') . '/src.dump';
command_checks_all(
	[ 'pg_dump', '-Fc', '-h', $node->host, '-p', $node->port, '-f', $dump, 'src' ],
	0, [qr/^$/], [qr/^$/], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
command_checks_all(
	[ 'pg_restore', '--exit-on-error', '-h', $node->host, '-p', $node->port,
	  '-d', 'restored', $dump ],
	0, [qr/^$/], [qr/^$/], 'pg_restore');

my $got = snapshot('restored', \%catalog);
is($got->{$_}, $orig->{$_}, "restored: $_ equal to the original") for sort keys %catalog;
my $got_answers = snapshot('restored', \%answers);
is($got_answers->{$_}, $orig_answers->{$_}, "restored: $_ equal to the original")
  for sort keys %answers;

done_testing();
