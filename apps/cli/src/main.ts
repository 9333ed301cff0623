// The contracts' DTOs carry class-transformer decorators, which need the metadata API at load.
import 'reflect-metadata';
import { Command, CommanderError, Option } from 'commander';
import {
  agentsCommand,
  createKeyCommand,
  listKeysCommand,
  queuesCommand,
  revokeKeyCommand,
  workersCommand,
} from './admin.commands';
import { breakersCommand, resetBreakerCommand } from './breakers.commands';
import { budgetCommand, setBudgetCommand } from './budgets.commands';
import { bulkCommand, bulkStatusCommand } from './bulk.commands';
import { CliContext, GlobalOptions } from './cli-context';
import { CliError, ExitCode } from './cli-error';
import { readEnvironment } from './cli.config';
import { loginCommand, logoutCommand, profilesCommand } from './login.commands';
import { OUTPUT_FORMATS } from './output';
import { approveCommand, controlCommand, rejectCommand } from './workflow-control.commands';
import { diffCommand, replayCommand } from './workflow-replay.commands';
import {
  cancelCommand,
  getCommand,
  listCommand,
  logsCommand,
  retryCommand,
  startCommand,
  watchCommand,
} from './workflow.commands';

const ENVIRONMENT_HELP = `
Environment:
  AO_URL, AO_KEY   the gateway and API key, over the profile's
  AO_PROFILE       the profile to use (default: the last one logged in to)
  AO_CONFIG_DIR    where profiles.json is kept (default: $XDG_CONFIG_HOME/ao or ~/.config/ao)
  NO_COLOR         no colours

Exit codes:
  0 done; 1 the workflow did not complete; 2 wrong arguments or an invalid request; 3 no API key;
  4 gateway unreachable; 5 key refused or not allowed; 6 no such workflow; 7 conflict (already
  ended, not FAILED); 8 gateway error; 130 interrupted (the workflow goes on)`;

