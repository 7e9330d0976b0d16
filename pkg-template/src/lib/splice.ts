/**
 * Put the engine's changes back into the caller's own objects.
 *
 * The engine sees JSON; callers hand us objects that JSON cannot carry
 * faithfully (a `Uint8Array` image, a `URL`, fields set to `undefined`,
 * class instances). So the engine's output is never used wholesale: it is
 * compared with the JSON that was sent, and only the subtrees that differ
 * (the compressed tool outputs) replace the caller's values. Everything else
 * keeps its identity, and untouched messages are the very same objects.
 */
export function spliceChanges<T>(original: T, sent: unknown, received: unknown): T {
  return splice(original, sent, received) as T;
}

function splice(original: unknown, sent: unknown, received: unknown): unknown {
  if (sent === received) return original;
  if (
    sent === null ||
    received === null ||
    typeof sent !== 'object' ||
    typeof received !== 'object' ||
    original === null ||
    typeof original !== 'object'
  ) {
    return received;
  }
  if (Array.isArray(received)) {
    if (
      !Array.isArray(sent) ||
      !Array.isArray(original) ||
      sent.length !== received.length ||
      original.length !== sent.length
    ) {
      return received;
    }
    let out: unknown[] | undefined;
    for (let i = 0; i < received.length; i++) {
      const value = splice(original[i], sent[i], received[i]);
      if (value !== original[i]) {
        out ??= original.slice();
        out[i] = value;
      }
    }
    return out ?? original;
  }
  if (Array.isArray(sent) || Array.isArray(original)) return received;
  const before = sent as Record<string, unknown>;
  const after = received as Record<string, unknown>;
  const source = original as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(after)) {
    const value = key in before ? splice(source[key], before[key], after[key]) : after[key];
    if (value !== source[key]) {
      out ??= { ...source };
      out[key] = value;
    }
  }
  for (const key of Object.keys(before)) {
    if (!(key in after)) {
      out ??= { ...source };
      delete out[key];
    }
  }
  return out ?? original;
}

/**
 * `JSON.stringify` replacer for message lists that may hold binary data
 * (Vercel AI SDK file parts): a short stand-in instead of a byte-by-byte
 * object. The engine never compresses those parts, and the stand-in is
 * identical on both sides of `spliceChanges`, so the caller's bytes survive.
 */
export function binaryReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof ArrayBuffer) return { $binary: raw.byteLength };
  if (ArrayBuffer.isView(raw)) return { $binary: raw.byteLength };
  return value;
}
