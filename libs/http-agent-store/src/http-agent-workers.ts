/**
 * The name (`WorkerAnnouncement.name`, as `GET /workers` shows it) of the workers the
 * orchestrators start to serve the registered HTTP agents. It tells their workers apart from those
 * of an agent served any other way (built in, `AGENT_MODULES`, an agent service), which an HTTP
 * agent may not share a name with.
 */
export const HTTP_AGENTS_WORKER_NAME = 'orchestrator-http-agents';
