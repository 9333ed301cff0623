import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { WorkerAnnouncement, agentStepsQueue } from '@app/contracts';
import {
  BreakerConfiguration,
  BreakerStore,
  BudgetAdmissionCheck,
  BudgetDefaults,
  BudgetStore,
  BudgetedSubjects,
  FairShare,
  FlowControlKeys,
  FlowControlRedis,
  LimitAdmissionCheck,
  LimitOverrides,
  LlmLimiter,
  StepAdmissionGate,
  StepLimiter,
  checkDependencyName,
  stepLimitProblems,
} from '@app/flow-control';
import { createQueueConnection, createRedisConnection, RedisClient } from '@app/redis';
import {
  AgentDirectory,
  FINISHED_STATE_GRACE_HOURS,
  StepQueues,
  WorkflowStore,
  majorOf,
  StepQueuePartitions,
  stepJobOptions,
} from '@app/workflow-store';
import { Registry } from 'prom-client';
import { Agent } from '../agent';
import { BreakerAdmissionCheck, BreakerMetrics, CircuitBreakers } from '../breakers';
import { CpuPool, CpuPoolOptions, CpuPoolState, createCpuPool } from '../cpu';
import { LlmClient } from '../llm/llm-client';
import { LlmSettings } from '../llm/llm-settings';
import { Cancellations } from './cancellations';
import { StepAdmissions } from './step-admissions';
import { StepConsumers } from './step-consumers';
import { StepLlms } from './step-llms';
import { StepRunner } from './step-runner';
import { TelemetryShipper } from './telemetry-shipper';
import { WorkerLogger, consoleLogger } from './worker-logger';
import { countingLlmUsage } from './llm-usage-metrics';
import { WorkerMetrics } from './worker-metrics';
import { WorkflowHooks } from './workflow-hooks';

/**
 * How long a starting worker waits for its CPU pool to warm before it takes steps anyway: a thread
 * that never reports warm must not keep the worker out for good.
 */
const POOL_WARM_WAIT_LIMIT_MS = 30_000;

export interface AgentWorkerOptions {
  /** The Redis the gateway and the other workers use (`REDIS_URL`). */
  redisUrl: string;
  /** Their key prefix (`REDIS_PREFIX`). */
  prefix: string;
  /** The agents this worker serves; it receives only their steps. */
  agents: Agent[];
  /** A name for people, as `GET /workers` shows it: the service this worker belongs to. */
  name?: string;
  /**
   * Steps run at once, per agent served, and the most it runs forked beside the steps that readied
   * them (eager dispatch). Default 10.
   */
  concurrency?: number;
  /** Milliseconds before a step of a worker that died is handed to another. Default 30 000. */
  lockMs?: number;
  /** How often the worker says it is alive; it is taken for gone after three missed. Default 5 000. */
  heartbeatMs?: number;
  /** Attempts after the first for a retryable failure, unless an agent's policy says otherwise. Default 3. */
  maxRetries?: number;
  /** A step's time limit when its agent sets none. Default 300. */
  defaultTimeoutSeconds?: number;
  /** Hours a finished workflow stays in Redis (`WORKFLOW_STATE_TTL_HOURS` of the services). Default 24. */
  workflowStateTtlHours?: number;
  /**
   * The worker-thread pool for the agents' CPU tasks. Default: a thread per CPU, 256 MB heaps,
   * recycled past 160 MB; `threads: 0` runs CPU tasks on the event loop.
   */
  cpuPool?: Partial<Omit<CpuPoolOptions, 'warmTasks' | 'onTaskFinished' | 'onRecycled'>>;
  /**
   * A deployment's changes to the agents' and workflow types' declared limits
   * (`FLOW_CONTROL_LIMITS`, parsed by `parseLimitOverrides`). Default: none.
   */
  limitOverrides?: LimitOverrides;
  /**
   * The language models of its agents' `context.llm`: providers, models and keys (per agent),
   * prices. Default: the offline rules provider for every agent.
   */
  llm?: LlmSettings;
  /**
   * The circuit breakers its gate consults (a step whose agent declares a dependency whose breaker
   * is open waits) and its agents call through: give the instance the agents were given (an HTTP
   * agent's `breakers`, from `connectCircuitBreakers`). Default: its own, with `breakerSettings`.
   */
  circuitBreakers?: CircuitBreakers;
  /** A deployment's breaker settings (`CIRCUIT_BREAKERS`, parsed by `parseBreakerConfiguration`). */
  breakerSettings?: BreakerConfiguration;
  /**
   * A deployment's default budgets per tenant and per agent and UTC day (`BUDGETS`, parsed by
   * `parseBudgetDefaults`), where an admin set none. Give every worker the same. Default: none.
   */
  budgetDefaults?: BudgetDefaults;
  /** Where its Prometheus metrics go; prom-client's default registry unless given. */
  metricsRegistry?: Registry;
  logger?: WorkerLogger;
}

