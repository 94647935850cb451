# HTTP/2 multiplexing and connection reuse over TLS, against nginx with a
# self-signed certificate made here and trusted through mlpredict.ca_bundle
# (the system's store knows nothing of it, so the calls succeed only if the
# setting is applied).  nginx answers every request at once with a fixed
# OpenAI chat completion and logs each request's $connection serial, so the
# test counts the TCP connections each query opened:
#   - HTTP/2: a query with many requests in flight multiplexes them over
#     a few connections, never one per request in flight, also when nginx
#     closes a connection after 1000 requests (GOAWAY), and a second query
#     reuses the kept connections, through the pool worker and through the
#     in-backend engine (both queries in one session: the in-backend engine
#     lives as long as its backend);
#   - TLS HTTP/1.1: a second query reuses the first one's connections;
#   - with another CA bundle, the certificate is refused.
# Skipped (with the reason) where nginx or openssl is not installed
# (scripts/install-deps.sh installs both).
use strict;
use warnings;

use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MlpredictTest;

my $nginx = (grep { -x $_ } map { "$_/nginx" } split(/:/, $ENV{PATH} // ''),
	'/usr/sbin', '/usr/local/sbin')[0];
plan skip_all => 'nginx is not installed (scripts/install-deps.sh installs it)'
  unless $nginx;
plan skip_all => 'openssl is not installed' if system('openssl version >/dev/null 2>&1') != 0;

my $rows = 1500;
my $inflight = 64;

my $dir = PostgreSQL::Test::Utils::tempdir('nginx');
make_path("$dir/logs");
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
	'-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
	'-keyout', "$dir/key.pem", '-out', "$dir/cert.pem") == 0
  or die "openssl could not make a certificate";
system('openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 '
	  . "-keyout $dir/stray-key.pem -out $dir/stray.pem >/dev/null 2>&1") == 0
  or die "openssl could not make a second certificate";
chmod 0644, "$dir/cert.pem", "$dir/key.pem", "$dir/stray.pem";

my $h2_port = PostgreSQL::Test::Cluster::get_free_port();
my $h1_port = PostgreSQL::Test::Cluster::get_free_port();
my $answer = '{"id":"chatcmpl-t","object":"chat.completion","created":1,"model":"gpt-4o-mini",'
  . '"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],'
  . '"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}';
# nginx's defaults for HTTP/2 are kept (128 concurrent streams, a new
# connection after 1000 requests), as a provider's would be.
open(my $conf, '>', "$dir/nginx.conf") or die;
print $conf <<"NGINX";
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
	log_format conn '\$server_port \$connection';
	access_log $dir/logs/access.log conn;
	# every temporary path (Debian compiles in /var/lib/nginx/..., which an
	# unprivileged user cannot create)
	client_body_temp_path $dir/tmp_body;
	proxy_temp_path $dir/tmp_proxy;
	fastcgi_temp_path $dir/tmp_fastcgi;
	uwsgi_temp_path $dir/tmp_uwsgi;
	scgi_temp_path $dir/tmp_scgi;
	ssl_certificate $dir/cert.pem;
	ssl_certificate_key $dir/key.pem;
	server {
		listen 127.0.0.1:$h2_port ssl http2;
		listen 127.0.0.1:$h1_port ssl;
		location / {
			default_type application/json;
			return 200 '$answer';
		}
	}
}
NGINX
close($conf);
my $nginx_h = IPC::Run::start([ $nginx, '-p', $dir, '-c', "$dir/nginx.conf",
	'-g', 'daemon off;' ], '>', "$dir/logs/stdout", '2>', "$dir/logs/stderr");
END { $nginx_h->kill_kill if $nginx_h; }
for (1 .. 100)
{
	last if -s "$dir/nginx.pid";
	select(undef, undef, undef, 0.1);
}
ok(-s "$dir/nginx.pid", 'nginx started') or BAIL_OUT('nginx did not start: '
	  . slurp_file("$dir/logs/error.log"));

# new_connections($port, $from, $to): how many connection serials of
# $port the access log has between bytes $from and $to and not before.
sub new_connections
{
	my ($port, $from, $to) = @_;
	open(my $fh, '<', "$dir/logs/access.log") or return 0;
	my (%old, %new);
	my $at = 0;
	while (my $line = <$fh>)
	{
		$at += length($line);
		last if $at > $to;
		my ($p, $c) = split(' ', $line);
		next unless $p eq $port;
		if ($at <= $from) { $old{$c} = 1; }
		elsif (!$old{$c}) { $new{$c} = 1; }
	}
	return scalar(keys %new);
}

