-- The Citus functions on a server without Citus (or with Citus installed
-- but not created in this database): a single node.  citus_role() is
-- 'none', citus_sync() sends nothing, citus_apply() refuses,
-- citus_check_keys() shows this server's key, the citus_stat_* views show
-- this server's rows with node 'coordinator', and catalog changes work as
-- ever (the send triggers do nothing).  The cluster key id is a hex
-- fingerprint, never the key.  t/022_citus.pl covers a real cluster.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

SELECT mlpredict.citus_role();
SELECT mlpredict.create_connection('cs-chat', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('cs_chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "cs-chat"}');
SELECT mlpredict.alter_model('cs_chat', '{"openai.params.temperature": 0}');
SELECT * FROM mlpredict.citus_sync();
SELECT * FROM mlpredict.citus_run_on_workers('SELECT 1');
SELECT mlpredict.citus_apply(mlpredict.citus_catalog());

-- the document the coordinator would send: the rows, secrets sealed
SELECT jsonb_array_length(c->'connection') AS connections,
       jsonb_array_length(c->'model') AS models,
       c->'model'->0->>'name' AS model,
       c->'connection_secret'->0->>'sealed' LIKE '%sk-test%' AS plaintext_secret,
       c->'function_acl'->0->>'function' AS typed_function
FROM mlpredict.citus_catalog() c;

SELECT node, key_id ~ '^[0-9a-f]+$' AS key_id_is_hex, matches, problem
FROM mlpredict.citus_check_keys();
SELECT count(*) AS key_ids FROM (SELECT mlpredict.cluster_key_id() UNION SELECT mlpredict.cluster_key_id()) k;

SELECT a FROM cs_chat('hello');
SELECT node, model, calls, rows FROM mlpredict.citus_stat_models WHERE model = 'public.cs_chat';
SELECT node, connection, calls FROM mlpredict.citus_stat_connections WHERE connection = 'cs-chat';

-- ordinary roles: the views yes, the rest no
CREATE ROLE citus_single_user;
SET ROLE citus_single_user;
SELECT count(*) >= 0 AS can_read FROM mlpredict.citus_stat_models;
SELECT mlpredict.citus_sync();
SELECT mlpredict.citus_catalog();
SELECT mlpredict.cluster_key_id();
RESET ROLE;
DROP ROLE citus_single_user;

SELECT mlpredict.drop_model('cs_chat');
SELECT mlpredict.drop_connection('cs-chat');
SELECT jsonb_array_length(c->'model') AS models FROM mlpredict.citus_catalog() c;

DROP EXTENSION mlpredict CASCADE;