/** A running agent worker: see {@link createAgentWorker}. */
export interface AgentWorker {
  readonly id: string;
  /** The queues it consumes, one per agent and major version. */
  readonly queues: readonly string[];
  /** In-process callbacks on what its steps do to workflows. */
  readonly hooks: WorkflowHooks;
  /** The dependencies' circuit breakers its gate consults; an agent may call through them too. */
  readonly breakers: CircuitBreakers;
  /**
   * Announces the worker and starts taking steps once its CPU pool is warm; rejects when an agent
   * is malformed.
   */
  start(): Promise<void>;
  /** Takes no new steps, finishes those in hand, withdraws, and closes its connections. */
  close(): Promise<void>;
  cpuPoolState(): CpuPoolState;
}

/**
 * Runs the steps of the given agents wherever it is started: in the orchestrator, or in a
 * service of its own. It announces itself and its agents, sends heartbeats while it runs, and
 * consumes only its agents' queues, with the orchestrator's retries, time limits, cancellation,
 * log lines, LLM accounting, CPU pool and eager dispatch.
 */
export function createAgentWorker(options: AgentWorkerOptions): AgentWorker {
  return new RunningAgentWorker(options);
}

class RunningAgentWorker implements AgentWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly queues: readonly string[];
  readonly hooks: WorkflowHooks;
  readonly breakers: CircuitBreakers;
  private readonly logger: WorkerLogger;
  private readonly commands: RedisClient;
  private readonly telemetryConnection: RedisClient;
  private readonly directory: AgentDirectory;
  private readonly stepQueues: StepQueues;
  private readonly telemetry: TelemetryShipper;
  private readonly cancellations: Cancellations;
  private readonly budgeted: BudgetedSubjects;
  private readonly cpuPool: CpuPool;
  private readonly consumers: StepConsumers;
  private readonly announcement: WorkerAnnouncement;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopWatchingPool = () => {};
  private readonly warmingTasks: string[];
  private readonly createdAt = performance.now();
  private isClosing = false;

  constructor(options: AgentWorkerOptions) {
    const name = options.name ?? 'agent-worker';
    this.logger = options.logger ?? consoleLogger(name);
    const byQueue = new Map<string, Agent>();
    for (const agent of options.agents) {
      const { name: agentName, version } = agent.descriptor;
      const queue = agentStepsQueue(agentName, majorOf(version ?? ''));
      if (byQueue.has(queue)) throw new Error(`agent ${agentName}@${majorOf(version)} is given twice`);
      const limitProblems = stepLimitProblems(agent.descriptor.limits ?? []);
      if (limitProblems.length > 0) throw new Error(`agent ${agentName}: ${limitProblems.join('; ')}`);
      for (const dependency of agent.descriptor.dependencies ?? []) {
        try {
          checkDependencyName(dependency);
        } catch (error) {
          throw new Error(`agent ${agentName}: ${(error as Error).message}`);
        }
      }
      byQueue.set(queue, agent);
    }
    this.queues = [...byQueue.keys()];
    const concurrency = options.concurrency ?? 10;
    const heartbeatMs = options.heartbeatMs ?? 5000;
    this.announcement = {
      workerId: this.id,
      name,
      host: hostname(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
      concurrency,
      heartbeatMs,
      // Where an agent's CPU tasks live on this machine is this process's business.
      agents: options.agents.map(({ descriptor: { cpuTasks: _local, ...published } }) => published),
    };

    this.commands = createRedisConnection(options.redisUrl, `${options.prefix}-worker-commands`, {
      autoPipelining: true,
    });
    this.telemetryConnection = createRedisConnection(options.redisUrl, `${options.prefix}-worker-telemetry`);
    const store = new WorkflowStore(this.commands, {
      prefix: options.prefix,
      finishedTtlSeconds: ((options.workflowStateTtlHours ?? 24) + FINISHED_STATE_GRACE_HOURS) * 3600,
    });
    this.directory = new AgentDirectory(this.commands, options.prefix);
    const flowControl = new FlowControlRedis(this.commands);
    const flowKeys = new FlowControlKeys(options.prefix);
    const fairShare = new FairShare(flowControl, flowKeys);
    const budgets = new BudgetStore(flowControl, flowKeys, options.budgetDefaults);
    this.budgeted = new BudgetedSubjects(budgets, {
      subscriber: createRedisConnection(options.redisUrl, `${options.prefix}-worker-budgets`),
      onError: (error) => this.logger.warn(`could not read the budgeted subjects: ${String(error)}`),
    });
    this.breakers =
      options.circuitBreakers ??
      new CircuitBreakers({
        store: new BreakerStore(flowControl, options.prefix),
        configured: options.breakerSettings,
        logger: this.logger,
        metrics: new BreakerMetrics(options.metricsRegistry),
      });
    for (const { descriptor } of options.agents) this.breakers.declare(descriptor.name, descriptor.breakers);
    const partitions = new StepQueuePartitions(this.commands, store.keys);
    this.stepQueues = new StepQueues(
      createRedisConnection(options.redisUrl, `${options.prefix}-worker-step-queues`),
      options.prefix,
      partitions,
      { directory: this.directory, store },
      fairShare,
    );
    this.hooks = new WorkflowHooks(this.logger);
    this.telemetry = new TelemetryShipper(this.telemetryConnection, options.prefix, this.logger);
    this.cancellations = new Cancellations(
      createRedisConnection(options.redisUrl, `${options.prefix}-worker-cancellations`),
      store.cancellationsChannel,
      (workflowIds) => store.cancelledAmong(workflowIds),
      this.hooks,
      this.logger,
    );
    const metrics = new WorkerMetrics(options.metricsRegistry);
    const pool = {
      threads: options.cpuPool?.threads ?? availableParallelism(),
      maxHeapMb: options.cpuPool?.maxHeapMb ?? 256,
      recycleHeapMb: options.cpuPool?.recycleHeapMb ?? 160,
      threadNiceness: options.cpuPool?.threadNiceness,
    };
    const warmTasks = options.agents.flatMap((agent) => agent.descriptor.cpuTasks ?? []);
    this.warmingTasks = pool.threads === 0 ? [] : warmTasks.map((task) => task.name);
    this.cpuPool = createCpuPool({
      ...pool,
      warmTasks,
      onTaskFinished: (report) => metrics.cpuTaskFinished(report),
      onRecycled: (reason) => {
        metrics.cpuPoolRecycles.inc();
        this.logger.log(`recycled the CPU pool's threads: ${reason}`);
      },
      onThreadError: (message) => this.logger.error(`a CPU pool thread died outside any task: ${message}`),
    });
    this.stopWatchingPool = metrics.watchPool(() => this.cpuPool.state());
    this.logger.log(
      pool.threads === 0
        ? 'CPU pool off (threads 0): agents run their CPU work on the event loop'
        : `CPU pool: ${pool.threads} thread(s), heap ≤ ${pool.maxHeapMb} MB each, warming ${warmTasks.map((task) => task.name).join(', ') || 'nothing'}`,
    );
    const admissions = new StepAdmissions({
      // The checks a step passes before it begins, in order (see StepAdmissionCheck).
      gate: new StepAdmissionGate([
        // Breakers first: a step held by an open breaker then spends no rate.
        new BreakerAdmissionCheck(
          this.breakers,
          new Map(options.agents.map(({ descriptor }) => [descriptor.name, descriptor.dependencies ?? []])),
        ),
        // Budgets before limits: a step with no budget left then holds no slot and spends no rate.
        new BudgetAdmissionCheck(budgets, this.budgeted, (workflowId, stepId, attempt) =>
          String(stepJobOptions(workflowId, stepId, attempt).jobId),
        ),
        new LimitAdmissionCheck(new StepLimiter(flowControl, flowKeys), options.limitOverrides ?? new Map(), {
          warn: (message, step) =>
            this.logger.warn(`workflow ${step.workflowId} step ${step.stepId}: ${message}`),
        }),
      ]),
      fairShare,
      store,
      queues: this.stepQueues,
      agents: byQueue,
      logger: this.logger,
      metricsRegistry: options.metricsRegistry,
    });
    const llms = new StepLlms(
      // The models' limits and breakers are every worker's: the same Redis functions as the gate's.
      new LlmClient(options.llm, {
        limiter: new LlmLimiter(flowControl, flowKeys),
        breakers: this.breakers,
        metricsRegistry: options.metricsRegistry,
      }),
      {
        telemetry: this.telemetry,
        metrics,
        publisher: this.commands,
        prefix: options.prefix,
        logger: this.logger,
        budgets,
      },
    );
    const runner = new StepRunner({
      admissions,
      store,
      agents: new Map([...byQueue].map(([queue, agent]) => [queue, countingLlmUsage(agent, llms)])),
      queues: this.stepQueues,
      cancellations: this.cancellations,
      telemetry: this.telemetry,
      hooks: this.hooks,
      cpuPool: this.cpuPool,
      metrics,
      llms,
      breakers: this.breakers,
      logger: this.logger,
      maxRetries: options.maxRetries ?? 3,
      defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? 300,
      // As many as a queue's slots: a worker's forks never outnumber the steps one agent may run.
      forkLimit: concurrency,
    });
    this.consumers = new StepConsumers(
      runner,
      admissions,
      {
        connection: createQueueConnection(options.redisUrl, `${options.prefix}-worker-queues`),
        prefix: options.prefix,
        queues: this.queues as string[],
        partitions,
        concurrency,
        lockMs: options.lockMs ?? 30_000,
      },
      this.logger,
    );
  }

  async start(): Promise<void> {
    await this.directory.announce(this.announcement);
    await this.cancellations.start();
    await this.budgeted.start();
    await this.untilPoolWarm();
    if (this.isClosing) return;
    await this.consumers.start();
    this.heartbeat = setInterval(() => void this.beat(), this.announcement.heartbeatMs);
    this.heartbeat.unref();
    this.logger.log(
      `worker ${this.id} serves ${this.announcement.agents.map((agent) => `${agent.name}@${agent.version}`).join(', ')}`,
    );
  }

  async close(): Promise<void> {
    this.isClosing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.logger.log(`worker ${this.id} shutting down: finishing the steps in hand, taking no new ones`);
    await this.consumers.close();
    await this.directory
      .withdraw(this.id)
      .catch((error: unknown) => this.logger.warn(`could not withdraw worker ${this.id}: ${String(error)}`));
    await this.telemetry.close();
    await this.cpuPool.close();
    this.stopWatchingPool();
    await Promise.all([this.stepQueues.close(), this.cancellations.close(), this.budgeted.close()]);
    await Promise.all(
      [this.commands, this.telemetryConnection].map((connection) =>
        connection.quit().catch(() => connection.disconnect()),
      ),
    );
  }

  cpuPoolState(): CpuPoolState {
    return this.cpuPool.state();
  }

  /**
   * Waits (bounded) for the CPU pool's threads to warm their tasks: a step taken sooner would hold
   * its slot and its lock for the seconds a fresh thread spends loading jsdom and axe, while a
   * worker already warm could run it.
   */
  private async untilPoolWarm(): Promise<void> {
    if (this.warmingTasks.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const isWarm = await Promise.race([
      this.cpuPool.whenWarm().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), POOL_WARM_WAIT_LIMIT_MS))),
    ]).finally(() => clearTimeout(timer));
    const afterMs = Math.round(performance.now() - this.createdAt);
    if (isWarm) this.logger.log(`CPU pool warm (${this.warmingTasks.join(', ')}) ${afterMs} ms after start`);
    else
      this.logger.warn(
        `CPU pool not warm ${afterMs} ms after start: taking steps anyway; its first CPU tasks wait for their threads`,
      );
  }

  /** A heartbeat; a directory that forgot this worker (Redis flushed, say) hears it announce again. */
  private async beat(): Promise<void> {
    try {
      if (!(await this.directory.heartbeat(this.id))) await this.directory.announce(this.announcement);
      await this.consumers.refresh();
    } catch (error) {
      this.logger.warn(`heartbeat of worker ${this.id} failed: ${String(error)}`);
    }
  }
}
