import { AgentLifecycle, WorkflowEvent, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import { Connection } from './cli.config';
import { GatewayClient } from './gateway.client';
import { LiveScreen, Output, table } from './output';
import { WorkflowEventStream, endsFrom } from './workflow-event.stream';
import { WorkflowView, formatDuration, siteAddress } from './workflow-view';

/** How a watch ended: the workflow's final status, or interrupted while it still runs. */
export interface WatchOutcome {
  status: WorkflowStatus;
  view: WorkflowView;
}

/**
 * Follows a workflow to its end. On a terminal, the graph of steps redrawn in place; otherwise a
 * plain line per change (a CI log); with `-o jsonl`, the events themselves; `-o json`, nothing
 * until the final state. `quiet` follows without showing the steps (`start --wait`).
 */
export async function watchWorkflow(options: {
  connection: Connection;
  client: GatewayClient;
  output: Output;
  workflowId: string;
  isQuiet?: boolean;
  /** The first event id whose end counts (default: from the history, see {@link endsFrom}). */
  endsFrom?: number;
  /** Set by Ctrl-C: stops following and leaves the workflow as it is. */
  interrupted?: Promise<void>;
}): Promise<WatchOutcome | null> {
  const { connection, client, output, workflowId } = options;
  const view = new WorkflowView(await client.get(workflowId));
  const firstEnd = options.endsFrom ?? endsFrom(await client.events(workflowId));
  const show = options.isQuiet ? new SilentDisplay() : displayFor(output, view);
  show.start();
  const stream = new WorkflowEventStream(connection, workflowId, firstEnd);
  try {
    const ended = stream.follow({
      onEvent: (event) => {
        view.apply(event);
        show.event(event);
      },
      onConnectionChange: (isReconnecting) => show.connection(isReconnecting),
    });
    const interrupted = options.interrupted?.then(() => null) ?? new Promise<null>(() => undefined);
    const outcome = await Promise.race([ended.then(() => ({ status: view.status, view })), interrupted]);
    show.stop();
    return outcome;
  } finally {
    stream.close();
  }
}

interface Display {
  start(): void;
  event(event: WorkflowEvent): void;
  connection(isReconnecting: boolean): void;
  stop(): void;
}

function displayFor(output: Output, view: WorkflowView): Display {
  if (output.format === 'jsonl') return new EventLines(output);
  if (output.format === 'json') return new SilentDisplay();
  return output.isLive ? new LiveGraph(output, view) : new PlainLines(output, view);
}

class SilentDisplay implements Display {
  start(): void {}
  event(): void {}
  connection(): void {}
  stop(): void {}
}

class EventLines implements Display {
  constructor(private readonly output: Output) {}
  start(): void {}
  event(event: WorkflowEvent): void {
    this.output.value(event);
  }
  connection(): void {}
  stop(): void {}
}

/** A line for each step's change of lifecycle and the workflow's end, for logs that cannot redraw. */
class PlainLines implements Display {
  constructor(
    private readonly output: Output,
    private readonly view: WorkflowView,
  ) {}

  start(): void {
    this.output.line(`${this.view.state.type} ${this.view.workflowId} ${this.view.status}`);
  }

  event(event: WorkflowEvent): void {
    if (event.type === WorkflowEventType.AgentStatus) {
      // A fan-out's sub-step is named by its step and item; its time is not the step's.
      const isSubStep = event.item !== undefined;
      const step = this.view.steps.find((candidate) => candidate.stepId === event.stepId);
      const took =
        step && step.finishedAt && !isSubStep
          ? ` ${formatDuration(this.view.durationOf(step, Date.now()))}`
          : '';
      const attempt = event.attempt > 1 ? ` attempt ${event.attempt}` : '';
      const error = event.error ? `: ${event.error}` : '';
      const name = isSubStep ? `${event.stepId}[${event.item}]` : event.stepId;
      this.output.line(`${event.timestamp} step ${name} ${event.lifecycle}${attempt}${took}${error}`);
    } else if (event.type === WorkflowEventType.Complete || event.type === WorkflowEventType.Error) {
      this.output.line(
        `${event.timestamp} workflow ${event.status}${this.view.error ? `: ${this.view.error}` : ''}`,
      );
    }
  }

  connection(isReconnecting: boolean): void {
    this.output.line(isReconnecting ? 'connection lost; reconnecting…' : 'reconnected; caught up');
  }

  stop(): void {}
}

/** The step graph redrawn in place, and every second while a step runs (its duration grows). */
class LiveGraph implements Display {
  private readonly screen = new LiveScreen();
  private timer: NodeJS.Timeout | null = null;
  private isReconnecting = false;
  private isDrawPending = false;
  private isStopped = false;

  constructor(
    private readonly output: Output,
    private readonly view: WorkflowView,
  ) {}

  start(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), 1_000);
  }

  event(): void {
    // Many events arrive at once on a catch-up: draw once for them.
    if (this.isDrawPending) return;
    this.isDrawPending = true;
    setImmediate(() => {
      this.isDrawPending = false;
      this.draw();
    });
  }

  connection(isReconnecting: boolean): void {
    this.isReconnecting = isReconnecting;
    this.draw();
  }

  /** The last drawing: nothing may redraw after it, as the lines printed next sit below it. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.isReconnecting = false;
    this.draw();
    this.isStopped = true;
  }

  private draw(): void {
    if (this.isStopped) return;
    const { output, view } = this;
    const now = Date.now();
    const done = view.steps.filter((step) => step.lifecycle === AgentLifecycle.Completed).length;
    const header = `${output.color(view.state.type, 'bold')} ${view.workflowId}  ${output.status(view.status)}  ${done}/${view.steps.length} steps  ${view.percent}%`;
    const rows = table(
      {
        step: (step) => `${'  '.repeat(step.depth)}${step.stepId}`,
        agent: (step) => step.agent,
        state: (step) => output.status(step.lifecycle),
        attempt: (step) => (step.attempts > 0 ? step.attempts : ''),
        time: (step) => formatDuration(view.durationOf(step, now)),
        after: (step) => step.dependsOn.join(', '),
        note: (step) =>
          [step.iteration ? `iteration ${step.iteration}` : '', step.error ?? step.waitingFor ?? '']
            .filter(Boolean)
            .join(' · '),
      },
      view.steps,
    );
    const footer = [
      view.lastLog ? output.color(`log: ${view.lastLog}`, 'gray') : '',
      view.error ? output.color(`error: ${view.error}`, 'red') : '',
      this.isReconnecting ? output.color('connection lost; reconnecting…', 'yellow') : '',
    ].filter(Boolean);
    this.screen.draw([header, '', ...rows, ...(footer.length ? ['', ...footer] : [])]);
  }
}

/** The line `start --wait` and `watch` end with. */
export function outcomeLine(outcome: WatchOutcome, gatewayUrl: string): string {
  const site = siteAddress(outcome.view.result, gatewayUrl);
  return [`workflow ${outcome.view.workflowId} ${outcome.status}`, site ? `site: ${site}` : null]
    .filter(Boolean)
    .join('\n');
}
