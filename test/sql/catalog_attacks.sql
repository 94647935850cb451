-- Catalog identity attacks: what is called, and who owns what.  Each block
-- is an attack that worked before the fix; the output shows it refused.
CREATE EXTENSION IF NOT EXISTS mlpredict;
SET client_min_messages = notice;

CREATE ROLE regress_cat_victim;
CREATE ROLE regress_cat_attacker;
CREATE ROLE regress_cat_other;
CREATE SCHEMA cat_shared;
GRANT USAGE, CREATE ON SCHEMA cat_shared TO PUBLIC;
-- connections are set up by the superuser and given to their owners
SELECT mlpredict.create_connection('cat-victim-conn', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-victim-secret"}');
SELECT * FROM mlpredict.execute('ALTER CONNECTION cat-victim-conn OWNER TO regress_cat_victim');
SELECT mlpredict.create_connection('cat-attacker-conn', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-attacker"}');
SELECT mlpredict.alter_connection_owner('cat-attacker-conn', 'regress_cat_attacker');
SELECT name, owner FROM mlpredict.connections WHERE name LIKE 'cat-%' ORDER BY name;

SET ROLE regress_cat_victim;
SELECT mlpredict.create_model('cat_shared.m', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "cat-victim-conn"}');
RESET ROLE;

-- 1. Type shadowing: a domain public.text and a look-alike function do not
-- make the victim's model callable; stored types are schema-qualified.
SELECT input FROM mlpredict.model WHERE name = 'm';
SET ROLE regress_cat_attacker;
CREATE DOMAIN cat_shared.text AS pg_catalog.text;
CREATE FUNCTION cat_shared.m(cat_shared.text, mlpredict.predict_options DEFAULT NULL)
  RETURNS TABLE (answer pg_catalog.text) LANGUAGE sql AS $$ SELECT 'x'::pg_catalog.text $$;
SET search_path = cat_shared, pg_catalog;
SELECT method FROM mlpredict.debug_request('cat_shared.m', 'hi');
SELECT * FROM mlpredict.ml_predict('cat_shared.m', 'hi') AS p(answer text);
RESET search_path;
-- the look-alike is not listed as a grant on the model
SELECT object_name, grantee, privilege FROM mlpredict.privileges WHERE object_name = 'cat_shared.m' ORDER BY grantee;
DROP FUNCTION cat_shared.m(cat_shared.text, mlpredict.predict_options);
DROP DOMAIN cat_shared.text;
RESET ROLE;

-- 2. Injection through an OUTPUT column name into the generated function:
-- the name is kept whole, nothing runs, and a superuser's rename reruns no
-- statement of the attacker's (regress_cat_payload would log and escalate).
CREATE TABLE cat_payload_log (who text);
GRANT INSERT ON cat_payload_log TO PUBLIC;
CREATE FUNCTION regress_cat_payload() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.cat_payload_log VALUES (current_user);
	IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'ALTER ROLE regress_cat_attacker SUPERUSER';
	END IF;
END $$;
SET ROLE regress_cat_attacker;
SET check_function_bodies = off;
SELECT * FROM mlpredict.execute($$CREATE MODEL cat_shared.evil INPUT (prompt STRING) OUTPUT (`x$mlpredict$; SELECT public.regress_cat_payload(); SELECT $mlpredict$` STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'cat-attacker-conn')$$);
RESET check_function_bodies;
SELECT p.proargnames FROM pg_proc p WHERE p.proname = 'evil';
RESET ROLE;
SELECT mlpredict.rename_model('cat_shared.evil', 'cat_shared.evil2');
SELECT * FROM mlpredict.execute('ALTER MODEL cat_shared.evil2 RENAME TO cat_shared.evil3');
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_cat_attacker';
SELECT count(*) AS payload_runs FROM cat_payload_log;
SELECT mlpredict.drop_model('cat_shared.evil3');

-- 3. Owners are kept by OID: a renamed role keeps its objects, and a new
-- role with the old name gets nothing.
ALTER ROLE regress_cat_victim RENAME TO regress_cat_victim_renamed;
CREATE ROLE regress_cat_victim;
SELECT name, owner FROM mlpredict.connections WHERE name = 'cat-victim-conn';
SELECT name, owner FROM mlpredict.models WHERE name = 'm';
SET ROLE regress_cat_victim;
SELECT mlpredict.alter_connection('cat-victim-conn', '{"endpoint": "http://127.0.0.1:18787/stolen"}');
SELECT mlpredict.alter_model('cat_shared.m', '{"openai.model_version": "x"}');
SELECT method FROM mlpredict.debug_request('cat_shared.m', 'hi');
RESET ROLE;
DROP ROLE regress_cat_victim;
ALTER ROLE regress_cat_victim_renamed RENAME TO regress_cat_victim;

-- 4. A renamed schema: a new schema of the old name and a function with the
-- model's exact signature in it, owned by the attacker, grant nothing.
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_cat_attacker', current_database()); END $$;
ALTER SCHEMA cat_shared RENAME TO cat_moved;
-- the model followed its schema, and its function names it there
SELECT schema, name, owner FROM mlpredict.models WHERE name = 'm';
SELECT position('''cat_moved.m''' IN prosrc) > 0 AS body_follows FROM pg_proc
WHERE oid = 'cat_moved.m(text, mlpredict.predict_options)'::regprocedure;
SET ROLE regress_cat_attacker;
CREATE SCHEMA cat_shared;
CREATE FUNCTION cat_shared.m(text, mlpredict.predict_options DEFAULT NULL)
  RETURNS TABLE (answer text) LANGUAGE sql AS $$ SELECT ' SELECT * FROM mlpredict.ml_predict(''cat_shared.m'', $1'::text $$;
SELECT method FROM mlpredict.debug_request('cat_shared.m', 'hi');
-- nor does a function of the attacker's with a typed function's exact body,
-- called the way the pipeline recognises (LATERAL over rows): the pipeline
-- does not take it for a typed function (the catalog names the model's own),
-- so it runs as the attacker's SQL function and is refused there
CREATE FUNCTION cat_shared.fake(text, mlpredict.predict_options DEFAULT mlpredict.options())
  RETURNS TABLE (answer text) LANGUAGE sql
  AS ' SELECT * FROM mlpredict.ml_predict(''cat_moved.m'', $1, $2) AS p(answer text) ';
SELECT f.* FROM (VALUES ('a'), ('b')) v(x), LATERAL cat_shared.fake(v.x) f;
DROP SCHEMA cat_shared CASCADE;
RESET ROLE;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_cat_attacker', current_database()); END $$;
ALTER SCHEMA cat_moved RENAME TO cat_shared;

-- 5. DROP ROLE of a connection owner is refused like any owner's; REASSIGN
-- OWNED moves connections and models, DROP OWNED drops them.
DROP ROLE regress_cat_victim;
CREATE ROLE regress_cat_heir;
REASSIGN OWNED BY regress_cat_victim TO regress_cat_heir;
SELECT name, owner FROM mlpredict.connections WHERE name = 'cat-victim-conn';
SELECT name, owner FROM mlpredict.models WHERE name = 'm';
SELECT p.proowner::regrole FROM pg_proc p WHERE p.oid = 'cat_shared.m(text, mlpredict.predict_options)'::regprocedure;
DROP ROLE regress_cat_victim;

-- 6. OWNER TO follows PostgreSQL's rules: owner or superuser, membership in
-- the new role, and for a model USAGE of the new owner on its connection.
SET ROLE regress_cat_attacker;
SELECT * FROM mlpredict.execute('ALTER CONNECTION cat-victim-conn OWNER TO regress_cat_attacker');
SELECT * FROM mlpredict.execute('ALTER MODEL cat_shared.m OWNER TO regress_cat_attacker');
SELECT mlpredict.alter_connection_owner('cat-attacker-conn', 'regress_cat_other');
RESET ROLE;
SELECT mlpredict.alter_model_owner('cat_shared.m', 'regress_cat_other');
SELECT mlpredict.grant_connection('cat-victim-conn', 'regress_cat_other');
SELECT * FROM mlpredict.execute('ALTER MODEL cat_shared.m OWNER TO regress_cat_other');
SELECT name, owner FROM mlpredict.models WHERE name = 'm';
SELECT p.proowner::regrole FROM pg_proc p WHERE p.oid = 'cat_shared.m(text, mlpredict.predict_options)'::regprocedure;
SELECT object_name, grantee, privilege, owner FROM mlpredict.privileges WHERE object_name IN ('cat-victim-conn', 'cat_shared.m') ORDER BY 1, 2;
-- ALTER FUNCTION ... OWNER TO on the typed function moves the model too
ALTER FUNCTION cat_shared.m(text, mlpredict.predict_options) OWNER TO regress_cat_heir;
SELECT name, owner FROM mlpredict.models WHERE name = 'm';
ALTER FUNCTION cat_shared.m(text, mlpredict.predict_options) OWNER TO regress_cat_other;
SELECT name, owner FROM mlpredict.models WHERE name = 'm';

-- 7. A grantee's model no longer pins the connection: DROP CONNECTION
-- explains CASCADE, and CASCADE drops the models of every owner.
SET ROLE regress_cat_heir;
SELECT mlpredict.revoke_connection('cat-victim-conn', 'regress_cat_other');
SELECT * FROM mlpredict.execute('DROP CONNECTION cat-victim-conn');
SELECT * FROM mlpredict.execute('DROP CONNECTION cat-victim-conn RESTRICT');
SELECT * FROM mlpredict.execute('DROP CONNECTION cat-victim-conn CASCADE');
RESET ROLE;
SELECT count(*) AS models_left FROM mlpredict.models WHERE name = 'm';
SELECT count(*) AS functions_left FROM pg_proc WHERE proname = 'm' AND pronamespace = 'cat_shared'::regnamespace;

-- the function form, on a model with two versions of which one uses it
SELECT mlpredict.create_connection('cat-conn-b', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-b"}');
SELECT mlpredict.create_model('cat_shared.two', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "cat-attacker-conn"}');
SELECT mlpredict.create_model('cat_shared.two', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "cat-conn-b"}');
SELECT mlpredict.alter_model('cat_shared.two', '{"default_version": "2"}');
SELECT mlpredict.drop_connection('cat-conn-b');
SELECT mlpredict.drop_connection('cat-conn-b', false, true);
SELECT name, version, is_default FROM mlpredict.models WHERE name = 'two';

-- 8. DROP FUNCTION of a model's typed function drops the model with it
-- (no half-alive model left behind).
DROP FUNCTION cat_shared.two(text, mlpredict.predict_options);
SELECT count(*) AS models_left FROM mlpredict.models WHERE name = 'two';

-- DROP OWNED takes a role's connections (and models) with it
DROP OWNED BY regress_cat_attacker;
SELECT count(*) AS connections_left FROM mlpredict.connections WHERE name LIKE 'cat-%';

DROP FUNCTION regress_cat_payload();
DROP TABLE cat_payload_log;
DROP SCHEMA cat_shared CASCADE;
DROP OWNED BY regress_cat_heir, regress_cat_other;
DROP ROLE regress_cat_attacker, regress_cat_heir, regress_cat_other;
DROP EXTENSION mlpredict CASCADE;