/** `ao`: the agent orchestrator from the command line, through the gateway's REST and Socket.IO. */
function program(run: (action: (context: CliContext) => Promise<ExitCode>) => Promise<void>): Command {
  const ao = new Command('ao')
    .description('Start, follow and manage agent workflows through the gateway.')
    .addOption(
      new Option('-o, --output <format>', 'table (terminal), plain (otherwise), json or jsonl').choices(
        OUTPUT_FORMATS,
      ),
    )
    .option('--profile <name>', 'the saved profile to use (see ao profiles)')
    .addHelpText('after', ENVIRONMENT_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`ao: ${text.split('\n')[0].replace(/^error: /, '')}\n`),
    });

  ao.command('login')
    .description('check an API key against a gateway and save it as a profile (0600)')
    .option('--url <url>', 'the gateway (default: AO_URL or http://127.0.0.1:3000)')
    .option('--key <key>', 'the API key (default: AO_KEY, else read from stdin)')
    .option('--tenant <tenant>', 'the key’s tenant, part of the profile’s name')
    .action((options: { url?: string; key?: string; tenant?: string }) =>
      run((context) => loginCommand(context, { ...options, profile: ao.opts<GlobalOptions>().profile })),
    );
  ao.command('logout')
    .description('forget a profile (the current one)')
    .action(() => run((context) => logoutCommand(context, { profile: ao.opts<GlobalOptions>().profile })));
  ao.command('profiles')
    .description('the saved profiles')
    .action(() => run((context) => profilesCommand(context)));

  ao.command('start')
    .description('start a workflow; prints its id, or with --wait/--watch, how it ended')
    .argument('<type>', 'the workflow type, e.g. CREATE_SITE')
    .option('-r, --request <text>', 'the input’s request (what CREATE_SITE builds)')
    .option('-i, --input <json>', 'the whole input as a JSON object (--request is merged in)')
    .option('--preferences <json>', 'preferences as a JSON object')
    .option('--session <id>', 'the session (memory is kept per session; default: a new one)')
    .option('-w, --wait', 'wait for the end: exit 0 on COMPLETED, 1 otherwise')
    .option('--watch', 'show the steps live until the end (exits as --wait)')
    .action((type: string, options: Parameters<typeof startCommand>[2]) =>
      run((context) => startCommand(context, type, options)),
    );
  ao.command('watch')
    .description('the steps of a workflow, live, until it ends (Ctrl-C leaves it running)')
    .argument('<id>', 'the workflow id')
    .action((id: string) => run((context) => watchCommand(context, id)));
  ao.command('logs')
    .description('a workflow’s log lines')
    .argument('<id>', 'the workflow id')
    .option('-f, --follow', 'stream them until the workflow ends')
    .option('--level <level>', 'this level and above: debug, info, warning, error')
    .action((id: string, options: { follow?: boolean; level?: string }) =>
      run((context) => logsCommand(context, id, options)),
    );
  withWorkflowFilters(
    ao.command('list').description('workflows, newest first'),
    'PENDING, RUNNING, WAITING, PAUSED, COMPLETED, FAILED or CANCELLED',
  )
    .option('--limit <n>', '1 to 100 (default 20)')
    .option('--cursor <cursor>', 'the next page, as the previous one said')
    .action((options: Parameters<typeof listCommand>[1]) => run((context) => listCommand(context, options)));
  ao.command('get')
    .description('a workflow’s state and steps')
    .argument('<id>', 'the workflow id')
    .action((id: string) => run((context) => getCommand(context, id)));
  ao.command('cancel')
    .description('cancel a workflow')
    .argument('<id>', 'the workflow id')
    .action((id: string) => run((context) => cancelCommand(context, id)));
  ao.command('retry')
    .description('resume a FAILED workflow from the step that failed')
    .argument('<id>', 'the workflow id')
    .option('-w, --wait', 'wait for the end')
    .option('--watch', 'show the steps live until the end')
    .action((id: string, options: { wait?: boolean; watch?: boolean }) =>
      run((context) => retryCommand(context, id, options)),
    );
  ao.command('replay')
    .description('start a new workflow that runs again from a step, reusing the outputs before it')
    .argument('<id>', 'the workflow to replay')
    .argument('<step>', 'the first step to run again')
    .option('-i, --input <json>', 'a JSON object whose fields replace those of the input')
    .option('-w, --wait', 'wait for the end: exit 0 on COMPLETED, 1 otherwise')
    .option('--watch', 'show the steps live until the end (exits as --wait)')
    .action((id: string, step: string, options: { input?: string; wait?: boolean; watch?: boolean }) =>
      run((context) => replayCommand(context, id, step, options)),
    );
  ao.command('diff')
    .description('two workflows step by step: outputs changed or not, durations, tokens, reuse')
    .argument('<id>', 'a workflow')
    .argument('<other>', 'the workflow to compare it with')
    .action((id: string, other: string) => run((context) => diffCommand(context, id, other)));
  withWorkflowFilters(
    ao
      .command('bulk')
      .description('cancel, retry or replay many workflows, by ids or by the filters of list')
      .argument('<action>', 'cancel, retry or replay')
      .option('--ids <ids>', 'workflow ids, comma-separated'),
    'a status',
  )
    .option('--from-step <step>', 'the step each replay starts from (replay)')
    .option('-w, --wait', 'wait for the end: exit 0 unless the action failed for some workflow')
    .action((action: string, options: Parameters<typeof bulkCommand>[2]) =>
      run((context) => bulkCommand(context, action, options)),
    );
  ao.command('bulk-status')
    .description('how far a bulk action has come')
    .argument('<job>', 'the job id bulk printed')
    .action((job: string) => run((context) => bulkStatusCommand(context, job)));
  ao.command('approve')
    .description('approve a step that waits for approval; the workflow goes on')
    .argument('<id>', 'the workflow id')
    .argument('<step>', 'the approval step')
    .option('--payload <json>', 'a JSON object: the step’s output (an edited plan, say)')
    .option('--comment <text>', 'why, logged with the decision')
    .action((id: string, step: string, options: { payload?: string; comment?: string }) =>
      run((context) => approveCommand(context, id, step, options)),
    );
  ao.command('reject')
    .description('reject a step that waits for approval; the workflow ends FAILED')
    .argument('<id>', 'the workflow id')
    .argument('<step>', 'the approval step')
    .option('--comment <text>', 'why, part of the workflow’s error')
    .action((id: string, step: string, options: { comment?: string }) =>
      run((context) => rejectCommand(context, id, step, options)),
    );
  ao.command('pause')
    .description('pause a workflow: no step starts until it is resumed')
    .argument('<id>', 'the workflow id')
    .action((id: string) => run((context) => controlCommand(context, id, 'pause')));
  ao.command('resume')
    .description('resume a PAUSED workflow')
    .argument('<id>', 'the workflow id')
    .action((id: string) => run((context) => controlCommand(context, id, 'resume')));

  ao.command('agents')
    .description('the agents served, by version')
    .action(() => run((context) => agentsCommand(context)));
  ao.command('workers')
    .description('the agent workers')
    .action(() => run((context) => workersCommand(context)));
  ao.command('queues')
    .description('the queues’ job counts (admin)')
    .action(() => run((context) => queuesCommand(context)));
  const breakers = ao.command('breakers').description('the dependencies’ circuit breakers (admin)');
  breakers
    .command('list', { isDefault: true })
    .description('every breaker some worker used: state, failures, open until, last transition')
    .action(() => run((context) => breakersCommand(context)));
  breakers
    .command('reset')
    .description('close a breaker for every worker')
    .argument('<dependency>', 'e.g. http:api.example.com or llm:openai:gpt-4o-mini')
    .action((dependency: string) => run((context) => resetBreakerCommand(context, dependency)));
  const budgets = ao.command('budgets').description('token and cost budgets (admin)');
  budgets
    .command('get')
    .description('a budget in force and what was spent against it (today, for a tenant or an agent)')
    .argument('<scope>', 'workflows, tenants or agents')
    .argument('<subject>', 'the workflow id, tenant id or agent name')
    .action((scope: string, subject: string) => run((context) => budgetCommand(context, scope, subject)));
  budgets
    .command('set')
    .description('replace a budget: a limit left out is the default again; the steps it held ask again')
    .argument('<scope>', 'workflows, tenants or agents')
    .argument('<subject>', 'the workflow id, tenant id or agent name')
    .option('--tokens <tokens>', 'prompt plus completion tokens, or none')
    .option('--cost-usd <usd>', 'US dollars, or none')
    .action((scope: string, subject: string, options: { tokens?: string; costUsd?: string }) =>
      run((context) => setBudgetCommand(context, scope, subject, options)),
    );
  const keys = ao.command('keys').description('API keys (admin)');
  keys
    .command('list', { isDefault: true })
    .description('the API keys')
    .option('--tenant <tenant>', 'only this tenant’s')
    .action((options: { tenant?: string }) => run((context) => listKeysCommand(context, options)));
  keys
    .command('create')
    .description('create a key; it is printed once')
    .requiredOption('--tenant <tenant>', 'its tenant')
    .requiredOption('--role <role>', 'admin or client')
    .option('--name <name>', 'who holds it')
    .action((options: { tenant: string; role: string; name?: string }) =>
      run((context) => createKeyCommand(context, options)),
    );
  keys
    .command('revoke')
    .description('revoke a key')
    .argument('<id>', 'the key id')
    .action((id: string) => run((context) => revokeKeyCommand(context, id)));
  return ao;
}

