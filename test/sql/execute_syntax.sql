-- mlpredict.execute(): what the statement parser accepts and how it reports
-- syntax errors (with the position, like PostgreSQL's own).
CREATE EXTENSION IF NOT EXISTS mlpredict;
SELECT mlpredict.create_connection('c', '{"type": "openai", "endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "k"}');

-- accepted spellings: comments, case, quoting, semicolon, numbers and booleans as values
SELECT * FROM mlpredict.execute($$
  -- a comment
  create model /* inline */ `Quoted Name` input ( `q` string ) output ( "A" String )
  comment 'it''s quoted'
  with ( 'PROVIDER' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c',
         'openai.params.max_tokens' = 5, 'openai.params.logprobs' = TRUE );
$$);
SELECT name, input, output, comment, options FROM mlpredict.models;
SELECT * FROM mlpredict.execute('DESCRIBE MODEL "Quoted Name"');
SELECT * FROM mlpredict.execute('DROP MODEL `Quoted Name$all`');

-- errors
SELECT * FROM mlpredict.execute('');
SELECT * FROM mlpredict.execute('   ;');
SELECT * FROM mlpredict.execute('UPDATE t SET a = 1');
SELECT * FROM mlpredict.execute('CREATE VIEW v AS SELECT 1');
SELECT * FROM mlpredict.execute('CREATE CONNECTION c2');
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c2 WITH ('type' = 'openai'$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c2 WITH ('type' 'openai')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c2 WITH ('type' = 'openai') extra$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c2 WITH ('type' = 'openai); $$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION c2 WITH ()$$);
SELECT * FROM mlpredict.execute($$CREATE OR REPLACE MODEL m INPUT (a STRING) OUTPUT (b STRING) WITH ('provider' = 'openai')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL w.cat.db.m INPUT (a STRING) OUTPUT (b STRING) WITH ('provider' = 'openai')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL m INPUT (a STRING OUTPUT (b STRING) WITH ('provider' = 'openai')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL m INPUT (a VARCHAR(0)) OUTPUT (b STRING) WITH ('provider' = 'openai')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL m INPUT (a DECIMAL(40, 2)) OUTPUT (b STRING) WITH ('provider' = 'openai')$$);
SELECT * FROM mlpredict.execute('DESCRIBE MODEL m$11');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL m$first');
SELECT * FROM mlpredict.execute('DESCRIBE MODEL m$0');
SELECT * FROM mlpredict.execute('DROP MODEL');
SELECT * FROM mlpredict.execute('ALTER MODEL m DROP');
SELECT * FROM mlpredict.execute($$ALTER MODEL m RESET ('a' = 'b')$$);
SELECT * FROM mlpredict.execute($$SHOW CONNECTIONS LIKE$$);
SELECT * FROM mlpredict.execute($$SHOW MODELS FROM a.b.c$$);
SELECT * FROM mlpredict.execute($$SHOW MODELS FROM a.$$);
SELECT * FROM mlpredict.execute($$SHOW TABLES$$);
SELECT * FROM mlpredict.execute($$DESCRIBE CONNECTION `unterminated$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL m /* never closed$$);
SELECT * FROM mlpredict.execute(NULL);

-- a script of many statements runs in memory bounded by one statement
-- (each statement once copied the script up to its end: 100,000 of them
-- took tens of GB, and the kernel killed the server)
SELECT count(*), count(DISTINCT r::text) FROM mlpredict.execute(repeat('SELECT 1 AS one;', 100000)) r;
SELECT count(*) FROM mlpredict.execute(repeat('SHOW MODELS LIKE ''nothing%'';', 20000) || 'SHOW MODELS');
SELECT length(mlpredict.translate(repeat('SHOW MODELS;', 100000)));

-- Flink's session statements, as pasted above the statements they precede:
-- the session time zone is PostgreSQL's TimeZone; other settings and USE
-- are reported as ignored, and a value (it may be a secret) is never shown
SELECT * FROM mlpredict.execute($$SET 'sql.local-time-zone' = 'Asia/Tokyo';
SET 'sql.secrets.openaikey' = 'sk-never-shown';
SET 'client.statement-name' = 'sentiment-1';
SET;
USE CATALOG `my-environment`;
USE `my-environment`.`my-cluster`;
USE `my-cluster`;
USE MODULES core, hive;
SHOW CONNECTIONS LIKE 'nothing%'$$);
SHOW TimeZone;
SELECT * FROM mlpredict.execute($$RESET 'sql.local-time-zone'$$);
SELECT current_setting('TimeZone') = 'Asia/Tokyo' AS still_tokyo;
SELECT * FROM mlpredict.execute($$SET sql.local-time-zone = 'UTC'; RESET 'client.statement-name'; RESET$$);
SELECT * FROM mlpredict.execute($$SET 'sql.local-time-zone' = 'Mars/Olympus_Mons'$$);
SELECT * FROM mlpredict.execute($$SET 'k'$$);
SELECT * FROM mlpredict.execute($$SET 'k' = $$);
SELECT * FROM mlpredict.execute($$USE$$);
SELECT * FROM mlpredict.execute($$USE CATALOG a b$$);
SELECT mlpredict.translate($$SET 'sql.local-time-zone' = 'UTC'; USE CATALOG c$$);

DROP EXTENSION mlpredict CASCADE;
