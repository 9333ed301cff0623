import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { BUILT_IN_WORKFLOWS } from '@app/agents/website-workflows';
import { GatewayConfig } from '@app/config';
import { RegisterWorkflowDefinitionRequest, WorkflowDefinition } from '@app/contracts';
import { REDIS_CLIENT } from '@app/redis';
import { InvalidWorkflowDefinitionError, WorkflowGraph, compileWorkflowGraph } from '@app/workflow-store';
import Redis from 'ioredis';
import { InputValidator, InvalidInputSchemaError, compileInputSchema } from './input-schema.compiler';

/** A workflow type ready to start: its graph, and what checks its input. */
export interface CompiledWorkflowDefinition {
  definition: WorkflowDefinition;
  graph: WorkflowGraph;
  /** Absent when the definition has no input schema: any object is accepted. */
  validateInput?: InputValidator;
  inputAliases?: Readonly<Record<string, string>>;
}

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

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: GatewayConfig,
  ) {
    // Built-ins name the website agents, which every orchestrator registers.
    for (const definition of BUILT_IN_WORKFLOWS) {
      this.builtIns.set(
        definition.type,
        compileDefinition(definition, () => true),
      );
    }
  }

  async compiledOf(type: string): Promise<CompiledWorkflowDefinition | undefined> {
    const builtIn = this.builtIns.get(type);
    if (builtIn) return builtIn;
    const stored = await this.redis.hget(this.key, type);
    if (!stored) return undefined;
    const cached = this.registered.get(type);
    if (cached?.stored === stored) return cached.compiled;
    const compiled = compileDefinition(
      (JSON.parse(stored) as { definition: WorkflowDefinition }).definition,
      () => true,
    );
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
   * Validates (agents known to the orchestrators, dependencies, no cycle, an input schema that
   * compiles) and stores a definition.
   */
  async register(request: RegisterWorkflowDefinitionRequest): Promise<WorkflowDefinition> {
    if (this.builtIns.has(request.type))
      throw new ConflictException(`workflow type ${request.type} is built in and cannot be replaced`);
    const agents = new Set(await this.redis.hkeys(`${this.config.REDIS_PREFIX}:agents`));
    const definition: WorkflowDefinition = {
      type: request.type,
      description: request.description,
      steps: request.steps.map(({ id, agent, dependsOn }) => ({ id, agent, dependsOn })),
      ...(request.inputSchema === undefined ? {} : { inputSchema: request.inputSchema }),
    };
    try {
      compileDefinition(definition, (agent) => agents.has(agent));
    } catch (error) {
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

  private get key(): string {
    return `${this.config.REDIS_PREFIX}:workflow-definitions`;
  }
}

function compileDefinition(
  definition: WorkflowDefinition,
  isKnownAgent: (agent: string) => boolean,
): CompiledWorkflowDefinition {
  return {
    definition,
    graph: compileWorkflowGraph(definition, isKnownAgent),
    validateInput: definition.inputSchema && compileInputSchema(definition.inputSchema),
    inputAliases: definition.inputAliases,
  };
}
