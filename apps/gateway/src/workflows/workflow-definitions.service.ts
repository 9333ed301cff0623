import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  BUILT_IN_WORKFLOWS,
  PLAN_APPROVAL_VARIANTS,
  asksForPlanApproval,
  withAuditRevisions,
} from '@app/agents/website-workflows';
import { GatewayConfig } from '@app/config';
import { AgentVersion, RegisterWorkflowDefinitionRequest, WorkflowDefinition } from '@app/contracts';
import { REDIS_CLIENT, RedisClient } from '@app/redis';
import {
  AgentDirectory,
  AgentReference,
  InvalidRevisionLoopError,
  InvalidStepLimitError,
  InvalidWorkflowDefinitionError,
  UnknownAgentError,
  WorkflowGraph,
  compileWorkflowGraph,
  pinWorkflowGraph,
} from '@app/workflow-store';
import { InputValidator, InvalidInputSchemaError, compileInputSchema } from './input-schema.compiler';

/** A workflow type ready to start: its graph, and what checks its input. */
export interface CompiledWorkflowDefinition {
  definition: WorkflowDefinition;
  graph: WorkflowGraph;
  /** Absent when the definition has no input schema: any object is accepted. */
  validateInput?: InputValidator;
  inputAliases?: Readonly<Record<string, string>>;
  /** The graph pinned to each combination of agent versions workflows started with, by pins. */
  pinnedGraphs: Map<string, WorkflowGraph>;
}

/** The major a step runs on when neither its definition nor any worker names one. */
const FIRST_MAJOR = 1;

/**
 * The workflow types clients may start: the built-ins, and definitions registered through the
 * API (kept in Redis so every gateway replica sees them). A workflow refers to the graph it was
 * created with (stored once per graph version), so changing a definition never disturbs running
 * workflows.
 */
