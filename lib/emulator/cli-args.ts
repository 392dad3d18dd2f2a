/**
 * Command-line parsing for `cognito-emulator`, pure so that it can be tested without a process.
 */

/** Parsed command line. */
export interface CliOptions {
  port: number;
  host: string;
  region: string;
  /** Path of a JSON seed file. */
  seedFile?: string;
  /** Data folder that keeps the state across restarts (`--data DIR`). */
  dataDir?: string;
  /** Module whose exports are Lambda trigger functions (`--triggers FILE`). */
  triggersFile?: string;
  /** Seed the demo pool. */
  demo: boolean;
  help: boolean;
}

/** The usage text. */
export const USAGE = `Usage: cognito-emulator [--port 9229] [--host 127.0.0.1] [--region us-east-1] [--seed pool.json] [--demo] [--data DIR]
                       [--triggers triggers.mjs]

  --port N      TCP port to listen on (0 = any free port; default 9229)
  --host H      interface to listen on (default 127.0.0.1)
  --region R    region of pool ids and ARNs (default us-east-1)
  --seed FILE   create pools, clients, groups and users from a JSON seed file
  --data DIR    keep all state in this folder across restarts; --seed and --demo apply only while it has none
  --triggers FILE  Lambda triggers: an ES or CommonJS module exporting functions by trigger name
                (PreSignUp, PreTokenGeneration…) or by the function name of a LambdaConfig ARN
  --demo        create the demo pool (users alice, bob with TOTP, carol with a temporary password)
  --help        print this text
`;

/** A command-line mistake: print the message and the usage, exit 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/**
 * Parses `argv` (without node and the script), accepting `--flag value` and `--flag=value`.
 *
 * @throws CliUsageError for an unknown flag, a missing value or a bad port.
 * @example
 * parseCliArgs(['--port', '0', '--demo']); // { port: 0, host: '127.0.0.1', region: 'us-east-1', demo: true, help: false }
 */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { port: 9229, host: '127.0.0.1', region: 'us-east-1', demo: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new CliUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) throw new CliUsageError(`--port must be an integer from 0 to 65535, not "${text}"`);
        options.port = port;
        break;
      }
      case '--host':
        options.host = value();
        break;
      case '--region': {
        const region = value();
        if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new CliUsageError(`--region must look like us-east-1, not "${region}"`);
        options.region = region;
        break;
      }
      case '--data':
        options.dataDir = value();
        break;
      case '--triggers':
        options.triggersFile = value();
        break;
      case '--seed':
        options.seedFile = value();
        break;
      case '--demo':
        if (inline !== undefined) throw new CliUsageError('--demo takes no value');
        options.demo = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new CliUsageError(`unknown argument "${arg}"`);
    }
  }
  return options;
}