/** The filters of `list` and `bulk`; each command says in its own words what --status takes. */
function withWorkflowFilters(command: Command, statusHelp: string): Command {
  return command
    .option('--status <status>', statusHelp)
    .option('--type <type>', 'a workflow type')
    .option('--tenant <tenant>', 'a tenant (admin keys)')
    .option('--search <text>', 'text in the input or the error, ignoring case')
    .option('--from <time>', 'created at or after this ISO-8601 time')
    .option('--to <time>', 'created before this ISO-8601 time');
}

async function main(argv: string[]): Promise<ExitCode> {
  let exitCode = ExitCode.Ok;
  const interrupted = new Promise<void>((resolve) =>
    process.once('SIGINT', () => {
      resolve();
      // A command that does not follow a workflow has nothing to say: end it as Ctrl-C would.
      setTimeout(() => process.exit(ExitCode.Interrupted), 2_000).unref();
    }),
  );
  const ao = program(async (action) => {
    const context = new CliContext(readEnvironment(), ao.opts<GlobalOptions>(), interrupted);
    exitCode = await action(context);
  });
  try {
    await ao.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end "with an error" too, with code 0.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`ao: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`ao: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.GatewayError;
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
  // Sockets and timers of an interrupted watch must not keep the process alive.
  setImmediate(() => process.exit(code));
});