@Injectable()
export class WorkflowDefinitions {
  private readonly builtIns = new Map<string, CompiledWorkflowDefinition>();
  /**
   * Registered definitions compiled, with the stored JSON they were compiled from: one graph
   * object and one input validator per version, so the store's per-graph creation plan and the
   * schema are compiled once rather than on every start. A new version replaces the old.
   */
  private readonly registered = new Map<string, { stored: string; compiled: CompiledWorkflowDefinition }>();
  /** Built-in types with a person's approval of the plan, run when a start asks for it. */
  private readonly planApprovalVariants = new Map<string, CompiledWorkflowDefinition>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly config: GatewayConfig,
    private readonly directory: AgentDirectory,
  ) {
    // Built-ins name the website agents, which every orchestrator serves.
    // Their audits send a failing site back to the builder AUDIT_REVISIONS times at most.
    const withRevisions = (definition: WorkflowDefinition) =>
      withAuditRevisions(definition, config.AUDIT_REVISIONS);
    for (const definition of BUILT_IN_WORKFLOWS)
      this.builtIns.set(definition.type, this.compile(withRevisions(definition)));
    for (const definition of PLAN_APPROVAL_VARIANTS)
      this.planApprovalVariants.set(definition.type, this.compile(withRevisions(definition)));
  }

  /**
   * The definition a new workflow of `type` runs: a built-in's plan-approval variant when the
   * start's preferences ask for it (`approvePlan: true`), otherwise the type's own.
   */
  async toStart(
    type: string,
    preferences: Readonly<Record<string, unknown>> | undefined,
  ): Promise<CompiledWorkflowDefinition | undefined> {
    const variant = asksForPlanApproval(preferences) ? this.planApprovalVariants.get(type) : undefined;
    return variant ?? this.compiledOf(type);
  }

  /**
   * The graph a workflow of this definition starts with: each step's agent pinned to the major
   * version the definition names, or else the one the agent directory says is current, so a
   * rolling deploy of a new major never runs one of its steps on an incompatible agent.
   */
  async graphToStart(compiled: CompiledWorkflowDefinition): Promise<WorkflowGraph> {
    const majors = await this.directory.currentMajors();
    const { graph } = compiled;
    const majorOf = (agent: string) => majors.get(agent) ?? FIRST_MAJOR;
    const pins = graph.order
      .map((stepId) => graph.versions[stepId] ?? majorOf(graph.agents[stepId]))
      .join(',');
    let pinned = compiled.pinnedGraphs.get(pins);
    if (!pinned) {
      pinned = pinWorkflowGraph(graph, majorOf);
      compiled.pinnedGraphs.set(pins, pinned);
    }
    return pinned;
  }

  async compiledOf(type: string): Promise<CompiledWorkflowDefinition | undefined> {
    const builtIn = this.builtIns.get(type);
    if (builtIn) return builtIn;
    const stored = await this.redis.hget(this.key, type);
    if (!stored) return undefined;
    const cached = this.registered.get(type);
    if (cached?.stored === stored) return cached.compiled;
    const compiled = this.compile((JSON.parse(stored) as { definition: WorkflowDefinition }).definition, {
      origin: 'stored',
    });
    this.registered.set(type, { stored, compiled });
    return compiled;
  }

  async list(): Promise<WorkflowDefinition[]> {
    const stored = Object.values(await this.redis.hgetall(this.key)).map(
      (json) => (JSON.parse(json) as { definition: WorkflowDefinition }).definition,
    );
    return [...[...this.builtIns.values()].map((entry) => entry.definition), ...stored];
  }

  async get(type: string): Promise<WorkflowDefinition> {
    const found = (await this.list()).find((definition) => definition.type === type);
    if (!found) throw new NotFoundException(`workflow type ${type} is not defined`);
    return found;
  }

  /**
   * Validates (agents some worker has registered, dependencies, no cycle, an input schema that
   * compiles) and stores a definition.
   */
  async register(request: RegisterWorkflowDefinitionRequest): Promise<WorkflowDefinition> {
    if (this.builtIns.has(request.type))
      throw new ConflictException(`workflow type ${request.type} is built in and cannot be replaced`);
    const catalogue = await this.directory.catalogue();
    const definition: WorkflowDefinition = {
      type: request.type,
      description: request.description,
      steps: request.steps.map(({ id, agent, approval, dependsOn, forEach, revise }) => ({
        id,
        ...(agent === undefined ? {} : { agent }),
        ...(approval === undefined ? {} : { approval: { ...approval } }),
        dependsOn,
        ...(forEach === undefined ? {} : { forEach: { ...forEach } }),
        ...(revise === undefined ? {} : { revise: { ...revise } }),
      })),
      ...(request.inputSchema === undefined ? {} : { inputSchema: request.inputSchema }),
      ...(request.limits === undefined ? {} : { limits: request.limits }),
    };
    try {
      this.compile(definition, { unknownAgent: (agent) => unregistered(agent, catalogue) });
    } catch (error) {
      if (
        error instanceof UnknownAgentError ||
        error instanceof InvalidStepLimitError ||
        error instanceof InvalidRevisionLoopError
      )
        throw new UnprocessableEntityException(error.message);
      if (error instanceof InvalidWorkflowDefinitionError || error instanceof InvalidInputSchemaError)
        throw new BadRequestException(error.message);
      throw error;
    }
    await this.redis.hset(this.key, definition.type, JSON.stringify({ definition }));
    return definition;
  }

  async remove(type: string): Promise<void> {
    if (this.builtIns.has(type))
      throw new ConflictException(`workflow type ${type} is built in and cannot be deleted`);
    if ((await this.redis.hdel(this.key, type)) === 0)
      throw new NotFoundException(`workflow type ${type} is not defined`);
  }

  async types(): Promise<string[]> {
    return (await this.list()).map((definition) => definition.type);
  }

  /** Compiles a definition under this gateway's FAN_OUT_MAX_ITEMS (see compileWorkflowGraph). */
  private compile(
    definition: WorkflowDefinition,
    {
      unknownAgent = () => null,
      origin = 'new',
    }: { unknownAgent?: (agent: AgentReference) => string | null; origin?: 'new' | 'stored' } = {},
  ): CompiledWorkflowDefinition {
    return {
      definition,
      graph: compileWorkflowGraph(definition, unknownAgent, this.config.FAN_OUT_MAX_ITEMS, origin),
      validateInput: definition.inputSchema && compileInputSchema(definition.inputSchema),
      inputAliases: definition.inputAliases,
      pinnedGraphs: new Map(),
    };
  }

  private get key(): string {
    return workflowDefinitionsKey(this.config.REDIS_PREFIX);
  }
}

/**
 * The registered workflow types (P = prefix): P:workflow-definitions, a hash of type →
 * `{ definition }` as JSON. Only the gateways read and write it, one command at a time, so it
 * needs no hash tag on a Redis Cluster.
 */
export function workflowDefinitionsKey(prefix: string): string {
  return `${prefix}:workflow-definitions`;
}

/** Why a step may not name this agent, or null when some worker has registered it. */
function unregistered({ name, major }: AgentReference, catalogue: AgentVersion[]): string | null {
  const versions = catalogue.filter((entry) => entry.name === name);
  const known = catalogue.map((entry) => `${entry.name}@${entry.major}`).join(', ') || 'none';
  if (versions.length === 0) return `which no worker has registered (registered: ${known})`;
  if (major !== undefined && !versions.some((entry) => entry.major === major))
    return `but no worker has registered major ${major} of it (registered: ${versions.map((entry) => `${entry.name}@${entry.major}`).join(', ')})`;
  return null;
}
