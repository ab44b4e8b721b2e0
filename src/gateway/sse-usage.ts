// Token usage read from a Responses API stream as it passes: the `response.completed` event's
// `usage`, found by scanning SSE `data:` lines without holding the stream back. Pure.

/** One call's tokens, named as Codex names them in `turn.completed.usage`. */
export interface CallTokens {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export const NO_TOKENS: Readonly<CallTokens> = Object.freeze({ input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 });

export class SseUsageScanner {
  #partial = "";
  #usage: CallTokens | null = null;

  /** Feed the next chunk of the stream (any split: lines may cross chunks). */
  push(chunk: Buffer | string): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#line(line);
  }

  /** The usage of the completed response, once its event has passed; null before or without one. */
  get usage(): CallTokens | null {
    if (this.#partial) this.#line(this.#partial);
    this.#partial = "";
    return this.#usage;
  }

  #line(line: string): void {
    // Only the one event that carries usage is parsed; the deltas are not.
    if (!line.startsWith("data:") || !line.includes('"response.completed"')) return;
    try {
      const event = JSON.parse(line.slice(5)) as { type?: string; response?: { usage?: unknown } };
      if (event.type === "response.completed") this.#usage = tokensOf(event.response?.usage) ?? this.#usage;
    } catch {
      // a data line that is not JSON is the provider's business; it carries no usage for us
    }
  }
}

/** The Responses API `usage` object as CallTokens; null when it is not one. */
export function tokensOf(usage: unknown): CallTokens | null {
  if (typeof usage !== "object" || usage === null) return null;
  const u = usage as Record<string, any>;
  return {
    input_tokens: num(u.input_tokens),
    cached_input_tokens: num(u.input_tokens_details?.cached_tokens),
    output_tokens: num(u.output_tokens),
    reasoning_output_tokens: num(u.output_tokens_details?.reasoning_tokens),
  };
}

/** Add `b` into `a`. */
export function addTokens(a: CallTokens, b: Readonly<CallTokens>): void {
  a.input_tokens += b.input_tokens;
  a.cached_input_tokens += b.cached_input_tokens;
  a.output_tokens += b.output_tokens;
  a.reasoning_output_tokens += b.reasoning_output_tokens;
}

/** What a cap counts: every token sent and received (cached input included, as providers bill it). */
export function spentTokens(tokens: Readonly<CallTokens>): number {
  return tokens.input_tokens + tokens.output_tokens;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
