/**
 * nginx as a server to measure against (issue 12's reference arms): the config that makes it answer the workload's
 * POST with a fixed body of `responseBytes`, over HTTP/1.1 kept alive or closed per request, h2c (prior knowledge)
 * or h2 (TLS with the run's certificate), and the command that runs it in the foreground with that config alone.
 *
 * `nginxConfig` and `nginxCommand` are pure; `writeNginxSite` writes the files, and bench/run/foreign-server.ts
 * starts and stops the command. Written for nginx 1.22 (Debian bookworm's nginx-light: `listen … http2`, not 1.25's
 * `http2 on`).
 *
 * The answer is a static file, as nginx serves bodies of any size only from files; nginx refuses POST to a static
 * file with 405, so `error_page 405 =200 $uri` serves it anyway. The request body is read and discarded. A foreign
 * server cannot echo the sequence number: its answers are checked by size (issue 12), which the result says.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UNARY_PATH } from "../../proto/codec.ts";

export type NginxMode = "http1" | "http1-close" | "h2c" | "h2";

export interface NginxSite {
  readonly mode: NginxMode;
  /** Where it listens: the server namespace's address, or loopback. */
  readonly host: string;
  readonly port: number;
  /** The run's directory for it ({dir}): config, pid file, temp paths, the answer file, the TLS files. */
  readonly dir: string;
  /** The largest request body accepted, bytes. */
  readonly maxRequestBytes: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, as our h2 server is given it. */
  readonly maxConcurrentStreams: number;
}

/** Files the config names, relative to the site's directory. */
export const NGINX_FILES = {
  config: "nginx.conf",
  answerDir: "www",
  /** The answer, served at UNARY_PATH under answerDir. */
  answer: `www${UNARY_PATH}`,
  certificate: "cert.pem",
  key: "key.pem",
} as const;

/** The listen directive's flags for a mode. */
function listenFlags(mode: NginxMode): string {
  switch (mode) {
    case "http1":
    case "http1-close":
      return "";
    case "h2c":
      return " http2";
    case "h2":
      return " ssl http2";
  }
}

/** An IPv6 address needs brackets in `listen`. */
function listenAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The config text. Every path is under `site.dir`, so nothing of the system's nginx is read or written. */
export function nginxConfig(site: NginxSite): string {
  const { dir } = site;
  // keepalive_timeout 0 closes each connection after its answer, as servers/http1 does for http1-close.
  const keepAlive = site.mode === "http1-close" ? "keepalive_timeout 0;" : "keepalive_timeout 60s;\n    keepalive_requests 1000000;";
  const tls =
    site.mode === "h2"
      ? `\n      ssl_certificate ${dir}/${NGINX_FILES.certificate};\n      ssl_certificate_key ${dir}/${NGINX_FILES.key};\n      ssl_protocols TLSv1.2 TLSv1.3;`
      : "";
  return `# Written by wirecost for one scenario (bench/run/nginx.ts).
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/x-protobuf;
  server {
    listen ${listenAddress(site.host, site.port)}${listenFlags(site.mode)};${tls}
    ${keepAlive}
    http2_max_concurrent_streams ${site.maxConcurrentStreams};
    client_max_body_size ${site.maxRequestBytes};
    client_body_buffer_size ${site.maxRequestBytes};
    root ${dir}/${NGINX_FILES.answerDir};
    location = ${UNARY_PATH} {
      error_page 405 =200 $uri;
    }
  }
}
`;
}

/** The command: nginx in the foreground, with this config alone (`-e` keeps it off the system's error log too). */
export function nginxCommand(dir: string, nginx = "nginx"): string[] {
  return [nginx, "-p", `${dir}/`, "-c", `${dir}/${NGINX_FILES.config}`, "-e", "stderr", "-g", "daemon off; master_process on;"];
}

/**
 * Writes the site's files: the config, the answer, and for h2 the run's certificate and key. The directory and the
 * answer are readable by all, as nginx's workers run as `nobody` when its master is root; the key is the master's
 * alone (it reads it before it starts the workers).
 */
export function writeNginxSite(site: NginxSite, answer: Uint8Array, tls?: { readonly certPem: string; readonly keyPem: string }): void {
  const { dir } = site;
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, NGINX_FILES.config), nginxConfig(site), { mode: 0o644 });
  const answerPath = join(dir, NGINX_FILES.answer);
  mkdirSync(dirname(answerPath), { recursive: true, mode: 0o755 });
  writeFileSync(answerPath, answer, { mode: 0o644 });
  if (site.mode !== "h2") return;
  if (tls === undefined) throw new TypeError("nginx h2 needs the run's certificate and key");
  writeFileSync(join(dir, NGINX_FILES.certificate), tls.certPem, { mode: 0o644 });
  writeFileSync(join(dir, NGINX_FILES.key), tls.keyPem, { mode: 0o600 });
}
