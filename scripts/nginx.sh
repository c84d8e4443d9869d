#!/usr/bin/env bash
# A throwaway nginx as an HTTP/2 reverse proxy, for tests and the detection
# matrix: never the system service, never stopped by name.
#
#   scripts/nginx.sh start DIR UPSTREAM
#       UPSTREAM is the target's base URL (http://127.0.0.1:PORT). Makes, with
#       the openssl CLI, a CA, a server certificate for localhost and 127.0.0.1
#       signed by it, a second certificate for another name (served to clients
#       that send no SNI for localhost) and a client certificate for mTLS, all
#       in DIR/pki; writes DIR/nginx.conf (pid file, logs and every temp path
#       inside DIR); starts nginx on free 127.0.0.1 ports and prints eval-able
#       lines:
#         NGINX_H2_URL=https://localhost:P     h2 by ALPN (TLS), server_name localhost
#         NGINX_H2C_URL=http://127.0.0.1:Q     h2c, prior knowledge (no TLS)
#         NGINX_MTLS_URL=https://localhost:R   h2, TLS with a required client certificate
#         NGINX_WRONG_NAME_URL=https://127.0.0.1:P  the same port without SNI for
#                                              localhost: a certificate for another name
#         NGINX_CA=DIR/pki/ca.pem  NGINX_CLIENT_CERT=...  NGINX_CLIENT_KEY=...
#         NGINX_PID=N
#   scripts/nginx.sh stop DIR
#       stops that nginx by the pid in DIR/nginx.pid (TERM, then KILL after 5 s)
#       and deletes DIR.
#
# Needs nginx-light (or any nginx with the http2 and ssl modules; scripts/setup.sh
# --with nginx) and openssl.
set -euo pipefail
. "$(dirname "$0")/pid_running.sh"

NGINX=${NGINX:-/usr/sbin/nginx}

die() { echo "nginx.sh: $*" >&2; exit 2; }

# Three distinct free 127.0.0.1 ports, one python start (they are seconds on a busy machine).
free_ports() {
  python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))'
}

# make_cert NAME SUBJECT_CN SAN [clientAuth]: a key and a certificate signed by the CA.
make_cert() {
  local pki=$1 name=$2 cn=$3 san=$4 usage=${5:-serverAuth}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$pki/$name.key" \
    -subj "/CN=$cn" -out "$pki/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$san" "$usage" > "$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 2 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.pem" 2>/dev/null
}

make_pki() {
  local pki=$1
  mkdir -p "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$pki/ca.key" \
    -subj "/CN=racecheck test CA" -days 2 -sha256 -out "$pki/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  make_cert "$pki" server localhost "DNS:localhost"
  make_cert "$pki" wrong-name wrong.invalid "DNS:wrong.invalid"
  make_cert "$pki" client "racecheck client" "DNS:racecheck-client" clientAuth
}

write_conf() {
  local dir=$1 upstream=$2 h2_port=$3 h2c_port=$4 mtls_port=$5
  local user_line=""
  # As root nginx would switch its workers to "nobody", who cannot read DIR.
  [ "$(id -u)" -ne 0 ] || user_line="user root;"
  cat > "$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  upstream target { server ${upstream#http://}; keepalive 64; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  # A client that abandons a request it sent in full (racecheck's lost
  # responses) must not cancel it upstream: the target still runs it, as it
  # would without a proxy.
  proxy_ignore_client_abort on;
  ssl_protocols TLSv1.2 TLSv1.3;
  # Port $h2_port without SNI "localhost": a certificate for another name.
  server {
    listen 127.0.0.1:$h2_port ssl http2 default_server;
    server_name _;
    ssl_certificate $dir/pki/wrong-name.pem;
    ssl_certificate_key $dir/pki/wrong-name.key;
    location / { return 421; }
  }
  server {
    listen 127.0.0.1:$h2_port ssl http2;
    server_name localhost;
    ssl_certificate $dir/pki/server.pem;
    ssl_certificate_key $dir/pki/server.key;
    location / { proxy_pass http://target; }
  }
  server {
    listen 127.0.0.1:$h2c_port http2;
    location / { proxy_pass http://target; }
  }
  server {
    listen 127.0.0.1:$mtls_port ssl http2;
    server_name localhost;
    ssl_certificate $dir/pki/server.pem;
    ssl_certificate_key $dir/pki/server.key;
    ssl_client_certificate $dir/pki/ca.pem;
    ssl_verify_client on;
    location / { proxy_pass http://target; }
  }
}
CONF
}

start() {
  [ $# -eq 2 ] || die "usage: nginx.sh start DIR UPSTREAM (e.g. http://127.0.0.1:8080)"
  local dir=$1 upstream=$2
  [ -x "$NGINX" ] || die "no $NGINX: install nginx-light (scripts/setup.sh --with nginx)"
  command -v openssl >/dev/null || die "no openssl"
  case "$upstream" in http://*) ;; *) die "UPSTREAM must be http://HOST:PORT, got '$upstream'" ;; esac
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/nginx.pid" ] || die "$dir/nginx.pid exists: stop that nginx first or use a new DIR"
  mkdir -p "$dir/tmp"
  make_pki "$dir/pki" || die "openssl could not make the certificates in $dir/pki"
  local h2_port h2c_port mtls_port started=""
  # Another process may take a port between the check and nginx's bind: a few tries.
  for _ in 1 2 3 4 5; do
    read -r h2_port h2c_port mtls_port < <(free_ports)
    write_conf "$dir" "$upstream" "$h2_port" "$h2c_port" "$mtls_port"
    if "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>>"$dir/start.log"; then
      started=1
      break
    fi
  done
  [ -n "$started" ] || { tail -n 20 "$dir/start.log" "$dir/error.log" >&2 2>/dev/null; die "nginx did not start (see $dir/start.log)"; }
  for _ in $(seq 1 100); do [ -s "$dir/nginx.pid" ] && break; sleep 0.05; done
  [ -s "$dir/nginx.pid" ] || die "nginx wrote no $dir/nginx.pid"
  echo "NGINX_H2_URL=https://localhost:$h2_port"
  echo "NGINX_H2C_URL=http://127.0.0.1:$h2c_port"
  echo "NGINX_MTLS_URL=https://localhost:$mtls_port"
  echo "NGINX_WRONG_NAME_URL=https://127.0.0.1:$h2_port"
  echo "NGINX_CA=$dir/pki/ca.pem"
  echo "NGINX_CLIENT_CERT=$dir/pki/client.pem"
  echo "NGINX_CLIENT_KEY=$dir/pki/client.key"
  echo "NGINX_PID=$(cat "$dir/nginx.pid")"
}

stop() {
  [ $# -eq 1 ] || die "usage: nginx.sh stop DIR"
  local dir=$1 pid=""
  [ -d "$dir" ] || return 0
  [ -s "$dir/nginx.pid" ] && pid=$(cat "$dir/nginx.pid")
  if [ -n "$pid" ] && pid_running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 250); do pid_running "$pid" || break; sleep 0.02; done
    # nginx made itself a session leader: its group is its master and workers.
    if pid_running "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: nginx.sh start DIR UPSTREAM | nginx.sh stop DIR" ;;
esac
