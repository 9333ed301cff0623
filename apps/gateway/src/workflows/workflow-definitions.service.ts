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

/**
 * The workflow types clients may start: the built-ins, and definitions registered through the
 * API (kept in Redis so every gateway replica sees them). A workflow refers to the graph it was
 * created with (stored once per graph version), so changing a definition never disturbs running
 * workflows.
 */
@Injectable()
export class WorkflowDefinitions {
  private readonly builtIns = new Map<string, { definition: WorkflowDefinition; graph: WorkflowGraph }>();
  /**
   * Registered definitions compiled, by their stored JSON: one graph object per version, so the
   * store's per-graph creation plan is computed once rather than on every start.
   */
  private readonly compiled = new Map<string, WorkflowGraph>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: GatewayConfig,
  ) {
    // Built-ins name the website agents, which every orchestrator registers.
    for (const definition of BUILT_IN_WORKFLOWS) {
      this.builtIns.set(definition.type, { definition, graph: compileWorkflowGraph(definition, () => true) });
    }
  }

  async graphOf(type: string): Promise<WorkflowGraph | undefined> {
    const builtIn = this.builtIns.get(type);
    if (builtIn) return builtIn.graph;
    const stored = await this.redis.hget(this.key, type);
    if (!stored) return undefined;
    let graph = this.compiled.get(stored);
    if (!graph) {
      graph = compileWorkflowGraph(
        (JSON.parse(stored) as { definition: WorkflowDefinition }).definition,
        () => true,
      );
      this.compiled.set(stored, graph);
    }
    return graph;
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

  /** Validates (agents known to the orchestrators, dependencies, no cycle) and stores a definition. */
  async register(request: RegisterWorkflowDefinitionRequest): Promise<WorkflowDefinition> {
    if (this.builtIns.has(request.type))
      throw new ConflictException(`workflow type ${request.type} is built in and cannot be replaced`);
    const agents = new Set(await this.redis.hkeys(`${this.config.REDIS_PREFIX}:agents`));
    const definition: WorkflowDefinition = {
      type: request.type,
      description: request.description,
      steps: request.steps.map(({ id, agent, dependsOn }) => ({ id, agent, dependsOn })),
    };
    try {
      compileWorkflowGraph(definition, (agent) => agents.has(agent));
    } catch (error) {
      if (error instanceof InvalidWorkflowDefinitionError) throw new BadRequestException(error.message);
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
