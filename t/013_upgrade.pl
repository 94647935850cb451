# ALTER EXTENSION mlpredict UPDATE from 0.1.0 (through 0.2.0 to the current
# version), and from 0.2.0, 0.3.0 and 0.4.0: a database that held 0.1.0's
# catalog (owners by role name, the old typed-function body, a connection
# whose owner role was dropped) ends up with exactly the objects a fresh
# CREATE EXTENSION makes, its models keep working, the new rules apply
# (creating connections is granted, owners are by OID), and the orphan is
# reported and given to the role that ran the update.
#
# 0.1.0's rows are written with SQL as 0.1.0 wrote them (this build's C
# code writes the current version's rows); the sealed secret comes from a current database
# of the same cluster, which is valid because the seal binds the
# connection's name, type and endpoint, not the database.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $standin = start_standin();
my $url = $standin->{url};
my $node = new_node('upgrade', { preload => 1 });
# the version this build installs (mlpredict.control's default_version)
my $current = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'mlpredict'});
my ($ret, $out, $err);

$node->safe_psql('postgres', q{
CREATE ROLE up_alice LOGIN;
CREATE ROLE up_gone;
CREATE ROLE up_bob LOGIN;
CREATE DATABASE fresh;
CREATE DATABASE old;
CREATE DATABASE from020;
CREATE DATABASE from030;
CREATE DATABASE from040;
});

# A fresh database: the reference for what an update must produce, and the
# source of the sealed secret.
$node->safe_psql('fresh', qq{
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('up-openai', '{"type": "openai", "endpoint": "$url/v1/chat/completions", "api-key": "sk-test-openai-key"}');
});
my $sealed = $node->safe_psql('fresh',
	q{SELECT encode(sealed, 'hex') FROM mlpredict.connection_secret WHERE connection = 'up-openai'});
my $keys = $node->safe_psql('fresh',
	q{SELECT keys FROM mlpredict.connection_secret WHERE connection = 'up-openai'});

# The 0.1.0 database, as 0.1.0 left it.
$node->safe_psql('old', qq{
CREATE EXTENSION mlpredict VERSION '0.1.0';
GRANT CREATE ON SCHEMA public TO up_alice;
INSERT INTO mlpredict.connection (name, type, endpoint, owner)
VALUES ('up-openai', 'openai', '$url/v1/chat/completions', 'up_alice'),
       ('up-orphan', 'openai', 'https://api.openai.com/v1/chat/completions', 'up_gone');
INSERT INTO mlpredict.connection_secret (connection, keys, sealed)
VALUES ('up-openai', '$keys', '\\x$sealed');
INSERT INTO mlpredict.model (schema_name, name, input, output, task, owner)
VALUES ('public', 'up_chat', '[{"name": "prompt", "type": "STRING", "pgtype": "text"}]',
        '[{"name": "answer", "type": "STRING", "pgtype": "text"}]', 'text_generation', 'up_alice');
INSERT INTO mlpredict.model_version (schema_name, name, version, options)
VALUES ('public', 'up_chat', 1, '{"provider": "openai", "task": "text_generation", "openai.connection": "up-openai"}');
SET ROLE up_alice;
CREATE FUNCTION public.up_chat(prompt text, options mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS TABLE (answer text) LANGUAGE sql VOLATILE PARALLEL SAFE ROWS 1
AS \$mlpredict\$ SELECT * FROM mlpredict.ml_predict('public.up_chat', \$1, \$2) AS p(answer text) \$mlpredict\$;
REVOKE EXECUTE ON FUNCTION public.up_chat(text, mlpredict.predict_options) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.up_chat(text, mlpredict.predict_options) TO up_bob;
RESET ROLE;
DROP ROLE up_gone;
});
is($node->safe_psql('old', q{SELECT has_function_privilege('up_bob', 'mlpredict.create_connection(text, jsonb, text)', 'EXECUTE')}),
	't', '0.1.0: any role may create connections');

# New binaries over an old catalog: DROP ROLE above was not blocked, and
# the catalog functions say what to do instead of misreading the tables.
($ret, $out, $err) = $node->psql('old', q{SELECT * FROM mlpredict.describe_connection('up-openai')});
like($err, qr/ERROR:  extension mlpredict is at version 0.1.0 in this database, but its library is version $current\nHINT:  Run ALTER EXTENSION mlpredict UPDATE in this database./,
	'before the update: a clear error with the command to run');

# The update.
($ret, $out, $err) = $node->psql('old', 'ALTER EXTENSION mlpredict UPDATE');
is($ret, 0, 'ALTER EXTENSION mlpredict UPDATE succeeds') or diag $err;
like($err, qr/WARNING:  connection up-orphan was owned by role "up_gone", which no longer exists; it now belongs to "postgres"/,
	'the orphaned connection is reported');
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'mlpredict'}),
	$current, "now at $current");

