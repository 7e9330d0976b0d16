/**
 * Hooks let an application steer compression without forking it: rewrite the
 * messages first, decide per message how much to keep, observe the outcome.
 */
import type { Maybe } from './maybe.js';
import type { Profile, Shape } from './options.js';

/** What hooks are told about the call they are part of. */
export interface HookContext {
  shape: Shape;
  model: string | undefined;
  profile: Profile;
}

/**
 * Per-message bias multipliers, by index in the message list: `2` keeps about
 * twice as much of that message's tool outputs, `0.5` about half. Applied on
 * top of `options.bias`.
 */
export type MessageBiases = Record<number, number> | Map<number, number> | Array<[number, number]>;

/** What `postCompress` receives after every compression, successful or not. */
export interface CompressEvent {
  shape: Shape;
  model: string | undefined;
  profile: Profile;
  messageCount: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** `tokensAfter / tokensBefore`: 1 means nothing was saved. */
  compressionRatio: number;
  transformsApplied: string[];
  ccrHashes: string[];
  compressed: boolean;
  /** Milliseconds spent, hooks before this one included. */
  durationMs: number;
  /** Set when compression failed and the originals were used (`fallback: true`). */
  error?: Error;
}

/** Any object with some of the hook methods. */
export interface CompressionHooksLike {
  /** Rewrite the messages before compression; return nothing to keep them. */
  preCompress?(messages: unknown[], context: HookContext): Maybe<unknown[] | void | undefined>;
  /** How hard to compress each message; see `MessageBiases`. */
  computeBiases?(messages: unknown[], context: HookContext): Maybe<MessageBiases | void | undefined>;
  /** Observe what happened. */
  postCompress?(event: CompressEvent): Maybe<void>;
}

/**
 * A base class to extend: every method does nothing, override what you need.
 *
 * ```ts
 * class KeepRecent extends CompressionHooks {
 *   computeBiases(messages: unknown[]) {
 *     return { [messages.length - 1]: 3 }; // keep 3x more of the newest tool output
 *   }
 * }
 * ```
 */
export class CompressionHooks implements CompressionHooksLike {
  preCompress(messages: unknown[], _context: HookContext): Maybe<unknown[] | void | undefined> {
    return messages;
  }
  computeBiases(_messages: unknown[], _context: HookContext): Maybe<MessageBiases | void | undefined> {
    return undefined;
  }
  postCompress(_event: CompressEvent): Maybe<void> {
    return undefined;
  }
}

/** Biases in the engine's form, checked: `[[index, bias], ...]` sorted by index. */
export function normalizeBiases(biases: MessageBiases | void | undefined, messageCount: number): Array<[number, number]> {
  if (biases === undefined || biases === null) return [];
  let pairs: Array<[unknown, unknown]>;
  if (biases instanceof Map) pairs = [...biases.entries()];
  else if (Array.isArray(biases)) pairs = biases.map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, undefined]));
  else if (typeof biases === 'object') pairs = Object.entries(biases).map(([k, v]) => [Number(k), v]);
  else throw new TypeError('computeBiases must return an object, a Map or an array of [index, bias] pairs');
  const out: Array<[number, number]> = [];
  for (const [index, bias] of pairs) {
    if (!(typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < messageCount)) {
      throw new RangeError(`computeBiases: message index ${String(index)} is not in 0..${messageCount - 1}`);
    }
    if (!(typeof bias === 'number' && Number.isFinite(bias) && bias > 0)) {
      throw new RangeError(`computeBiases: bias for message ${index} must be a finite number > 0, got ${String(bias)}`);
    }
    out.push([index, bias]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}
