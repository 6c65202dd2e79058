/**
 * A foreign server's command line (bench/run/foreign-server.ts): the run's values put in for its placeholders. Here,
 * below both, so the config can refuse a typo before anything runs (bench/config/user-servers.ts) with the same
 * words the run would use. Pure.
 */

/** What the command line may name; each is replaced wherever it appears in an argument. */
export interface Placeholders {
  /** The address the server must listen on: the server namespace's, or loopback. */
  readonly host: string;
  readonly port: number;
  /** A directory of this run's that the harness made and removes: for a config file, a pid file, logs. */
  readonly dir: string;
}

const PLACEHOLDER = /\{([a-z]+)\}/g;

/** The command with `{host}`, `{port}` and `{dir}` filled in; throws naming any other `{name}`, which is a typo. */
export function fillPlaceholders(command: readonly string[], values: Placeholders): string[] {
  const known: Record<string, string> = { host: values.host, port: String(values.port), dir: values.dir };
  return command.map((arg) =>
    arg.replace(PLACEHOLDER, (whole: string, name: string) => {
      const value = known[name];
      if (value === undefined) throw new RangeError(`unknown placeholder ${whole} in ${JSON.stringify(arg)}; the command may use {host}, {port} and {dir}`);
      return value;
    }),
  );
}
