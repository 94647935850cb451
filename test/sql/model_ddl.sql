-- Models: creation, versions, ALTER/RENAME/DROP, DESCRIBE/SHOW, and every
-- validation error.
CREATE EXTENSION IF NOT EXISTS mlpredict;
SELECT * FROM mlpredict.execute($$CREATE CONNECTION openai-connection WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION azureopenai-cli-connection WITH ('type' = 'azureopenai', 'endpoint' = 'http://127.0.0.1:18787/openai/deployments/embed/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION bedrock-cli-connection WITH ('type' = 'bedrock', 'endpoint' = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v1/invoke', 'aws-access-key' = 'a', 'aws-secret-key' = 's')$$);

-- the seed's statements, verbatim
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding' );$$);
-- function form, PostgreSQL type names, mixed-case keys
SELECT mlpredict.create_model('chat', 'prompt text', '(answer VARCHAR(2147483647))',
  '{"PROVIDER": "openai", "Task": "text_generation", "OpenAI.Connection": "openai-connection", "openai.params.temperature": "0.2"}');

SELECT schema, name, version, is_default, provider, task, input, output, comment
FROM mlpredict.models ORDER BY name, version;

-- the typed functions: arguments are the INPUT, result columns the OUTPUT, EXECUTE revoked from PUBLIC
SELECT p.oid::regprocedure AS function, pg_get_function_result(p.oid) AS result, p.proacl
FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY p.proname;

-- versions: repeating CREATE MODEL adds one; the default stays until moved
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-4o-mini', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' )$$);
SELECT mlpredict.create_model('sentimentmodel', 'text STRING', 'sentiment STRING',
  '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection", "openai.params.max_tokens": "5"}',
  'sentiment analysis model');
SELECT * FROM mlpredict.execute($$CREATE MODEL IF NOT EXISTS sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection')$$);
SELECT * FROM mlpredict.execute('DESCRIBE MODEL sentimentmodel');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL sentimentmodel$2');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL `sentimentmodel$latest`');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL sentimentmodel$all');
SELECT version_id, is_default_version, options FROM mlpredict.describe_model('public.sentimentmodel$all');
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('default_version' = '3')$$);
SELECT version, is_default FROM mlpredict.models WHERE name = 'sentimentmodel' ORDER BY version;
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel$2 SET ('openai.params.temperature' = '0', 'OPENAI.SYSTEM_PROMPT' = 'Reply with one word.')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel$2 RESET ('openai.model_version')$$);
SELECT mlpredict.alter_model('sentimentmodel$3', reset_options => ARRAY['openai.params.max_tokens']);
SELECT version, options FROM mlpredict.models WHERE name = 'sentimentmodel' ORDER BY version;

-- SHOW
SELECT * FROM mlpredict.execute('SHOW MODELS');
SELECT * FROM mlpredict.execute($$SHOW MODELS LIKE 'sent%'$$);
SELECT * FROM mlpredict.execute($$SHOW MODELS FROM public NOT LIKE '%embed'$$);
-- Flink's [catalog.]database: Confluent's `environment`.`cluster` is this
-- database (the models SHOW MODELS lists); one part is a schema, which must exist
SELECT * FROM mlpredict.execute($$SHOW MODELS FROM `my-env`.`my-cluster` LIKE 'sent%';$$);
SELECT * FROM mlpredict.execute($$SHOW MODELS IN `my-env`.`my-cluster`;$$);
SELECT * FROM mlpredict.execute($$SHOW MODELS IN `my-cluster`;$$);
SELECT * FROM mlpredict.execute('SHOW CREATE MODEL azure_embed');
SELECT mlpredict.show_create_model('sentimentmodel$2');
-- SHOW CREATE MODEL's text is a valid statement: it adds a version
SELECT * FROM mlpredict.execute(mlpredict.show_create_model('chat'));

-- RENAME: the typed function follows, grants kept
GRANT EXECUTE ON FUNCTION chat(text, mlpredict.predict_options) TO PUBLIC;
SELECT * FROM mlpredict.execute('ALTER MODEL chat RENAME TO assistant');
SELECT p.oid::regprocedure, p.proacl, prosrc FROM pg_proc p WHERE proname IN ('chat', 'assistant');
SELECT mlpredict.rename_model('assistant', 'chat');

