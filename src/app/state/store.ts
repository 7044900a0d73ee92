/** A tiny observable value for state that changes faster than React should re-render (pointer drags, weights). */
import { useSyncExternalStore } from 'react';

/** Holds one value and notifies subscribers synchronously on every change. */
export class Store<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private value: T) {}

  /** The current value. */
  get(): T {
    return this.value;
  }

  /** Replaces the value and notifies subscribers at once (in the caller's task). */
  set(value: T): void {
    this.value = value;
    for (const listener of [...this.listeners]) listener(value);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe = (listener: (value: T) => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
}

/** Re-renders a component when the store changes. */
export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, () => store.get());
}

/** Where the current latent point came from. */
export type PointSource = 'init' | 'drag' | 'keyboard' | 'slider' | 'sample' | 'manifold' | 'reset' | 'explore';

/** The current latent point, with the time of the input event that set it (for latency measurement). */
export interface LatentPoint {
  z: number[];
  source: PointSource;
  /** `event.timeStamp` of the pointer or input event, if any. */
  eventTime?: number;
}
