import { Component, type ComponentChildren } from 'preact';

interface Props {
  children: ComponentChildren;
  /** A change of this value (the route) clears the error. */
  resetKey: string;
}

/** Catches a view's render error and shows it, so a bug never leaves a blank page. */
export class ErrorBoundary extends Component<Props, { error: Error | null; key: string }> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static override getDerivedStateFromProps(props: Props, state: { error: Error | null; key: string }) {
    return props.resetKey === state.key ? null : { error: null, key: props.resetKey };
  }

  override componentDidCatch(error: unknown): void {
    this.setState({ error: error instanceof Error ? error : new Error(String(error)) });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section class="panel error-panel" role="alert">
        <h1>Something went wrong on this page</h1>
        <p>{this.state.error.message}</p>
        <p>
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </p>
      </section>
    );
  }
}