-- DROP: a version, the default version (the highest left becomes default), all
SELECT * FROM mlpredict.execute('DROP MODEL sentimentmodel$1');
SELECT * FROM mlpredict.execute('DROP MODEL sentimentmodel');
SELECT version, is_default FROM mlpredict.models WHERE name = 'sentimentmodel' ORDER BY version;
SELECT * FROM mlpredict.execute('DROP MODEL chat$all');
SELECT count(*) FROM pg_proc WHERE proname = 'chat';
SELECT * FROM mlpredict.execute('DROP MODEL IF EXISTS chat');
SELECT * FROM mlpredict.execute('DROP MODEL IF EXISTS sentimentmodel$7');
SELECT mlpredict.drop_model('chat', if_exists => true);

-- schemas: models live in schemas like tables
CREATE SCHEMA ml;
SET search_path = ml, public;
SELECT * FROM mlpredict.execute($$CREATE MODEL scoped INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
SELECT schema, name FROM mlpredict.models WHERE name = 'scoped';
SELECT version_id FROM mlpredict.describe_model('scoped');
SELECT version_id FROM mlpredict.describe_model('ml.scoped');
SELECT mlpredict.rename_model('ml.scoped', 'public.moved');
SELECT schema, name FROM mlpredict.models WHERE name = 'moved';
SELECT p.oid::regprocedure FROM pg_proc p WHERE proname IN ('scoped', 'moved');
SELECT mlpredict.drop_model('public.moved$all');
-- dropping a schema forgets its models
SELECT * FROM mlpredict.execute($$CREATE MODEL ml.doomed INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
DROP SCHEMA ml CASCADE;
SELECT count(*) AS models_left_in_ml FROM mlpredict.models WHERE schema = 'ml';
RESET search_path;

-- Flink types map to PostgreSQL types
SELECT mlpredict.create_model('types_demo',
  'a STRING, b VARCHAR(10), c CHAR(3), d BOOLEAN, e TINYINT, f SMALLINT, g INT, h BIGINT, i FLOAT, j DOUBLE, k DECIMAL(10, 2), l BYTES, m ARRAY<DOUBLE>, n ROW<x INT, y STRING>, o real[], p double precision',
  'response ARRAY<ARRAY<FLOAT>>',
  '{"provider": "openai", "task": "embedding", "openai.connection": "openai-connection", "openai.input_format": "OPENAI-EMBED"}');
-- as many columns as a call can carry: 98 INPUT (ml_predict's 100
-- arguments less the model and the options), 1600 OUTPUT
SELECT mlpredict.create_model('too_wide_in', (SELECT string_agg('c' || g || ' STRING', ', ') FROM generate_series(1, 99) g), 'r STRING',
  '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection", "openai.input_format": "JSON"}');
SELECT mlpredict.create_model('too_wide_out', 'p STRING', (SELECT string_agg('c' || g || ' STRING', ', ') FROM generate_series(1, 1601) g),
  '{"provider": "openai", "task": "text_generation", "openai.connection": "openai-connection"}');
-- single-column models with other spellings of the same types
SELECT mlpredict.create_model('embed_double', 'text VARCHAR(100)', 'v ARRAY<DOUBLE>',
  '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "azureopenai-cli-connection"}');
SELECT mlpredict.create_model('embed_real', '`text` character varying(20)', '`v` real[]',
  '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "azureopenai-cli-connection", "azureopenai.input_format": "azure_embed"}');
SELECT name, input, output FROM mlpredict.models WHERE name LIKE 'embed_%' ORDER BY name;
SELECT p.oid::regprocedure, pg_get_function_result(p.oid) FROM pg_proc p WHERE proname LIKE 'embed_%' ORDER BY p.proname;

\set VERBOSITY default
-- option errors
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"provider": "openia", "task": "classification"}');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"provider": "openai", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"provider": "openai", "task": "summarize", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"provider": "openai", "task": "classification"}');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "nosuch"}');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING', '{"provider": "azureopenai", "task": "classification", "azureopenai.connection": "openai-connection"}');
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.temperature' = '0')$$);
-- Confluent's ML_EVALUATE page still registers its model the 2024 way, with
-- the endpoint and key inline: refused with a pointer to connections
SELECT * FROM mlpredict.execute($$CREATE MODEL `my_remote_model`
INPUT (f1 INT, f2 STRING)
OUTPUT (output_label STRING)
WITH(
  'task' = 'classification',
  'provider' = 'openai',
  'openai.endpoint' = 'https://api.openai.com/v1/llm/v1/chat',
  'openai.api_key' = '<api-key>'
);$$);
SELECT mlpredict.create_model('bad', 'text STRING', 'out ARRAY<FLOAT>', '{"provider": "vertexai", "task": "embedding", "vertexai.connection": "c", "vertexai.service_key": "{}"}');
-- managed models (provider confluent) run inside Confluent Cloud only
SELECT * FROM mlpredict.execute($$CREATE MODEL managed_embed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'confluent', 'task' = 'embedding', 'confluent.model' = 'BAAI/bge-large-en-v1.5');$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'azureopenai.system_prompt' = 'x')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.parameters.temperature' = '0')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'Task' = 'classification')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.params.temperature' = 'warm')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.params.n.int' = '1.5')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.client_timeout' = '0')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.connect_timeout' = '50')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.input_format' = 'OPENAI-CHATTY')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'default_version' = '1')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'bedrock', 'task' = 'embedding', 'bedrock.connection' = 'bedrock-cli-connection')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.params.stop' = 'a', 'openai.params.stop_sequences' = 'b')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.params.seed' = '1', 'openai.params.seed.int' = '2')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.params.response_format' = 'x', 'openai.params.response_format.type' = 'json_object')$$);
-- a parameter name nests at most 16 levels (the request body was written
-- one recursion per dot: 200000 of them overflowed the stack, SIGSEGV,
-- when the model was called)
\set VERBOSITY terse
SELECT mlpredict.create_model('bad', 'a STRING', 'out STRING', jsonb_build_object('provider', 'openai', 'task', 'classification', 'openai.connection', 'openai-connection', 'openai.params.' || repeat('a.', 200000) || 'b', '1'));
\set VERBOSITY default
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING) OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.params.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q' = '1')$$);
SELECT mlpredict.create_model('params16', 'a STRING', 'out STRING', jsonb_build_object('provider', 'openai', 'task', 'classification', 'openai.connection', 'openai-connection', 'openai.params.' || repeat('a.', 15) || 'b', '1'));
SELECT body FROM mlpredict.debug_request('params16', 'x');
SELECT mlpredict.drop_model('params16');
SELECT mlpredict.create_model('bad', 'text STRING', 'out STRING',
  (SELECT jsonb_object_agg('openai.params.p' || i, i) FROM generate_series(1, 33) i)
  || '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
-- schema errors
SELECT mlpredict.create_model('bad', 'a STRING, b STRING', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'a INT', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'a STRING', 'out INT', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection", "openai.input_format": "AMAZON-TITAN-TEXT"}');
SELECT mlpredict.create_model('bad', 'a STRING', 'out STRING, out2 STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection", "openai.input_format": "AMAZON-TITAN-TEXT"}');
SELECT mlpredict.create_model('bad', 'a STRING', 'out STRING', '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "azureopenai-cli-connection"}');
SELECT mlpredict.create_model('bad', 'a STRING', 'out ARRAY<STRING>', '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "azureopenai-cli-connection"}');
SELECT mlpredict.create_model('types_demo',
  'a STRING, b VARCHAR(10), c CHAR(3), d BOOLEAN, e TINYINT, f SMALLINT, g INT, h BIGINT, i FLOAT, j DOUBLE, k DECIMAL(10, 2), l BYTES, m ARRAY<DOUBLE>, n ROW<x INT, y STRING>, o real[], p double precision',
  'response ARRAY<ARRAY<FLOAT>>',
  '{"provider": "openai", "task": "embedding", "openai.connection": "openai-connection", "openai.input_format": "OPENAI-EMBED"}');
SELECT mlpredict.create_model('bad', 'a MAP<STRING, STRING>', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'a TIMESTAMP(3)', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'a nosuchtype', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'a STRING, a STRING', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', '', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT mlpredict.create_model('bad', 'a record', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT * FROM mlpredict.execute($$CREATE MODEL bad INPUT (text STRING, x ARRAY<) OUTPUT (out STRING) WITH ('provider' = 'openai')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bad OUTPUT (out STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection')$$);
-- types nested without bound, from a role with no rights at all: the
-- parser recursed once per level (ARRAY<ARRAY<... 200000 levels overflowed
-- the stack, SIGSEGV) and each level repeated its element's declaration
-- (ROW<x ROW<x ... or INT ARRAY ARRAY ... took memory quadratic in the
-- text, gigabytes for a few hundred kB, until the OOM killer); 32 levels
-- is the limit
CREATE ROLE regress_mdl_nobody;
SET ROLE regress_mdl_nobody;
\set VERBOSITY terse
SELECT mlpredict.create_model('bad', 'a STRING', 'out ' || repeat('ARRAY<', 200000) || 'INT' || repeat('>', 200000), '{}');
SELECT mlpredict.create_model('bad', 'a ' || repeat('ROW<x ', 100000) || 'INT' || repeat('>', 100000), 'out STRING', '{}');
SELECT mlpredict.create_model('bad', 'a STRING', 'out INT' || repeat(' ARRAY', 100000), '{}');
SELECT * FROM mlpredict.execute('CREATE MODEL bad INPUT (a STRING) OUTPUT (out ' || repeat('ROW<x ', 100000) || 'INT' || repeat('>', 100000) || ') WITH (''provider'' = ''openai'')');
SELECT mlpredict.translate('SELECT CAST(a AS ' || repeat('ARRAY<', 100000) || 'INT' || repeat('>', 100000) || ') FROM t');
-- nor lists without bound: each column's name was compared with all the
-- ones before it, without a cancel check (80000 columns: 50 s, deaf to
-- statement_timeout); 10000 columns and ROW fields are the limit
SELECT mlpredict.create_model('bad', (SELECT string_agg(format('c%s STRING', i), ', ') FROM generate_series(1, 80000) i), 'out STRING', '{}');
SELECT mlpredict.create_model('bad', 'a ROW<' || (SELECT string_agg(format('c%s STRING', i), ', ') FROM generate_series(1, 80000) i) || '>', 'out STRING', '{}');
-- nor option lists: every option was compared with every other (200000
-- parameters: 4.5 minutes, deaf to statement_timeout); 1000 is the limit
SELECT mlpredict.create_model('bad', 'a STRING', 'out STRING', (SELECT jsonb_object_agg('openai.params.k' || i, 'v') FROM generate_series(1, 200000) i));
SELECT * FROM mlpredict.execute('CREATE MODEL bad INPUT (a STRING) OUTPUT (out STRING) WITH (' || (SELECT string_agg(format('''k%s'' = ''v''', i), ', ') FROM generate_series(1, 80000) i) || ')');
SELECT mlpredict.create_continuous_query('bad', 'INSERT INTO a SELECT 1 FROM b, LATERAL m(x)', (SELECT jsonb_object_agg('k' || i, 'v') FROM generate_series(1, 200000) i));
\set VERBOSITY default
RESET ROLE;
DROP ROLE regress_mdl_nobody;
SELECT mlpredict.create_model('bad', 'a STRING', 'out ' || repeat('ARRAY<', 33) || 'INT' || repeat('>', 33), '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection", "openai.input_format": "JSON"}');
SELECT mlpredict.create_model('deep32', 'a STRING', 'out ' || repeat('ROW<x ', 32) || 'INT' || repeat('>', 32), '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection", "openai.input_format": "JSON"}');
SELECT mlpredict.drop_model('deep32');
-- version rules
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (input STRING) OUTPUT (response ARRAY<FLOAT>) WITH ('azureopenai.connection' = 'azureopenai-cli-connection', 'provider' = 'azureopenai', 'task' = 'embedding')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<DOUBLE>) WITH ('azureopenai.connection' = 'azureopenai-cli-connection', 'provider' = 'azureopenai', 'task' = 'embedding')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) COMMENT 'new comment' WITH ('azureopenai.connection' = 'azureopenai-cli-connection', 'provider' = 'azureopenai', 'task' = 'embedding')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ('azureopenai.connection' = 'azureopenai-cli-connection', 'provider' = 'azureopenai', 'task' = 'clustering')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed$2 INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ('azureopenai.connection' = 'azureopenai-cli-connection', 'provider' = 'azureopenai', 'task' = 'embedding')$$);
SELECT mlpredict.create_model('azure_embed', 'text STRING', 'response ARRAY<FLOAT>',
  '{"azureopenai.connection": "azureopenai-cli-connection", "provider": "azureopenai", "task": "embedding"}')
