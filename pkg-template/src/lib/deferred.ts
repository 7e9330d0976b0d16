/**
 * A stand-in for an SDK's request promise while compression is still running.
 *
 * `client.messages.create()` returns an `APIPromise`: a real promise of the
 * parsed data that also has `withResponse()`, `asResponse()` and friends, and
 * the SDKs' own helpers (`messages.stream()`, `chat.completions.parse()`...)
 * call those. When a hook or the store is asynchronous, the real `APIPromise`
 * can only exist later; this proxy behaves like it in the meantime: awaiting
 * it gives the data, and any other method call is forwarded once the real one
 * exists (its result wrapped the same way, so chains keep working).
 */
type Boxed = Promise<{ api: unknown }>;

export function deferredApiPromise<T>(boxed: Boxed): T {
  // Awaiting the box's content adopts it, which yields the parsed data.
  const data = boxed.then((box) => box.api);
  // Callers often only use `.withResponse()`; the data branch must not then
  // count as an unhandled rejection. Their own branches still see the error.
  data.catch(() => undefined);
  return new Proxy(data, {
    get(target, prop) {
      if (prop === 'then' || prop === 'catch' || prop === 'finally') {
        const method = Reflect.get(target, prop) as (...args: unknown[]) => unknown;
        return method.bind(target);
      }
      if (prop === Symbol.toStringTag || prop === 'constructor' || typeof prop === 'symbol') {
        return Reflect.get(target, prop);
      }
      return (...args: unknown[]) =>
        deferredApiPromise(
          boxed.then((box) => {
            const method = (box.api as Record<string, unknown>)[prop];
            if (typeof method !== 'function') {
              throw new TypeError(`${String(prop)} is not a method of the SDK's request promise`);
            }
            return { api: (method as (...a: unknown[]) => unknown).apply(box.api, args) };
          }),
        );
    },
  }) as unknown as T;
}
