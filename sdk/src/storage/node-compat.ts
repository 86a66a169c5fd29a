/**
 * Node 20 compatibility for Helia 7's dependency tree.
 *
 * Helia 7 (and it-queue/mortice under it) targets Node 22 and calls
 * `Promise.withResolvers` (ES2024, Node >= 22). This file installs the
 * standard polyfill when it is missing; it is a no-op on Node 22+.
 */
type WithResolvers = <T>() => { promise: Promise<T>, resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void }

const P = Promise as unknown as { withResolvers?: WithResolvers }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T> () {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}

export {}
