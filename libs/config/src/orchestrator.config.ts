import { availableParallelism } from 'node:os';
import {
  parseBreakerConfiguration,
  parseBudgetDefaults,
  parseLimitOverrides,
  parseLlmLimits,
} from '@app/flow-control';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, Matches, MinLength, ValidateIf } from 'class-validator';
import { IsBelow, IsIntegerBetween, IsReadBy, IsUrlOf, toBoolean } from './config-validators';
import { IsLlmSettings } from './llm-settings.validator';
import { ServiceConfig } from './service.config';

/** The orchestrator: the queue workers running workflows and their agents' steps. No PostgreSQL. */
export class OrchestratorConfig extends ServiceConfig {
  override PORT = 3001;

  /** Where published sites are kept: the orchestrator writes them, the gateway serves them. */
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  SITES_DIR = '.data/sites';

  /** Attempts after the first for a step that fails with a retryable error. */
  @IsIntegerBetween(0, 20)
  MAX_RETRIES = 3;

  /** Longest run of one step attempt. */
  @IsIntegerBetween(1, 86400)
  AGENT_TIMEOUT_SECONDS = 300;

  /** Hours a session's memory (preferences, past requests) lives after its last write. */
  @IsIntegerBetween(1, 8760)
  SESSION_TTL_HOURS = 24;

  /** Steps of each agent one orchestrator process runs at once (the agents have a queue each). */
  @IsIntegerBetween(1, 1000)
  STEP_CONCURRENCY = 20;

  /** Milliseconds before BullMQ deems a step of a dead worker stalled and hands it to another. */
  @IsIntegerBetween(1000, 600000)
  STEP_LOCK_MS = 30000;

  /**
   * Worker threads of the CPU pool, where agents' CPU-bound work runs (the audit's jsdom and axe,
   * rendering). 0 runs that work on the event loop. Defaults to the CPUs this process may use; in a
   * container set it to the CPU limit (Node sees the host's CPUs).
   */
  @IsIntegerBetween(0, 64)
  CPU_POOL_THREADS = availableParallelism();

  /** Largest old-generation heap of one pool thread, in MB; a thread that needs more is replaced. */
  @IsIntegerBetween(32, 16384)
  CPU_POOL_MAX_HEAP_MB = 256;

  /** A pool thread whose heap is above this many MB after a task is replaced by a fresh one. */
  @IsIntegerBetween(16, 16384)
  @IsBelow('CPU_POOL_MAX_HEAP_MB')
  CPU_POOL_RECYCLE_HEAP_MB = 160;

  /** Event-loop delay (p99 over 5 s, in ms) above which the orchestrator's health reports it starved. */
  @IsIntegerBetween(10, 60000)
  EVENT_LOOP_LAG_LIMIT_MS = 500;

  /**
   * How often the orchestrator looks for unfinished workflows whose ready steps were never queued,
   * and how long such a workflow must have been still before it is healed.
   */
  @IsIntegerBetween(1, 86400)
  RECOVERY_INTERVAL_SECONDS = 60;

  /**
   * Extra agents: comma-separated module paths (absolute, or relative to the working directory),
   * each exporting `createAgents(): Agent[]` (user agents, or test agents in end-to-end tests);
   * Node requires them at start, also from the production bundle.
   */
  @IsOptional()
  @IsString()
  AGENT_MODULES?: string;

  /**
   * An OpenAI-compatible endpoint for every agent's `context.llm` (the planner and content among
   * them); the offline rules when unset.
   * LLM_MODEL and LLM_API_KEY mean nothing without it, so setting them alone is a mistake.
   */
  @ValidateIf((config: OrchestratorConfig) =>
    [config.LLM_BASE_URL, config.LLM_MODEL, config.LLM_API_KEY].some(isSet),
  )
  @IsDefined({ message: 'must be set when LLM_MODEL or LLM_API_KEY is (the endpoint to call)' })
  @IsUrlOf(['http:', 'https:'], { message: 'must be an http(s) URL' })
  LLM_BASE_URL?: string;

