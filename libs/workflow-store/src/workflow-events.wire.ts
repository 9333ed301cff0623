// The wire format of workflow events: one message per transition, published on its shard's
// events channel and appended to the workflow's event log by the Redis function library
// (workflow-scripts.lua.ts writes it). Here apart from the store, so that what reads the channel
// or the log (the gateway's relay, the store's own event reads) parses it in one place.
import { WorkflowEvent } from '@app/contracts';
import { RedisClient } from '@app/redis';

/** An event as stored: its workflow and time are those of the transition that caused it. */
type StoredEvent = Omit<WorkflowEvent, 'workflowId' | 'timestamp'>;

function withTransition(events: StoredEvent[], workflowId: string, timestamp: string): WorkflowEvent[] {
  return events.map((event) => ({ ...event, workflowId, timestamp }) as WorkflowEvent);
}

const MESSAGE_START = '{"workflowId":"';

/**
 * The workflow a message on {@link WorkflowStore.eventsChannels} is about, read without parsing it:
 * every message starts with its workflow id (workflow-scripts.lua.ts writes them). '' for any other.
 */
export function eventMessageWorkflowId(message: string): string {
  if (!message.startsWith(MESSAGE_START)) return '';
  return message.slice(MESSAGE_START.length, message.indexOf('"', MESSAGE_START.length));
}

/** The events of one published message on {@link WorkflowStore.eventsChannels}, in event-id order. */
export function parseEventMessage(message: string): WorkflowEvent[] {
  const { workflowId, timestamp, events } = JSON.parse(message) as {
    workflowId: string;
    timestamp: string;
    events: StoredEvent[];
  };
  return withTransition(events, workflowId, timestamp);
}

/**
 * Subscribes a connection of its own to every shard's events channel (`channels`, from
 * {@link WorkflowStore.eventsChannels}); `onMessage` gets each message as published. One
 * SSUBSCRIBE per channel: on a Redis Cluster each shard channel lives on its slot's primary.
 */
export async function subscribeToWorkflowEvents(
  subscriber: RedisClient,
  channels: string[],
  onMessage: (message: string) => void,
): Promise<void> {
  subscriber.on('smessage', (_channel: string, message: string) => onMessage(message));
  for (const channel of channels) await subscriber.ssubscribe(channel);
}
