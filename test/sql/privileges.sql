-- Privileges: owners, USAGE on connections, EXECUTE on models, who may
-- grant, and what a role without grants can see.  Every rule is shown both
-- refused (without the grant) and allowed (with it), so removing a check
-- changes this output.
CREATE EXTENSION IF NOT EXISTS mlpredict;

CREATE ROLE regress_mlp_alice;		-- owns the connection
CREATE ROLE regress_mlp_carol;		-- granted USAGE, owns a model
CREATE ROLE regress_mlp_bob;		-- no grants at first
CREATE ROLE regress_mlp_team;		-- a group bob joins later
GRANT CREATE ON SCHEMA public TO regress_mlp_alice, regress_mlp_carol, regress_mlp_bob;
-- creating connections is a granted right (connection_security tests it)
GRANT EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) TO regress_mlp_alice;

SET ROLE regress_mlp_alice;
SELECT mlpredict.create_connection('priv-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
RESET ROLE;

-- without USAGE, no model can be created on the connection
SET ROLE regress_mlp_bob;
SELECT mlpredict.create_model('bob_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "priv-openai"}');
SELECT * FROM mlpredict.execute($$CREATE MODEL bob_chat INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'priv-openai')$$);
-- nor may a non-owner grant, alter or drop it
SELECT mlpredict.grant_connection('priv-openai', 'regress_mlp_bob');
SELECT * FROM mlpredict.execute('GRANT USAGE ON CONNECTION priv-openai TO regress_mlp_bob');
SELECT mlpredict.alter_connection('priv-openai', '{"endpoint": "http://127.0.0.1:18787/elsewhere"}');
SELECT mlpredict.drop_connection('priv-openai');
-- the catalog tables are closed; the views mask the secret
SELECT * FROM mlpredict.connection;
SELECT * FROM mlpredict.connection_secret;
SELECT name, secrets, owner FROM mlpredict.connections WHERE name = 'priv-openai';
RESET ROLE;

-- the owner grants USAGE to carol, who can then create a model on it
SET ROLE regress_mlp_alice;
SELECT mlpredict.grant_connection('priv-openai', 'regress_mlp_carol');
RESET ROLE;
SET ROLE regress_mlp_carol;
SELECT mlpredict.create_model('carol_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "priv-openai"}');
SELECT answer FROM carol_chat('hello from carol');
RESET ROLE;

-- bob may not call carol's model, in any form, until she grants EXECUTE
SET ROLE regress_mlp_bob;
SELECT answer FROM carol_chat('hello from bob');
SELECT * FROM mlpredict.ml_predict('carol_chat', 'hello from bob') AS p(answer text);
SELECT method FROM mlpredict.debug_request('carol_chat', 'hello from bob');
SELECT mlpredict.grant_model('carol_chat', 'regress_mlp_bob');
RESET ROLE;
SET ROLE regress_mlp_carol;
SELECT mlpredict.grant_model('carol_chat', 'regress_mlp_bob');
RESET ROLE;
SET ROLE regress_mlp_bob;
SELECT answer FROM carol_chat('hello from bob');
SELECT * FROM mlpredict.ml_predict('carol_chat', 'hello again') AS p(answer text);
-- a grant on a model covers its versions; granting one version is refused
SELECT mlpredict.grant_model('carol_chat$1', 'regress_mlp_alice');
-- EXECUTE on carol's model does not give USAGE on the connection
SELECT mlpredict.create_model('bob_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "priv-openai"}');
RESET ROLE;

-- USAGE through a group role: bob joins regress_mlp_team, which alice
-- grants with the statement form
SET ROLE regress_mlp_alice;
SELECT * FROM mlpredict.execute('GRANT USAGE ON CONNECTION priv-openai TO regress_mlp_team');
RESET ROLE;
GRANT regress_mlp_team TO regress_mlp_bob;
SET ROLE regress_mlp_bob;
SELECT mlpredict.create_model('bob_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "priv-openai"}');
SELECT answer FROM bob_chat('bob via the team');
RESET ROLE;

-- who has what
SELECT object_type, object_name, grantee, privilege, grantor, owner
FROM mlpredict.privileges
WHERE object_name IN ('priv-openai', 'public.carol_chat', 'public.bob_chat')
ORDER BY 1, 2, 3;