  /** The model to ask: required with LLM_BASE_URL. */
  @ValidateIf((config: OrchestratorConfig) => [config.LLM_BASE_URL, config.LLM_MODEL].some(isSet))
  @IsDefined({ message: 'must be set when LLM_BASE_URL is (the model to call)' })
  @Matches(/\S/, { message: 'must not be blank' })
  LLM_MODEL?: string;

  @IsOptional()
  @IsString()
  LLM_API_KEY?: string;

  /**
   * Per agent, JSON: `{"<agent>": "offline" | {"baseUrl", "model", "apiKey"}}`; a field left out
   * is LLM_BASE_URL's, LLM_MODEL's or LLM_API_KEY's. Its keys are secrets: errors never show it.
   */
  @IsOptional()
  @IsLlmSettings({ message: 'must be a JSON object of agents, each "offline" or { baseUrl, model, apiKey }' })
  LLM_AGENTS?: string;

  /**
   * Prices over the built-in table, JSON: `{"<model>": {"prompt": <USD per million tokens>,
   * "completion": <USD per million tokens>}}`; a model in neither costs 0.
   */
  @IsOptional()
  @IsLlmSettings({
    message: 'must be a JSON object of models, each { prompt, completion } in USD per million tokens',
  })
  LLM_PRICES?: string;

  /**
   * Requests and tokens per period of each model, shared by every worker, as JSON keyed by
   * `llm:<provider>:<model>`: `{"requests": 500, "tokens": 30000, "periodSeconds": 60, "burst": 1,
   * "defaultMaxTokens": 1024}`. A number of 0 or less, an unknown field or a key naming no model
   * stops the start.
   */
  @IsOptional()
  @IsReadBy(parseLlmLimits)
  LLM_LIMITS?: string;

  /**
   * Lets HTTP agents call private, loopback, link-local and unique-local addresses (agents inside
   * the deployment's own network). Off: before each request the agent's host is resolved again and
   * refused unless every address is public.
   */
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS = false;

  /**
   * Steps of each registered HTTP agent one orchestrator process runs at once. They wait on the
   * network, not the CPU, so this may be higher than STEP_CONCURRENCY.
   */
  @IsIntegerBetween(1, 1000)
  HTTP_AGENT_CONCURRENCY = 20;

  /**
   * This deployment's changes to the limits agents and workflow types declare, as JSON keyed by
   * `agent:<agent>/<limit>` or `workflow:<TYPE>/<limit>`: new numbers
   * (`{"rate": {"requests": 5, "periodSeconds": 1, "burst": 2}, "concurrency": {"slots": 3}}`)
   * or `"off"`. A rate of 0 or less, an unknown field or a malformed key stops the start.
   */
  @IsOptional()
  @IsReadBy(parseLimitOverrides)
  FLOW_CONTROL_LIMITS?: string;

  /**
   * Circuit breaker settings of this deployment, as JSON keyed by dependency name (`*` for every
   * dependency): `{"*": {"coolDownMs": 10000}, "llm:openai:gpt-4o": {"failureThreshold": 3,
   * "fallback": "llm:openai:gpt-4o-mini"}}`. They win over the defaults and the agents' own.
   */
  @IsOptional()
  @IsReadBy(parseBreakerConfiguration)
  CIRCUIT_BREAKERS?: string;

  /**
   * Default budgets where an admin set none, per tenant and per agent and UTC day, as JSON:
   * `{"tenantDaily": {"tokens": 1000000, "costUsd": 20}, "agentDaily": {"costUsd": 50}}`. A step
   * whose budget is spent waits. Give the gateway and every orchestrator the same value.
   */
  @IsOptional()
  @IsReadBy(parseBudgetDefaults)
  BUDGETS?: string;

  /** Lowest audit score a site may be published with. */
  @IsIntegerBetween(0, 100)
  AUDIT_THRESHOLD = 70;
}

function isSet(value: unknown): boolean {
  return value !== undefined;
}
