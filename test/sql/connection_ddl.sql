-- Connections: function form, statement form, every validation error.
CREATE EXTENSION mlpredict;
\set VERBOSITY default

-- function form
SELECT mlpredict.create_connection('openai-connection',
  '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}',
  'the OpenAI stand-in');
-- statement form, as the seed writes it (hyphenated name, aws_* key spellings)
SELECT * FROM mlpredict.execute($$CREATE CONNECTION bedrock-cli-connection WITH ( 'type' = 'bedrock', 'endpoint' = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v1/invoke', 'aws_access_key_id' = 'AKIDEXAMPLE', 'aws_secret_access_key' = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'aws_session_token' = 'session-token-1' );$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION `googleai-cli-connection` WITH ('TYPE' = 'GoogleAI', 'Endpoint' = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent', 'API-KEY' = 'google-key-1')$$);

-- secrets are stored under canonical names and never shown
SELECT name, type, endpoint, secrets, comment, owner = current_user AS mine
FROM mlpredict.connections ORDER BY name;
SELECT count(*) AS leaked FROM mlpredict.connections
WHERE row_to_json(connections)::text ~ '(sk-test-openai-key|wJalrXUtnFEMI|session-token-1|google-key-1)';

-- DESCRIBE / SHOW
SELECT * FROM mlpredict.describe_connection('openai-connection');
SELECT * FROM mlpredict.execute('DESCRIBE CONNECTION openai-connection');
SELECT * FROM mlpredict.execute('DESC CONNECTION `bedrock-cli-connection`;');
SELECT * FROM mlpredict.execute('SHOW CONNECTIONS');
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE '%ai%'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS NOT LIKE 'b_drock%'$$);

-- IF NOT EXISTS, OR REPLACE
SELECT * FROM mlpredict.execute($$CREATE CONNECTION IF NOT EXISTS openai-connection WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api-key' = 'other')$$);
SELECT * FROM mlpredict.execute($$CREATE OR REPLACE CONNECTION scratch WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/embeddings', 'api-key' = 'k1')$$);
SELECT * FROM mlpredict.execute($$CREATE OR REPLACE CONNECTION scratch COMMENT 'replaced' WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api-key' = 'k2')$$);
SELECT name, endpoint, comment FROM mlpredict.connections WHERE name = 'scratch';

-- ALTER CONNECTION ... SET changes secrets and endpoint, keeps the rest
SELECT * FROM mlpredict.execute($$ALTER CONNECTION scratch SET ('api_key' = 'k3', 'endpoint' = 'https://api.openai.com/v1/embeddings')$$);
SELECT mlpredict.alter_connection('scratch', '{"api-key": "k4"}');
SELECT name, endpoint, secrets FROM mlpredict.connections WHERE name = 'scratch';
SELECT * FROM mlpredict.execute($$ALTER CONNECTION IF EXISTS nosuch SET ('api-key' = 'x')$$);

-- errors
SELECT mlpredict.create_connection('c1', '{"endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "k"}');
SELECT mlpredict.create_connection('c1', '{"type": "openia", "endpoint": "https://x.example/v1", "api-key": "k"}');
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c1 WITH ('type' = 'openia', 'endpoint' = 'https://x.example/v1', 'api-key' = 'k')$$);
SELECT mlpredict.create_connection('c1', '{"type": "openai", "api-key": "k"}');
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "ftp://x.example/v1", "api-key": "k"}');
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "https:///v1", "api-key": "k"}');
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "https://user:pw@x.example/v1", "api-key": "k"}');
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "https://x.example/v1"}');
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": ""}');
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": "k", "region": "eu"}');
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c1 WITH ('type' = 'openai', 'endpoint' = 'https://x.example/v1', 'api-key' = 'k', 'aws-secret-key' = 's')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c1 WITH ('type' = 'bedrock', 'endpoint' = 'https://x.example/v1', 'aws-access-key' = 'a')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c1 WITH ('type' = 'openai', 'endpoint' = 'https://x.example/v1', 'api-key' = 'k', 'API-KEY' = 'k')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c1 WITH ('type' = 'openai', 'endpoint' = 'https://x.example/v1', 'api-key' = 'k', 'api_key' = 'k')$$);
SELECT mlpredict.create_connection('c1', jsonb_build_object('type', 'openai', 'endpoint', 'https://x.example/v1', 'api-key', repeat('x', 4001)));
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": {"nested": 1}}');
SELECT mlpredict.create_connection('c1', '["type", "openai"]');
SELECT mlpredict.create_connection('', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": "k"}');
SELECT mlpredict.create_connection('openai-connection', '{"type": "openai", "endpoint": "https://x.example/v1", "api-key": "k"}');
SELECT * FROM mlpredict.execute($$CREATE OR REPLACE CONNECTION scratch WITH ('type' = 'azureopenai', 'endpoint' = 'https://x.example/v1', 'api-key' = 'k')$$);
SELECT * FROM mlpredict.execute($$ALTER CONNECTION scratch SET ('type' = 'bedrock')$$);
SELECT * FROM mlpredict.execute($$ALTER CONNECTION nosuch SET ('api-key' = 'x')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION db.c1 WITH ('type' = 'openai')$$);

-- plain http is refused unless a superuser allows it
SET mlpredict.allow_insecure_http = off;
SELECT mlpredict.create_connection('c1', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "k"}');
RESET mlpredict.allow_insecure_http;

-- DROP
SELECT * FROM mlpredict.execute('DROP CONNECTION scratch');
SELECT * FROM mlpredict.execute('DROP CONNECTION scratch');
SELECT * FROM mlpredict.execute('DROP CONNECTION IF EXISTS scratch');
SELECT mlpredict.drop_connection('googleai-cli-connection');
SELECT name FROM mlpredict.connections ORDER BY name;

-- ordinary roles cannot read the catalog tables, and cannot change others' connections
CREATE ROLE mlp_nobody;
SET ROLE mlp_nobody;
SELECT * FROM mlpredict.connection_secret;
SELECT * FROM mlpredict.connection;
SELECT name, secrets FROM mlpredict.connections ORDER BY name;
SELECT mlpredict.drop_connection('openai-connection');
SELECT * FROM mlpredict.execute($$ALTER CONNECTION openai-connection SET ('api-key' = 'stolen')$$);
RESET ROLE;
DROP ROLE mlp_nobody;

-- the connection pool's limits: any connection type, positive integers
SELECT * FROM mlpredict.execute($$CREATE CONNECTION limited WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api-key' = 'sk-limited', 'MAX_CONCURRENCY' = '4', 'requests_per_minute' = '600')$$);
SELECT * FROM mlpredict.execute($$ALTER CONNECTION limited SET ('tokens_per_minute' = '90000', 'max_concurrency' = '2')$$);
SELECT name, options FROM mlpredict.connections WHERE name = 'limited';
SELECT * FROM mlpredict.execute($$CREATE CONNECTION bad-limit WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api-key' = 'sk-x', 'max_concurrency' = '0')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION bad-limit WITH ('type' = 'bedrock', 'endpoint' = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v1/invoke', 'aws-access-key' = 'AKIA', 'aws-secret-key' = 'x', 'requests_per_minute' = 'lots')$$);
SELECT mlpredict.drop_connection('limited');

-- clean up
DROP EXTENSION mlpredict CASCADE;
