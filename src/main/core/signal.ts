// A tiny typed signal: listeners are called synchronously, in order, with one value. For
// wake-ups inside the core that are not UI events (InstanceEvents is what the admin layer
// forwards to the UIs).
export class Signal<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Adds a listener; returns the function that removes it. */
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}
