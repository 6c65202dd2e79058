/**
 * The contract between the harness, the servers and the clients: the arms table (arms.ts), the error kinds
 * (errors.ts), the server and client shapes (server.ts, client.ts) and the TLS parameters both ends share (tls.ts).
 * It imports nothing else of the project.
 */

export * from "./arms.ts";
export * from "./errors.ts";
export * from "./server.ts";
export * from "./client.ts";
export * from "./tls.ts";
export * from "./exchange.ts";
