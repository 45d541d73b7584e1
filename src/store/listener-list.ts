/** Callbacks without arguments, each called in turn; one callback's bug never stops the others. */
export class ListenerList {
  private readonly listeners: Array<() => void> = [];

  /** Adds `listener`; returns the function that removes it. */
  add(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Adds `listener` for its first call only. */
  addOnce(listener: () => void): void {
    const remove = this.add(() => {
      remove();
      listener();
    });
  }

  emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's bug stays in the listener.
      }
    }
  }
}
