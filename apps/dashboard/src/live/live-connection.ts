import { signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import { SocketConnectRefusal, type SocketAck } from '../api/types';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected';

const ACK_TIMEOUT_MS = 10_000;

/**
 * The one Socket.IO connection of the page, authenticated with the session's key. Views listen
 * to its events through `on` and resubscribe through `onReconnect`; the connection state and the
 * last reconnect notice are signals the banner renders.
 */
export class LiveConnection {
  readonly state = signal<ConnectionState>('idle');
  /** Said once the connection is back, such as how a workflow view resumed. */
  readonly notice = signal<string | null>(null);
  private socket: Socket | null = null;
  private hasConnected = false;
  private readonly connectHandlers = new Set<(isReconnect: boolean) => void>();

  constructor(private readonly onUnauthorized: (message: string) => void) {}

  connect(token: string): void {
    this.disconnect();
    this.state.value = 'connecting';
    const socket = io({ auth: { token }, reconnectionDelayMax: 5000 });
    socket.on('connect', () => {
      const isReconnect = this.hasConnected;
      this.hasConnected = true;
      this.state.value = 'connected';
      if (isReconnect) this.notice.value = 'Reconnected.';
      for (const handler of this.connectHandlers) handler(isReconnect);
    });
    socket.on('disconnect', (reason) => {
      this.state.value = 'disconnected';
      this.notice.value = null;
      // The server closed it (a revoked key, a restart): socket.io does not retry that on its own.
      if (reason === 'io server disconnect') window.setTimeout(() => socket.connect(), 1000);
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      const refusal = error.data?.code;
      if (refusal === SocketConnectRefusal.ShuttingDown) {
        // Refused by a gateway that is stopping: socket.io does not retry a refusal on its own.
        window.setTimeout(() => socket.connect(), 1000);
      } else if (refusal === SocketConnectRefusal.Unauthorized) {
        this.onUnauthorized(
          'The server refused your key on the live connection: it was revoked or has expired.',
        );
        return;
      }
      this.state.value = 'disconnected';
    });
    this.socket = socket;
  }

  disconnect(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.hasConnected = false;
    this.state.value = 'idle';
    this.notice.value = null;
  }

  get isConnected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Listens to a server event; returns the function that stops listening. */
  on(event: string, handler: (payload: unknown) => void): () => void {
    const socket = this.socket;
    if (!socket) return () => undefined;
    socket.on(event, handler);
    return () => socket.off(event, handler);
  }

  /** Called on every connection, the first (`isReconnect` false) and each one after a loss. */
  onConnect(handler: (isReconnect: boolean) => void): () => void {
    this.connectHandlers.add(handler);
    return () => this.connectHandlers.delete(handler);
  }

  /** Sends an event and waits for its ack; a timeout or no connection is an error ack. */
  async request<T>(event: string, payload: unknown): Promise<SocketAck<T>> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: { code: 'DISCONNECTED', message: 'not connected' } };
    try {
      return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as SocketAck<T>;
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: `no answer to ${event}` } };
    }
  }
}
