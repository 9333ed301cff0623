import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';

export const SOCKETS_CONNECTED_METRIC = 'socket_connections';
export const SOCKET_EVENTS_DELIVERED_METRIC = 'socket_events_delivered_total';
export const SOCKET_SUBSCRIPTIONS_METRIC = 'socket_workflow_subscriptions';

export const SOCKET_METRIC_PROVIDERS = [
  makeGaugeProvider({ name: SOCKETS_CONNECTED_METRIC, help: 'Sockets connected to this gateway replica' }),
  makeGaugeProvider({
    name: SOCKET_SUBSCRIPTIONS_METRIC,
    help: "Workflows this replica's sockets follow, one per socket and workflow, until it ends or they leave",
  }),
  makeCounterProvider({
    name: SOCKET_EVENTS_DELIVERED_METRIC,
    help: 'Workflow events sent to subscribed sockets, by event type',
    labelNames: ['event'],
  }),
];

/** The figures of this replica's sockets: how many are open, what they follow, how many events they were sent. */
@Injectable()
export class SocketMetrics {
  constructor(
    @InjectMetric(SOCKETS_CONNECTED_METRIC) private readonly connected: Gauge<string>,
    @InjectMetric(SOCKET_EVENTS_DELIVERED_METRIC) private readonly delivered: Counter<string>,
    @InjectMetric(SOCKET_SUBSCRIPTIONS_METRIC) private readonly subscriptions: Gauge<string>,
  ) {}

  socketConnected(): void {
    this.connected.inc();
  }

  socketDisconnected(): void {
    this.connected.dec();
  }

  subscriptionOpened(): void {
    this.subscriptions.inc();
  }

  subscriptionClosed(): void {
    this.subscriptions.dec();
  }

  eventDelivered(event: string): void {
    this.delivered.inc({ event });
  }
}