# Owners are roles by OID now, shown by name.
is($node->safe_psql('old', q{SELECT string_agg(name || '=' || owner, ',' ORDER BY name) FROM mlpredict.connections}),
	'up-openai=up_alice,up-orphan=postgres', 'connection owners');
is($node->safe_psql('old', q{SELECT pg_typeof(owner)::text FROM mlpredict.connection LIMIT 1}),
	'regrole', 'stored as regrole');
$node->safe_psql('old', 'ALTER ROLE up_alice RENAME TO up_alice2');
is($node->safe_psql('old', q{SELECT owner FROM mlpredict.models WHERE name = 'up_chat'}),
	'up_alice2', 'a renamed owner keeps the model');
$node->safe_psql('old', 'ALTER ROLE up_alice2 RENAME TO up_alice');

# The model made under 0.1.0 still answers, for its owner and its grantee.
is($node->safe_psql('old', q{SET ROLE up_bob; SELECT answer FROM up_chat('after the update')}),
	'echo: after the update', 'a 0.1.0 model answers after the update');
is($node->safe_psql('old', q{SET ROLE up_alice; SELECT p.a FROM mlpredict.ml_predict('up_chat', 'generic') AS p(a text)}),
	'echo: generic', 'and through ml_predict');

# Creating connections is granted now, in the updated database too.
($ret, $out, $err) = $node->psql('old', q{SET ROLE up_bob; SELECT mlpredict.create_connection('bob-c', '{"type": "openai", "endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "k"}')});
like($err, qr/permission denied for function create_connection/, 'a role without the grant cannot create connections');
$node->safe_psql('old', q{GRANT EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) TO up_bob});
$node->safe_psql('old', q{SET ROLE up_bob; SELECT mlpredict.create_connection('bob-c', '{"type": "openai", "endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "k"}')});
pass('with the grant it can');
$node->safe_psql('old', q{REVOKE EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM up_bob});

# The updated database has exactly the objects of a fresh installation:
# members, columns, view and function definitions, privileges, comments,
# event triggers.
my $describe = q{
SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'mlpredict') AND deptype = 'e'
UNION ALL
SELECT format('column %s.%s %s %s default %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
              a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = 'mlpredict'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid))
FROM pg_constraint WHERE connamespace = 'mlpredict'::regnamespace
UNION ALL
SELECT format('relation %s %s acl %s comment %s', relname, relkind, relacl, obj_description(oid, 'pg_class'))
FROM pg_class WHERE relnamespace = 'mlpredict'::regnamespace
UNION ALL
SELECT format('view %s %s', viewname, definition) FROM pg_views WHERE schemaname = 'mlpredict'
UNION ALL
SELECT format('function %s acl %s comment %s %s', p.oid::regprocedure, p.proacl,
              obj_description(p.oid, 'pg_proc'), pg_get_functiondef(p.oid))
FROM pg_proc p WHERE p.pronamespace = 'mlpredict'::regnamespace AND p.prokind IN ('f', 'p')
UNION ALL
SELECT format('event trigger %s %s %s %s %s', evtname, evtevent, evttags, evtfoid::regproc, evtenabled)
FROM pg_event_trigger
ORDER BY 1
};
# 0.2.0, 0.3.0 and 0.4.0 databases updated to the current version: the
# same objects too.
my %from_release;
for my $v ('0.2.0', '0.3.0', '0.4.0')
{
	(my $db = "from$v") =~ s/\.//g;
	$node->safe_psql($db, qq{CREATE EXTENSION mlpredict VERSION '$v'});
	($ret, $out, $err) = $node->psql($db, 'ALTER EXTENSION mlpredict UPDATE');
	is($ret, 0, "ALTER EXTENSION mlpredict UPDATE from $v succeeds") or diag $err;
	$from_release{$v} = $node->safe_psql($db, $describe);
}

my $updated = $node->safe_psql('old', $describe);
my $fresh = $node->safe_psql('fresh', $describe);
cmp_ok(length($fresh), '>', 10000, 'the comparison covers the installation');
if ($updated eq $fresh)
{
	pass('an updated database matches a fresh installation');
}
else
{
	fail('an updated database matches a fresh installation');
	my %f = map { $_ => 1 } split /\n/, $fresh;
	my %u = map { $_ => 1 } split /\n/, $updated;
	diag "only after the update: $_" for grep { !$f{$_} } sort keys %u;
	diag "only in a fresh installation: $_" for grep { !$u{$_} } sort keys %f;
}

for my $v (sort keys %from_release)
{
	if ($from_release{$v} eq $fresh)
	{
		pass("a database updated from $v matches a fresh installation");
		next;
	}
	fail("a database updated from $v matches a fresh installation");
	my %f = map { $_ => 1 } split /\n/, $fresh;
	my %u = map { $_ => 1 } split /\n/, $from_release{$v};
	diag "only after the update from $v: $_" for grep { !$f{$_} } sort keys %u;
	diag "only in a fresh installation: $_" for grep { !$u{$_} } sort keys %f;
}

done_testing();
