-- Connection secrets at rest: sealed with AES-256-GCM under the cluster key,
-- bound to their connection; env: and file: references; who may set them up.
-- (The server environment must hold MLPREDICT_TEST_ENV_KEY, the stand-in's
-- OpenAI key: scripts/test.sh exports it before starting the instance.)
CREATE EXTENSION mlpredict;
\set VERBOSITY default
\getenv gcp_key_file MLPREDICT_TEST_GCP_KEY

-- An error as rows: SQLSTATE, message, detail and hint, with the data
-- directory and key ids (random per cluster) replaced.  (The data directory
-- goes through a setting any role may read.)
SELECT current_setting('data_directory') AS datadir \gset
SET regress.datadir = :'datadir';
CREATE FUNCTION pg_temp.try(sql text,
  OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
DECLARE
  datadir text := current_setting('regress.datadir');
BEGIN
  EXECUTE sql;
  state := '00000';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
  message := replace(message, datadir, '$PGDATA');
  detail := regexp_replace(detail, '\m[0-9a-f]{16}\M', '<key id>', 'g');
END $$;
-- Whether any error text of running sql contains secret.
CREATE FUNCTION pg_temp.leaks(sql text, secret text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT concat_ws(' ', t.message, t.detail, t.hint) LIKE '%' || secret || '%'
  FROM pg_temp.try(sql) AS t
$$;

------------------------------------------------------------------------
-- Literal secrets are sealed
------------------------------------------------------------------------
SELECT mlpredict.create_connection('sealed-openai',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('other-openai',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-other-key-0000"}');
SELECT mlpredict.create_connection('sealed-bedrock', jsonb_build_object('type', 'bedrock',
  'endpoint', 'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v1/invoke',
  'aws_access_key_id', 'AKIDEXAMPLE', 'aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  'aws_session_token', 'session-token-1'));
-- the key file was created in the data directory (89 bytes: header and hex)
SELECT current_setting('mlpredict.secret_key_file') AS key_file,
       (pg_stat_file(current_setting('mlpredict.secret_key_file'))).size AS key_file_size;
-- the catalog holds no plaintext: version byte 1, 37 bytes of overhead
SELECT connection, keys, get_byte(sealed, 0) AS version,
       position('sk-test-openai-key'::bytea IN sealed) AS openai_key_at,
       position('sk-other-key'::bytea IN sealed) AS other_key_at,
       position('wJalrXUtnFEMI'::bytea IN sealed) AS aws_secret_at,
       position('session-token-1'::bytea IN sealed) AS token_at,
       position('api-key'::bytea IN sealed) AS key_name_at
FROM mlpredict.connection_secret ORDER BY connection;
SELECT length(sealed) - length('{"api-key": "sk-test-openai-key"}') AS overhead
FROM mlpredict.connection_secret WHERE connection = 'sealed-openai';
-- a second seal of the same secrets differs (fresh nonce)
SELECT sealed AS before FROM mlpredict.connection_secret WHERE connection = 'sealed-openai' \gset
SELECT mlpredict.alter_connection('sealed-openai', '{"api-key": "sk-test-openai-key"}');
SELECT sealed <> :'before'::bytea AS resealed FROM mlpredict.connection_secret WHERE connection = 'sealed-openai';
-- the view shows the keys, masked
SELECT name, secrets FROM mlpredict.connections ORDER BY name;

-- predictions use the opened secrets
SELECT mlpredict.create_model('sealed_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "sealed-openai"}');
SELECT answer FROM sealed_chat('hello sealed');

------------------------------------------------------------------------
-- References: env: and file:
------------------------------------------------------------------------
SELECT mlpredict.create_connection('env-openai',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "env:MLPREDICT_TEST_ENV_KEY"}');
SELECT mlpredict.create_model('env_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "env-openai"}');
SELECT answer FROM env_chat('hello from the environment');
-- a Vertex AI service key read from a file (its JSON is checked when used)
SELECT mlpredict.create_connection('file-vertex', jsonb_build_object('type', 'vertexai',
  'endpoint', 'http://127.0.0.1:18787/v1/projects/mlpredict-test/locations/us-central1/publishers/google/models/gemini-2.0-flash',
  'service-key', 'file:' || :'gcp_key_file'));
SELECT mlpredict.create_model('file_gemini', 'prompt STRING', 'answer STRING',
  '{"provider": "vertexai", "task": "text_generation", "vertexai.connection": "file-vertex"}');
SELECT answer FROM file_gemini('hello from a file');
-- views show references as they are written
SELECT name, secrets->>'api-key' = 'env:MLPREDICT_TEST_ENV_KEY' AS env_ref,
       secrets->>'service-key' = 'file:' || :'gcp_key_file' AS file_ref
FROM mlpredict.connections WHERE name IN ('env-openai', 'file-vertex') ORDER BY name;
SELECT position('MLPREDICT_TEST_ENV_KEY'::bytea IN sealed) AS env_ref_at
FROM mlpredict.connection_secret WHERE connection = 'env-openai';

-- bad references are refused when the connection is created
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('bad-ref', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": "env:1BAD"}')$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('bad-ref', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": "env:"}')$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('bad-ref', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": "file:relative/key.txt"}')$$);
-- and references that do not resolve fail when used, naming no secret
SELECT mlpredict.create_connection('missing-env',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "env:MLPREDICT_TEST_NO_SUCH_VARIABLE"}');
SELECT mlpredict.create_model('missing_env_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "missing-env"}');
SELECT * FROM pg_temp.try($$SELECT * FROM missing_env_chat('x')$$);
SELECT mlpredict.create_connection('missing-file',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "file:/nonexistent/mlpredict/api-key"}');
SELECT mlpredict.create_model('missing_file_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "missing-file"}');
SELECT * FROM pg_temp.try($$SELECT * FROM missing_file_chat('x')$$);
-- an empty file (a newline only)
\set empty_file :datadir '/mlpredict_regress_empty_secret'
COPY (SELECT '') TO :'empty_file';
SELECT mlpredict.alter_connection('missing-file', jsonb_build_object('api-key', 'file:' || :'empty_file'));
SELECT * FROM pg_temp.try($$SELECT * FROM missing_file_chat('x')$$);

------------------------------------------------------------------------
-- Ordinary roles: no access to the table, no references
------------------------------------------------------------------------
CREATE ROLE regress_secrets_user;
GRANT EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) TO regress_secrets_user;
SET ROLE regress_secrets_user;
SELECT * FROM mlpredict.connection_secret;
SELECT keys FROM mlpredict.connection_secret;
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('user-env', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "env:MLPREDICT_TEST_ENV_KEY"}')$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('user-file', jsonb_build_object('type', 'vertexai', 'endpoint', 'https://us-central1-aiplatform.googleapis.com/v1/x', 'service-key', 'file:/etc/passwd'))$$);
-- a connection of its own with a literal key
SELECT mlpredict.create_connection('user-openai',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-user-literal"}');
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('user-openai', '{"api-key": "env:MLPREDICT_TEST_ENV_KEY"}')$$);
RESET ROLE;
-- a superuser points it at the environment; its owner may then not change
-- it (not even the endpoint, which would send the server's key elsewhere)
SELECT mlpredict.alter_connection('user-openai', '{"api-key": "env:MLPREDICT_TEST_ENV_KEY"}');
SET ROLE regress_secrets_user;
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('user-openai', '{"endpoint": "https://attacker.example/v1/chat/completions"}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM mlpredict.execute('ALTER CONNECTION user-openai SET (''max_concurrency'' = ''2'')')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM mlpredict.execute($q$CREATE OR REPLACE CONNECTION user-openai WITH ('type' = 'openai', 'endpoint' = 'https://attacker.example/v1', 'api-key' = 'env:MLPREDICT_TEST_ENV_KEY')$q$)$$);
-- replacing the reference with a literal of its own is allowed
SELECT mlpredict.alter_connection('user-openai', '{"api-key": "sk-user-literal-2"}');
SELECT name, secrets FROM mlpredict.connections WHERE name = 'user-openai';
SELECT mlpredict.drop_connection('user-openai');
RESET ROLE;

------------------------------------------------------------------------
-- Ciphertexts are bound to their connection and cannot be altered
------------------------------------------------------------------------
SELECT mlpredict.create_model('other_chat', 'prompt STRING', 'answer STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "other-openai"}');
-- copy sealed-openai's ciphertext onto other-openai (same type and endpoint)
UPDATE mlpredict.connection_secret
SET sealed = (SELECT sealed FROM mlpredict.connection_secret WHERE connection = 'sealed-openai')
WHERE connection = 'other-openai';
SELECT * FROM pg_temp.try($$SELECT * FROM other_chat('x')$$);
SELECT pg_temp.leaks($$SELECT * FROM other_chat('x')$$, 'sk-test-openai-key') AS leaks_key;
-- an endpoint changed outside ALTER CONNECTION
UPDATE mlpredict.connection SET endpoint = 'http://127.0.0.1:18787/v1/chat/completions?x=1' WHERE name = 'sealed-openai';
SELECT * FROM pg_temp.try($$SELECT * FROM sealed_chat('x')$$);
UPDATE mlpredict.connection SET endpoint = 'http://127.0.0.1:18787/v1/chat/completions' WHERE name = 'sealed-openai';
SELECT answer FROM sealed_chat('endpoint restored');
-- one flipped byte of the ciphertext
UPDATE mlpredict.connection_secret SET sealed = set_byte(sealed, 30, get_byte(sealed, 30) # 1)
WHERE connection = 'sealed-openai';
SELECT * FROM pg_temp.try($$SELECT * FROM sealed_chat('x')$$);
SELECT pg_temp.leaks($$SELECT * FROM sealed_chat('x')$$, 'sk-test-openai-key') AS leaks_key;
-- a truncated one
UPDATE mlpredict.connection_secret SET sealed = substring(sealed FROM 1 FOR 5)
WHERE connection = 'other-openai';
SELECT * FROM pg_temp.try($$SELECT * FROM other_chat('x')$$);
-- ALTER that keeps the old secrets needs them: refused
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('sealed-openai', '{"max_concurrency": "3"}')$$);
-- ALTER that gives every required secret anew replaces them
SELECT mlpredict.alter_connection('sealed-openai', '{"api-key": "sk-test-openai-key"}');
SELECT answer FROM sealed_chat('secrets re-entered');

------------------------------------------------------------------------
-- Another cluster key (as after restoring a dump elsewhere)
------------------------------------------------------------------------
SET mlpredict.secret_key_file = 'mlpredict_regress_other.key';
SELECT * FROM pg_temp.try($$SELECT * FROM sealed_chat('x')$$);
SELECT pg_temp.leaks($$SELECT * FROM sealed_chat('x')$$, 'sk-test-openai-key') AS leaks_key;
SELECT (pg_stat_file('mlpredict_regress_other.key')).size AS other_key_file_size;
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('sealed-openai', '{"endpoint": "http://127.0.0.1:18787/v1/chat/completions"}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM mlpredict.execute('DESCRIBE CONNECTION sealed-openai')$$);
-- re-entering the secret works under this key ...
SELECT * FROM mlpredict.execute($$ALTER CONNECTION sealed-openai SET ('api-key' = 'sk-test-openai-key')$$);
SELECT answer FROM sealed_chat('under the other key');
-- ... and is then what the original key cannot open
RESET mlpredict.secret_key_file;
SELECT (pg_temp.try($$SELECT * FROM sealed_chat('x')$$)).state;
SELECT mlpredict.alter_connection('sealed-openai', '{"api-key": "sk-test-openai-key"}');
SELECT answer FROM sealed_chat('back under the cluster key');

------------------------------------------------------------------------
-- Key files that are not ours are refused
------------------------------------------------------------------------
-- a file others may read (COPY writes files with mode 0644)
\set bad_key_file :datadir '/mlpredict_regress_bad.key'
COPY (SELECT 'not a key') TO :'bad_key_file';
SET mlpredict.secret_key_file = 'mlpredict_regress_bad.key';
SELECT * FROM pg_temp.try($$SELECT * FROM sealed_chat('x')$$);
SET mlpredict.secret_key_file = '/nonexistent/dir/mlpredict.key';
SELECT * FROM pg_temp.try($$SELECT * FROM sealed_chat('x')$$);
RESET mlpredict.secret_key_file;
SET ROLE regress_secrets_user;
SET mlpredict.secret_key_file = 'elsewhere.key';
RESET ROLE;
SELECT answer FROM sealed_chat('still fine');

-- clean up
REVOKE ALL ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM regress_secrets_user;
DROP ROLE regress_secrets_user;
DROP EXTENSION mlpredict CASCADE;