# two_queries($node, $model): the same query twice in one session (the
# in-backend engine lives as long as its backend), with the access log's
# size before, between and after; returns (rows answered by each, the log
# offsets).
sub two_queries
{
	my ($node, $model) = @_;
	my $size = qq{SELECT pg_sleep(0.3), (pg_stat_file('$dir/logs/access.log')).size};
	my $query = qq{SELECT count(*) FROM generate_series(1, $rows) g,
	LATERAL $model('q ' || g, mlpredict.options(max_parallelism => $inflight)) c
	WHERE c.answer = 'ok'};
	my $out = $node->safe_psql('postgres', "$size; $query; $size; $query; $size",
		extra_params => [ '-F', ' ' ]);
	my @lines = split(/\n/, $out);
	my @sizes = map { (split(' ', $_))[-1] } @lines[ 0, 2, 4 ];
	return ([ @lines[ 1, 3 ] ], \@sizes);
}

for my $preload (1, 0)
{
	my $how = $preload ? 'pool worker' : 'in-backend engine';
	my $node = new_node($preload ? 'h2pool' : 'h2local', { preload => $preload },
		"mlpredict.ca_bundle = '$dir/cert.pem'",
		'mlpredict.max_connections = 256',
		'mlpredict.max_session_share = 100');
	$node->safe_psql('postgres', qq{
CREATE EXTENSION mlpredict;
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION h2 WITH ('type' = 'openai', 'endpoint' = 'https://127.0.0.1:$h2_port/v1/chat/completions', 'api-key' = 'sk-test')\$\$);
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION h1 WITH ('type' = 'openai', 'endpoint' = 'https://127.0.0.1:$h1_port/v1/chat/completions', 'api-key' = 'sk-test')\$\$);
SELECT * FROM mlpredict.execute(\$\$CREATE MODEL chat2 INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'h2')\$\$);
SELECT * FROM mlpredict.execute(\$\$CREATE MODEL chat1 INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'h1')\$\$);
});

	# HTTP/2: each query multiplexes its requests.  nginx closes a
	# connection after 1000 requests (a GOAWAY, as providers recycle
	# theirs); the requests started while the next one is set up must wait
	# for it (at most 4 connections per host while the answers come over
	# HTTP/2: http_engine.c) instead of opening one connection each.  So
	# at most 1 + 4 per 1000 requests (begun) a query, never one per
	# request in flight; the second query mostly reuses the first's.
	my $bound = 1 + 4 * (int($rows / 1000) + 1);
	my ($answered, $sizes) = two_queries($node, 'chat2');
	is_deeply($answered, [ $rows, $rows ], "$how, HTTP/2: every row of both queries answered");
	for my $q (1, 2)
	{
		my $opened = new_connections($h2_port, $sizes->[ $q - 1 ], $sizes->[$q]);
		cmp_ok($opened, '<=', $bound,
			"$how, HTTP/2: query $q with $inflight in flight multiplexes ($opened connections opened, at most $bound)");
	}

	# TLS HTTP/1.1: the second query reuses the first one's connections.
	($answered, $sizes) = two_queries($node, 'chat1');
	is_deeply($answered, [ $rows, $rows ], "$how, TLS HTTP/1.1: every row of both queries answered");
	my $second = new_connections($h1_port, $sizes->[1], $sizes->[2]);
	cmp_ok($second, '<=', 2,
		"$how, TLS HTTP/1.1: a second query reuses the kept connections ($second opened)");

	# The certificate is trusted only through mlpredict.ca_bundle: with
	# another CA bundle, the calls fail verification (after a reload, for
	# new connections).
	if ($preload)
	{
		$node->safe_psql('postgres', qq{ALTER SYSTEM SET mlpredict.ca_bundle = '$dir/stray.pem'; SELECT pg_reload_conf()});
		sleep 1;
		my ($rc, $out, $err) = $node->psql('postgres', qq{
SELECT count(*) FROM generate_series(1, 3) g,
	LATERAL chat1('fresh ' || g, mlpredict.options(max_parallelism => 1)) c});
		# kept-alive connections may still answer; a fresh one must not
		$node->restart;
		($rc, $out, $err) = $node->psql('postgres', qq{
SELECT answer FROM chat1('after restart')});
		isnt($rc, 0, 'with another CA bundle the self-signed certificate is refused');
		like($err, qr/certificate|SSL|TLS/i, 'the error names the certificate problem');
	}
	$node->stop;
}

done_testing();
