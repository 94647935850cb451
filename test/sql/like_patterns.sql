-- SHOW ... LIKE patterns run on PostgreSQL's own LIKE (C collation):
-- % any run, _ any one character, backslash escapes the next one, and a
-- last lone backslash matches itself.  A pattern of many '%a' against a
-- long name answers at once (the old hand-written matcher backtracked
-- exponentially and could not be cancelled); the statement_timeout only
-- bounds the test if that ever comes back.
CREATE EXTENSION IF NOT EXISTS mlpredict;

SELECT mlpredict.create_connection('lk' || repeat('a', 61), '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('"lk%y_z\w\"', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('"lküber"', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');

SET statement_timeout = '10s';
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%ab'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS NOT LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%ab'$$) WHERE execute::text LIKE '%lk%';
RESET statement_timeout;

-- escapes, _ on a multibyte character, case, a last lone backslash
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk\%y\_z\\w\'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk\%y\_z\\w\\'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk%\'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk\y%'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk_y%'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk_ber'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'LK%'$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE 'lk\'$$);

SELECT mlpredict.drop_connection(quote_ident(name)) FROM mlpredict.connections WHERE name LIKE 'lk%' ORDER BY name;

DROP EXTENSION mlpredict CASCADE;
