# Token counts a provider's answer reports are the provider's word only:
# a hostile or broken Bedrock endpoint answers with negative or 2^63-1
# x-amzn-bedrock-*-token-count headers, or a Titan answer of 10000 results
# of 10^15 tokens each (summed over /results/*/tokenCount).  Before, the
# statistics took the negative counts, took 2^63-1, and the sum overflowed
# int64 to a negative number (and the pool worker's prompt + completion of
# two 2^63-1 overflowed).  Now a count outside 0..10^15 is not a count (the
# body's usage is read instead) and sums stop at 10^15.  The endpoint is a
# small answering server of this test's own (the stand-in computes its
# counts), reached through the pool.  It also sends the counts as a header
# name in capitals with blanks around its value and a folded line: the
# pool worker takes the header lines apart itself (http_transfer.c).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use MlpredictTest;

# The answering server: every POST gets a Titan text answer with
# inputTextTokenCount 3 and one result of 2 tokens, plus what the prompt
# asks for: "negative" and "huge" headers, "many" results.
my $dir = PostgreSQL::Test::Utils::tempdir('usage');
my $server = <<'PY';
import http.server, json, sys

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        prompt = json.loads(body).get("inputText", "")
        results = [{"tokenCount": 2, "outputText": "ok", "completionReason": "FINISH"}]
        headers = {}
        if "negative" in prompt:
            headers = {"x-amzn-bedrock-input-token-count": "-1000000",
                       "x-amzn-bedrock-output-token-count": "-5"}
        elif "huge" in prompt:
            headers = {"x-amzn-bedrock-input-token-count": "9223372036854775807",
                       "x-amzn-bedrock-output-token-count": "9223372036854775807"}
        elif "folded" in prompt:
            # a name in capitals, blanks around the value, a folded line
            self.send_response(200)
            self._headers_buffer.append(b"X-Amzn-Bedrock-Input-Token-Count :   7  \r\n")
            self._headers_buffer.append(b"x-amzn-bedrock-output-token-count:\r\n\t 4 \r\n")
        elif "many" in prompt:
            results = [{"tokenCount": 10**15, "outputText": "ok", "completionReason": "FINISH"}] * 10000
        out = json.dumps({"inputTextTokenCount": 3, "results": results}).encode()
        if "folded" not in prompt:
            self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(out)

s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
open(my $fh, '>', "$dir/server.py") or die "server.py: $!";
print $fh $server;
close $fh;
my $python = $ENV{STANDIN_PYTHON} || '/usr/bin/python3';
$python = 'python3' unless -x $python;
my ($out, $err) = ('', '');
my $h = IPC::Run::start([ $python, "$dir/server.py", "$dir/port" ],
	'<', \undef, '>', \$out, '2>', \$err);
my $deadline = time + 30;
until (-s "$dir/port")
{
	$h->pump_nb;
	BAIL_OUT("the answering server did not start: $err")
	  if time > $deadline || !$h->pumpable;
	usleep(50_000);
}
my $port = slurp_file("$dir/port");
END
{
	# keep the test's exit status: stopping must not change $?
	my $rc = $?;
	$h->kill_kill(grace => 2) if $h && $h->pumpable;
	$? = $rc;
}

my $node = new_node('usage', { preload => 1 });
$node->safe_psql('postgres', qq{
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('hostile', jsonb_build_object('type', 'bedrock',
  'endpoint', 'http://127.0.0.1:$port/model/amazon.titan-text-express-v1/invoke',
  'aws-region', 'us-east-1', 'aws-access-key', 'AKIAMLPREDICTTEST01',
  'aws-secret-key', 'mlpredict+test/Secret/Key0123456789abcdefGH',
  'tokens_per_minute', '1000000'));
SELECT mlpredict.create_model(m, 'prompt STRING', 'answer STRING',
  '{"provider": "bedrock", "task": "text_generation", "bedrock.connection": "hostile"}')
FROM unnest(ARRAY['plain', 'negative', 'huge', 'folded', 'many']) m;
});

# ("many" goes last: its 10^15 tokens leave the connection's token budget
# empty for a minute)
for my $m (qw(plain negative huge folded many))
{
	is($node->safe_psql('postgres', "SELECT answer FROM $m('say $m')"),
		'ok', "the $m answer decodes");
}
my $stats = $node->safe_psql('postgres', q{
SELECT string_agg(format('%s %s %s', split_part(model, '.', 2), prompt_tokens, completion_tokens), E'\n' ORDER BY model)
FROM mlpredict.stat_models WHERE connection = 'hostile'});
is($stats, join("\n",
	'folded 7 4',
	'huge 3 2',
	'many 3 1000000000000000',
	'negative 3 2',
	'plain 3 2'),
	'token counts outside 0..10^15 are ignored and sums stop at 10^15; header names are case-blind, values trimmed, a folded line joined');

# the connection's totals are the sums of its models' bounded counts
is($node->safe_psql('postgres', q{
SELECT format('%s %s', prompt_tokens, completion_tokens)
FROM mlpredict.stat_connections WHERE connection = 'hostile'}),
	'19 1000000000000010', 'the connection totals add up the bounded counts');

$node->stop;
done_testing();
