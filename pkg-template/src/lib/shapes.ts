/**
 * Which API a message list belongs to, and how it travels to the engine. The
 * engine compresses whole request bodies; a message list is wrapped in the
 * smallest body of its shape and unwrapped again afterwards.
 */
import { HeadroomError } from './errors.js';
import type { Shape } from './options.js';

/** The request-body field that holds the conversation, per shape. */
const LIST_FIELD: Record<Shape, string> = {
  anthropic: 'messages',
  'openai-chat': 'messages',
  'openai-responses': 'input',
  vercel: 'prompt',
};

export function listField(shape: Shape): string {
  return LIST_FIELD[shape];
}

export function wrapBody(shape: Shape, messages: unknown[]): Record<string, unknown> {
  return { [LIST_FIELD[shape]]: messages };
}

export function unwrapBody(shape: Shape, body: unknown): unknown[] {
  const list = (body as Record<string, unknown> | null)?.[LIST_FIELD[shape]];
  if (!Array.isArray(list)) {
    throw new HeadroomError('messages_error', `the engine returned a body without its \`${LIST_FIELD[shape]}\` list`);
  }
  return list;
}

/** Part/item types that only one API uses. */
const RESPONSES_ITEM_TYPES = new Set([
  'function_call',
  'function_call_output',
  'reasoning',
  'item_reference',
  'custom_tool_call',
  'custom_tool_call_output',
  'computer_call',
  'computer_call_output',
  'local_shell_call',
  'local_shell_call_output',
  'web_search_call',
  'file_search_call',
  'message',
]);
const RESPONSES_PART_TYPES = new Set(['input_text', 'output_text', 'input_image', 'input_file', 'refusal']);
const ANTHROPIC_PART_TYPES = new Set([
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'document',
]);
const VERCEL_PART_TYPES = new Set(['tool-call', 'tool-result', 'reasoning', 'tool-approval-response', 'tool-approval-request']);

/**
 * Detect the shape of a message list from the parts only one API uses.
 * Lists that say nothing either way (plain text turns) are reported as
 * `undefined`: they contain no tool output, so any shape compresses them to
 * themselves.
 */
export function detectShape(messages: readonly unknown[]): Shape | undefined {
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const m = message as Record<string, unknown>;
    if (typeof m.type === 'string' && RESPONSES_ITEM_TYPES.has(m.type)) return 'openai-responses';
    if (m.role === 'tool' && typeof m.tool_call_id === 'string') return 'openai-chat';
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) return 'openai-chat';
    if (m.role === 'function' || m.role === 'developer') return 'openai-chat';
    if (Array.isArray(m.content)) {
      for (const part of m.content) {
        const type = (part as { type?: unknown } | null)?.type;
        if (typeof type !== 'string') continue;
        if (ANTHROPIC_PART_TYPES.has(type)) return 'anthropic';
        if (VERCEL_PART_TYPES.has(type)) return 'vercel';
        if (RESPONSES_PART_TYPES.has(type)) return 'openai-responses';
      }
    }
  }
  return undefined;
}

/** Check that `messages` is a list of message objects; say precisely what is wrong otherwise. */
export function checkMessages(messages: unknown, where = 'messages'): asserts messages is unknown[] {
  if (!Array.isArray(messages)) {
    const got = messages === null ? 'null' : typeof messages;
    throw new HeadroomError('invalid_input', `${where}: expected an array of messages, got ${got}`);
  }
  messages.forEach((m, i) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      const got = m === null ? 'null' : Array.isArray(m) ? 'array' : typeof m;
      throw new HeadroomError('invalid_input', `${where}[${i}]: expected a message object, got ${got}`);
    }
    const { role, type } = m as { role?: unknown; type?: unknown };
    if (typeof role !== 'string' && typeof type !== 'string') {
      throw new HeadroomError(
        'unknown_shape',
        `${where}[${i}]: not a message of any known shape (no \`role\` or \`type\`); ` +
          'expected Anthropic, OpenAI Chat, OpenAI Responses or Vercel AI SDK messages',
      );
    }
  });
}