FROM generate_series(2, 10);
SELECT max(version) FROM mlpredict.models WHERE name = 'azure_embed';
SELECT mlpredict.create_model('azure_embed', 'text STRING', 'response ARRAY<FLOAT>',
  '{"azureopenai.connection": "azureopenai-cli-connection", "provider": "azureopenai", "task": "embedding"}');
-- ALTER errors
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('default_version' = '9')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('default_version' = 'two')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel RESET ('openai.connection')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('task' = 'regression')$$);
-- free-form descriptive keys, as Confluent's ALTER MODEL example writes them
SELECT * FROM mlpredict.execute($$ALTER MODEL `sentimentmodel$2` SET (
  tag = 'prod',
  description = "new_description"
);$$);
SELECT version, options->>'tag' AS tag, options->>'description' AS description
  FROM mlpredict.models WHERE name = 'sentimentmodel' ORDER BY version;
SELECT * FROM mlpredict.execute('SHOW CREATE MODEL `sentimentmodel$2`');
SELECT * FROM mlpredict.execute('ALTER MODEL `sentimentmodel$2` RESET (tag)');
SELECT version, options->>'tag' AS tag, options->>'description' AS description
  FROM mlpredict.models WHERE name = 'sentimentmodel' ORDER BY version;
SELECT mlpredict.alter_model('sentimentmodel$2', reset_options => ARRAY['description']);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('tags' = 'v1')$$);
-- RESET refuses what SET refuses
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel RESET ('no_such_option')$$);
SELECT mlpredict.alter_model('sentimentmodel', reset_options => ARRAY['bedrock.system_prompt']);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel RESET ('default_version')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel$all SET ('openai.params.temperature' = '1')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel$9 SET ('openai.params.temperature' = '1')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL nosuch SET ('openai.params.temperature' = '1')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL IF EXISTS nosuch SET ('openai.params.temperature' = '1')$$);
SELECT * FROM mlpredict.execute('ALTER MODEL sentimentmodel RENAME TO azure_embed');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL nosuch');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL sentimentmodel$9');
SELECT * FROM mlpredict.execute('DROP MODEL nosuch');
-- a connection in use cannot be dropped
SELECT * FROM mlpredict.execute('DROP CONNECTION azureopenai-cli-connection');
-- creating a model needs CREATE on its schema (USAGE on the connection is
-- granted, see the privileges suite); changing one needs ownership
CREATE ROLE mlp_dev;
SELECT mlpredict.grant_connection('openai-connection', 'mlp_dev');
SET ROLE mlp_dev;
SELECT mlpredict.create_model('public.mine', 'text STRING', 'out STRING', '{"provider": "openai", "task": "classification", "openai.connection": "openai-connection"}');
SELECT * FROM mlpredict.execute('DROP MODEL sentimentmodel$all');
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('openai.params.temperature' = '1')$$);
RESET ROLE;
SELECT mlpredict.revoke_connection('openai-connection', 'mlp_dev');
DROP ROLE mlp_dev;

