import { TimeRangeQuery } from './time-range.query';

/** Query of `GET /agents/metrics`: all time, or executions finished in [from, to). */
export class AgentMetricsQuery extends TimeRangeQuery {}
