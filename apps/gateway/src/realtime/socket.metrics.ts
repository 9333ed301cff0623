import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';

export const SOCKETS_CONNECTED_METRIC = 'socket_connections';
export const SOCKET_EVENTS_DELIVERED_METRIC = 'socket_events_delivered_total';

export const SOCKET_METRIC_PROVIDERS = [
  makeGaugeProvider({ name: SOCKETS_CONNECTED_METRIC, help: 'Sockets connected to this gateway replica' }),
  makeCounterProvider({
    name: SOCKET_EVENTS_DELIVERED_METRIC,
    help: 'Workflow events sent to subscribed sockets, by event type',
    labelNames: ['event'],
  }),
];

/** The figures of this replica's sockets: how many are open, how many events they were sent. */
@Injectable()
export class SocketMetrics {
  constructor(
    @InjectMetric(SOCKETS_CONNECTED_METRIC) private readonly connected: Gauge<string>,
    @InjectMetric(SOCKET_EVENTS_DELIVERED_METRIC) private readonly delivered: Counter<string>,
  ) {}

  socketConnected(): void {
    this.connected.inc();
  }

  socketDisconnected(): void {
    this.connected.dec();
  }

  eventDelivered(event: string): void {
    this.delivered.inc({ event });
  }
}
