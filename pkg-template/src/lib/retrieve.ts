/**
 * Getting originals back. Every marker names a hash; `retrieve(hash)` returns
 * the exact original from the store, and the ready-made tool definitions let
 * the model ask for it itself.
 */
import { HeadroomError } from './errors.js';
import { RETRIEVE_TOOL_NAME } from './options.js';
import { defaultStore, type CcrStore } from './store.js';

export interface RetrieveOptions {
  /** Store to read from. Default: the shared in-memory store. */
  store?: CcrStore;
}

const HASH = /^[0-9a-f]{24}$/;

/** The exact original behind a marker's hash, or `undefined` when unknown or expired. */
export async function retrieve(hash: string, options: RetrieveOptions = {}): Promise<string | undefined> {
  if (typeof hash !== 'string') {
    throw new HeadroomError('invalid_input', `retrieve: hash must be a string, got ${typeof hash}`);
  }
  const store = options.store ?? defaultStore;
  const original = await store.get(hash.trim());
  return original ?? undefined;
}

const DESCRIPTION =
  'Get back the full original of a tool output that Headroom shortened. ' +
  'Call it with the hash from a marker such as headroom_retrieve("3f9a2c7b1e04d5a6a1b2c3d4") ' +
  'or {"_headroom": ..., "retrieve": "3f9a2c7b1e04d5a6a1b2c3d4"} when the omitted part matters.';

const PARAMETERS = {
  type: 'object',
  properties: {
    hash: { type: 'string', description: 'The 24-character hash from the Headroom marker.' },
  },
  required: ['hash'],
  additionalProperties: false,
} as const;

/** The tool's JSON Schema (draft-07 compatible). */
export type RetrieveToolParameters = typeof PARAMETERS;

/** What the tool answers for a hash: the original, or a sentence the model can act on. */
export async function answerRetrieve(input: unknown, options: RetrieveOptions = {}): Promise<string> {
  const hash = (input as { hash?: unknown } | null)?.hash;
  if (typeof hash !== 'string' || !HASH.test(hash.trim())) {
    return `headroom_retrieve: expected {"hash": "<24 hex characters>"}, got ${JSON.stringify(input)}`;
  }
  const original = await retrieve(hash, options);
  return original ?? `headroom_retrieve: no original stored under ${hash.trim()} (unknown or expired)`;
}

/** Tool definitions for the raw SDKs, one per request format. */
export const retrieveToolDefinitions = Object.freeze({
  /** For `@anthropic-ai/sdk`: `tools: [retrieveToolDefinitions.anthropic]`. */
  anthropic: Object.freeze({ name: RETRIEVE_TOOL_NAME, description: DESCRIPTION, input_schema: PARAMETERS }),
  /** For `openai` Chat Completions. */
  openaiChat: Object.freeze({
    type: 'function' as const,
    function: Object.freeze({ name: RETRIEVE_TOOL_NAME, description: DESCRIPTION, parameters: PARAMETERS }),
  }),
  /** For `openai` Responses. */
  openaiResponses: Object.freeze({
    type: 'function' as const,
    name: RETRIEVE_TOOL_NAME,
    description: DESCRIPTION,
    parameters: PARAMETERS,
    strict: false,
  }),
});

/** Minimal Standard Schema (standardschema.dev) with a JSON Schema converter: what the `ai` package accepts as `inputSchema`. */
export interface RetrieveInputSchema {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => { readonly value: { hash: string }; readonly issues?: undefined } | { readonly issues: ReadonlyArray<{ readonly message: string }> };
    readonly types?: { readonly input: { hash: string }; readonly output: { hash: string } } | undefined;
    readonly jsonSchema: {
      readonly input: (options: { readonly target: string }) => Record<string, unknown>;
      readonly output: (options: { readonly target: string }) => Record<string, unknown>;
    };
  };
}

/** A Vercel AI SDK tool (the shape `tool()` from `ai` returns). */
export interface HeadroomRetrieveTool {
  description: string;
  inputSchema: RetrieveInputSchema;
  execute: (input: { hash: string }, options?: unknown) => Promise<string>;
}

function inputSchema(): RetrieveInputSchema {
  const schema = () => JSON.parse(JSON.stringify(PARAMETERS)) as Record<string, unknown>;
  return {
    '~standard': {
      version: 1,
      vendor: 'headroom',
      validate(value) {
        const hash = (value as { hash?: unknown } | null)?.hash;
        if (value && typeof value === 'object' && typeof hash === 'string') return { value: { hash } };
        return { issues: [{ message: 'expected {"hash": string}' }] };
      },
      jsonSchema: { input: schema, output: schema },
    },
  };
}

/**
 * A ready `headroom_retrieve` tool for Vercel AI SDK apps, reading `store`
 * (default: the shared in-memory store):
 *
 * ```ts
 * generateText({ model, tools: { headroom_retrieve: createRetrieveTool() }, ... })
 * ```
 *
 * Built without importing `ai`, so `ai` stays an optional peer dependency.
 */
export function createRetrieveTool(options: RetrieveOptions = {}): HeadroomRetrieveTool {
  return {
    description: DESCRIPTION,
    inputSchema: inputSchema(),
    execute: (input) => answerRetrieve(input, options),
  };
}

/** `createRetrieveTool()` over the shared in-memory store. */
export const headroomRetrieveTool: HeadroomRetrieveTool = createRetrieveTool();
