/**
 * `withHeadroom(client)`: the official `@anthropic-ai/sdk` and `openai`
 * clients, with their requests' tool outputs compressed.
 *
 * The client is cloned with its own `withOptions({})` (same class, same
 * settings), and on the clone the request methods of the conversation
 * endpoints are replaced. The SDKs' helpers (`messages.stream()`,
 * `chat.completions.stream()`, `responses.stream()`, `parse()`...) all end in
 * those methods on their own client, so they are covered too. Only the
 * conversation list is replaced, and in it only tool outputs; system
 * prompts, tool definitions, `cache_control`, thinking blocks, images,
 * `stream: true` and unknown fields are passed on as they were.
 */
import { compressNow, type CompressResult } from './compress.js';
import { deferredApiPromise } from './deferred.js';
import { ensureEngine } from './engine.js';
import { HeadroomError } from './errors.js';
import { chain, isPromiseLike, type Maybe } from './maybe.js';
import { checkOptionNames, type CompressOptions, type Shape } from './options.js';

export interface WithHeadroomOptions extends Omit<CompressOptions, 'shape'> {
  /** Called with every compression result, and which method it was for (e.g. `messages.create`). */
  onCompress?: (result: CompressResult, endpoint: string) => void;
}

interface Endpoint {
  /** Property path from the client to the resource. */
  path: string[];
  /** Request methods taking the body as their first argument. */
  methods: string[];
  shape: Shape;
  /** Body field holding the conversation. */
  field: string;
}

const ENDPOINTS: Endpoint[] = [
  { path: ['messages'], methods: ['create', 'countTokens'], shape: 'anthropic', field: 'messages' },
  { path: ['beta', 'messages'], methods: ['create', 'countTokens'], shape: 'anthropic', field: 'messages' },
  { path: ['chat', 'completions'], methods: ['create'], shape: 'openai-chat', field: 'messages' },
  { path: ['beta', 'chat', 'completions'], methods: ['create'], shape: 'openai-chat', field: 'messages' },
  { path: ['responses'], methods: ['create'], shape: 'openai-responses', field: 'input' },
];

type Method = (this: unknown, body: unknown, ...rest: unknown[]) => unknown;

/**
 * The same client type back, with Headroom in front of its conversation
 * endpoints. The original client is not modified.
 */
export function withHeadroom<C extends object>(client: C, options: WithHeadroomOptions = {}): C {
  checkOptionNames(options, ['onCompress'], 'withHeadroom options');
  const withOptions = (client as { withOptions?: unknown }).withOptions;
  if (typeof withOptions !== 'function') {
    throw new HeadroomError(
      'unsupported_client',
      'withHeadroom: expected an `@anthropic-ai/sdk` or `openai` client (an object with withOptions())',
    );
  }
  const clone = (withOptions as (o: object) => C).call(client, {});
  let patched = 0;
  for (const endpoint of ENDPOINTS) {
    const resource = resolve(clone, endpoint.path);
    if (!resource) continue;
    for (const name of endpoint.methods) {
      const original = resource[name];
      if (typeof original !== 'function') continue;
      Object.defineProperty(resource, name, {
        value: wrapMethod(original as Method, resource, endpoint, `${endpoint.path.join('.')}.${name}`, options),
        configurable: true,
        writable: true,
        enumerable: false,
      });
      patched++;
    }
  }
  if (patched === 0) {
    throw new HeadroomError(
      'unsupported_client',
      'withHeadroom: the client has none of messages.create, chat.completions.create or responses.create',
    );
  }
  return clone;
}

function resolve(root: object, path: string[]): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function wrapMethod(
  original: Method,
  resource: object,
  endpoint: Endpoint,
  name: string,
  options: WithHeadroomOptions,
): Method {
  const { onCompress, ...compressOptions } = options;
  return function headroomRequest(this: unknown, body: unknown, ...rest: unknown[]) {
    const list = (body as Record<string, unknown> | null | undefined)?.[endpoint.field];
    if (!Array.isArray(list) || list.length === 0) return original.call(resource, body, ...rest);

    const send = (result: CompressResult): unknown => {
      onCompress?.(result, name);
      const next = result.messages === list ? body : { ...(body as object), [endpoint.field]: result.messages };
      return original.call(resource, next, ...rest);
    };
    let prepared: Maybe<CompressResult>;
    try {
      prepared = chain(ensureEngine(), () =>
        compressNow(list, { ...compressOptions, shape: endpoint.shape }) as Maybe<CompressResult>,
      );
    } catch (err) {
      return deferredApiPromise(Promise.reject(err));
    }
    // The usual case (engine loaded, in-memory store, synchronous hooks):
    // the SDK's own promise object goes back to the caller.
    if (!isPromiseLike<CompressResult>(prepared)) return send(prepared);
    return deferredApiPromise(Promise.resolve(prepared).then((result) => ({ api: send(result) })));
  };
}
