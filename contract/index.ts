/**
 * The contract between the harness, the servers and the clients: the arms table (arms.ts), the error kinds
 * (errors.ts), and the server and client shapes (server.ts, client.ts). It imports nothing else of the project.
 */

export * from "./arms.ts";
export * from "./errors.ts";
export * from "./server.ts";
export * from "./client.ts";
