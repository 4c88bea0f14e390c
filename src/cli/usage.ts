/** A usage problem: exit code 2 and the verb's help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a command writes; passed in so tests can run verbs in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly isTty: boolean;
  /** Where `canary serve` writes its log lines. */
  readonly logStream: NodeJS.WritableStream;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  isTty: process.stdout.isTTY === true,
  logStream: process.stdout,
};

/**
 * A problem with the environment the command runs in (a port in use, a folder that does not exist,
 * a bad `CANARY_LOG_LEVEL`): exit code 2 and this one line, without the help.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}
