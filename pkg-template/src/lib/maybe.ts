/**
 * Values that are sometimes already there and sometimes still coming.
 *
 * The engine is synchronous, and so are the default store and most hooks. The
 * SDK wrappers must return the SDK's own promise object (which has extra
 * methods such as `withResponse()`) whenever they can, so the pipeline only
 * becomes asynchronous when a store or a hook actually returns a promise.
 */
export type Maybe<T> = T | PromiseLike<T>;

export function isPromiseLike<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `f(value)`, now if `value` is ready, later if it is a promise. */
export function chain<T, U>(value: Maybe<T>, f: (value: T) => Maybe<U>): Maybe<U> {
  return isPromiseLike<T>(value) ? Promise.resolve(value).then(f) : f(value);
}

/** Run `f`; route a throw or a rejection to `onError`, sync or async alike. */
export function attempt<T>(f: () => Maybe<T>, onError: (err: unknown) => Maybe<T>): Maybe<T> {
  let value: Maybe<T>;
  try {
    value = f();
  } catch (err) {
    return onError(err);
  }
  return isPromiseLike<T>(value) ? Promise.resolve(value).then(undefined, onError) : value;
}

/** Wait for every value, staying synchronous when none is a promise. */
export function all<T>(values: Maybe<T>[]): Maybe<T[]> {
  return values.some((v) => isPromiseLike(v)) ? Promise.all(values) : (values as T[]);
}
