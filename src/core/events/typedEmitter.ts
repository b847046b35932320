export type Listener<E> = (event: E) => void;

/**
 * The one event stream each producer (engine, board client) offers. A listener that
 * throws is reported and skipped rather than breaking the producer.
 */
export class TypedEmitter<E> {
  private listeners = new Set<Listener<E>>();

  on(listener: Listener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A broken front end must not stop an upgrade half-way.
        console.error('event listener failed:', error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
