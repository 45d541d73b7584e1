/**
 * Callbacks called in turn with the same arguments (none by default); one callback's bug never
 * stops the others, and a callback that removes itself while called does not make another miss.
 */
export class ListenerList<A extends unknown[] = []> {
  private readonly listeners: Array<(...args: A) => void> = [];

  /** Adds `listener`; returns the function that removes it. */
  add(listener: (...args: A) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Adds `listener` for its first call only. */
  addOnce(listener: (...args: A) => void): void {
    const remove = this.add((...args) => {
      remove();
      listener(...args);
    });
  }

  get size(): number {
    return this.listeners.length;
  }

  emit(...args: A): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(...args);
      } catch {
        // A listener's bug stays in the listener.
      }
    }
  }
}
