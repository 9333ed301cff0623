import { CliEnvironment, Connection, resolveConnection } from './cli.config';
import { GatewayClient } from './gateway.client';
import { Output, outputFormat } from './output';

/** The global options every command takes. */
export interface GlobalOptions {
  output?: string;
  profile?: string;
}

/** What a command needs: where to write, and (on demand, since `login` has none yet) the gateway. */
export class CliContext {
  readonly output: Output;
  private connection: Connection | null = null;

  constructor(
    readonly environment: CliEnvironment,
    private readonly options: GlobalOptions,
    /** Resolves on Ctrl-C. */
    readonly interrupted: Promise<void>,
  ) {
    this.output = new Output(outputFormat(options.output, Boolean(process.stdout.isTTY)), {
      isColorAllowed: environment.isColorAllowed,
    });
  }

  async connect(): Promise<{ connection: Connection; client: GatewayClient }> {
    this.connection ??= await resolveConnection(this.environment, this.options.profile);
    return { connection: this.connection, client: new GatewayClient(this.connection) };
  }
}