-- revoking USAGE takes effect at once: models of roles that lost it stop
-- working, for their callers too
REVOKE regress_mlp_team FROM regress_mlp_bob;
SET ROLE regress_mlp_bob;
SELECT answer FROM bob_chat('after leaving the team');
RESET ROLE;
SET ROLE regress_mlp_alice;
SELECT * FROM mlpredict.execute('REVOKE USAGE ON CONNECTION priv-openai FROM regress_mlp_carol, regress_mlp_team');
RESET ROLE;
SET ROLE regress_mlp_bob;
SELECT answer FROM carol_chat('after the revoke');
SELECT x.id, p.answer FROM (VALUES (1), (2)) x(id), LATERAL carol_chat('row ' || x.id) p;
RESET ROLE;
-- carol cannot change her model while she lacks USAGE on its connection
SET ROLE regress_mlp_carol;
SELECT mlpredict.alter_model('carol_chat', '{"openai.model_version": "gpt-4o"}');
RESET ROLE;

-- PUBLIC: everyone may use the connection, then no one again
SET ROLE regress_mlp_alice;
SELECT mlpredict.grant_connection('priv-openai', 'public');
RESET ROLE;
SET ROLE regress_mlp_bob;
SELECT answer FROM carol_chat('with public usage');
RESET ROLE;
SET ROLE regress_mlp_alice;
SELECT mlpredict.revoke_connection('priv-openai', 'PUBLIC');
RESET ROLE;
SET ROLE regress_mlp_bob;
SELECT answer FROM carol_chat('without public usage');
RESET ROLE;

-- EXECUTE revoked: bob is refused again
SET ROLE regress_mlp_carol;
SELECT * FROM mlpredict.execute('REVOKE EXECUTE ON MODEL carol_chat FROM regress_mlp_bob');
RESET ROLE;
SET ROLE regress_mlp_bob;
SELECT * FROM mlpredict.ml_predict('carol_chat', 'x') AS p(answer text);
-- bob cannot alter, drop or re-grant carol's model
SELECT mlpredict.alter_model('carol_chat', '{"openai.model_version": "gpt-4o"}');
SELECT mlpredict.drop_model('carol_chat');
RESET ROLE;

-- a superuser may grant on anyone's objects; the owner is recorded as grantor
SELECT mlpredict.grant_connection('priv-openai', 'regress_mlp_carol');
SELECT mlpredict.grant_model('carol_chat', 'regress_mlp_alice');
SELECT object_name, grantee, privilege, grantor
FROM mlpredict.privileges
WHERE object_name IN ('priv-openai', 'public.carol_chat')
ORDER BY 1, 2;
SET ROLE regress_mlp_alice;
SELECT answer FROM carol_chat('alice calls carol''s model');
RESET ROLE;

-- errors: unknown role, connection or model; versions in the statement form
SELECT mlpredict.grant_connection('priv-openai', 'regress_mlp_nobody');
SELECT mlpredict.grant_connection('no-such-connection', 'regress_mlp_bob');
SELECT mlpredict.grant_model('no_such_model', 'regress_mlp_bob');
SELECT mlpredict.grant_connection('priv-openai', NULL);
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL carol_chat$2 TO regress_mlp_bob');
SELECT * FROM mlpredict.execute('GRANT SELECT ON CONNECTION priv-openai TO regress_mlp_bob');
SELECT * FROM mlpredict.execute('GRANT USAGE ON MODEL carol_chat TO regress_mlp_bob');
SELECT * FROM mlpredict.execute('REVOKE USAGE ON CONNECTION priv-openai TO regress_mlp_bob');

-- clean up
SELECT mlpredict.drop_model('bob_chat$all'), mlpredict.drop_model('carol_chat$all');
SELECT mlpredict.drop_connection('priv-openai');
REVOKE CREATE ON SCHEMA public FROM regress_mlp_alice, regress_mlp_carol, regress_mlp_bob;
REVOKE ALL ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM regress_mlp_alice;
DROP ROLE regress_mlp_alice, regress_mlp_carol, regress_mlp_bob, regress_mlp_team;
DROP EXTENSION mlpredict CASCADE;
