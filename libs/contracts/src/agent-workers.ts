import { StepLimit } from './step-limits';

/** An agent as a worker publishes it: its descriptor, without what only its own process uses. */
export class PublishedAgent {
  /** Kebab-case, unique among agents. */
  name!: string;
  /** Semantic version; its major number picks the queue (`steps.<name>@<major>`). */
  version!: string;
  description!: string;
  /** Its steps' time limit, when it sets one. */
  timeoutSeconds?: number;
  /** Its overrides of the retry policy. */
  retry?: Record<string, unknown>;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /** What its steps call outside the orchestrator, by name: their circuit breakers hold its steps while open. */
  dependencies?: string[];
  /** Its settings of those dependencies' circuit breakers, by dependency name. */
  breakers?: Record<string, Record<string, unknown>>;
  /** The limits its steps obey before they begin (see StepLimit), as its descriptor declares them. */
  limits?: StepLimit[];
}

/** What a worker says of itself when it starts. */
export class WorkerAnnouncement {
  workerId!: string;
  /** A name for people: the service it belongs to. */
  name!: string;
  host!: string;
  pid!: number;
  /** ISO-8601 time it started. */
  startedAt!: string;
  /** Steps it runs at once, per queue it serves. */
  concurrency!: number;
  /** How often it sends a heartbeat; it is taken for gone after three missed. */
  heartbeatMs!: number;
  agents!: PublishedAgent[];
}

/** A worker and whether it is alive. Answer of `GET /workers` (a list). */
export class AgentWorkerStatus extends WorkerAnnouncement {
  status!: 'alive' | 'gone';
  /** ISO-8601 time of its last heartbeat. */
  lastHeartbeatAt!: string;
  /** When it withdrew or its heartbeats stopped; null while alive. */
  goneAt!: string | null;
  /** The queues it consumes, one per agent and major version. */
  queues!: string[];
}

/** One agent version some worker has registered, with the workers serving it now. */
export class AgentVersion extends PublishedAgent {
  major!: number;
  /** Where its steps are queued. */
  queue!: string;
  /** Workers serving it now; 0 means its steps wait until one appears. */
  liveWorkers!: number;
}