-- the task is matched ignoring case like the provider, and stored in lower
-- case (an upper-case task once failed the catalog's CHECK constraint);
-- VARCHAR(2147483647), as Confluent's SHOW CREATE MODEL prints STRING, is
-- the same type for the version rule
SELECT * FROM mlpredict.execute($$CREATE MODEL `upper_task` INPUT (`text` VARCHAR(2147483647)) OUTPUT (`output` VARCHAR(2147483647)) WITH ('OPENAI.CONNECTION' = 'openai-connection', 'PROVIDER' = 'OpenAI', 'TASK' = 'TEXT_GENERATION');$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL upper_task INPUT (text STRING) OUTPUT (output STRING) WITH ('openai.connection' = 'openai-connection', 'provider' = 'openai', 'task' = 'text_generation')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL upper_task$2 SET ('Task' = 'Text_Generation')$$);
SELECT version, task, options->>'task' AS option FROM mlpredict.models WHERE name = 'upper_task' ORDER BY version;
SELECT * FROM mlpredict.execute($$ALTER MODEL upper_task SET ('TASK' = 'CLASSIFICATION')$$);
SELECT * FROM mlpredict.execute('DROP MODEL upper_task$all');
-- CREATE CONNECTION MyConn stores myconn; Flink keeps the case, so the
-- model names it 'MyConn': the lower-case spelling is used when no
-- connection has the name as written
SELECT * FROM mlpredict.execute($$CREATE CONNECTION MyConn WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL conn_case INPUT (text STRING) OUTPUT (o STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'MyConn')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL conn_case SET ('openai.connection' = '`my-env`.`my-cluster`.`MyConn`')$$);
SELECT options->>'openai.connection' AS connection FROM mlpredict.models WHERE name = 'conn_case';
SELECT * FROM mlpredict.execute($$DROP CONNECTION MyConn CASCADE$$);

-- clean up
DROP EXTENSION mlpredict CASCADE;
