/**
 * Incremental Server-Sent Events parser (the subset the control transport uses: `data:`
 * lines, optional `event:`, comments, blank-line dispatch). EventSource cannot send an
 * Authorization header, so the browser bridge reads the stream with fetch and feeds the
 * decoded text here chunk by chunk.
 */

/** One dispatched SSE message. */
export interface SseMessage {
  event: string;
  data: string;
}

/** Stateful parser: `push(text)` returns the messages completed by that chunk. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';

  /** Feeds a chunk of decoded text; returns every message it completes. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = this.nextLineEnd()) >= 0) {
      const line = this.buffer.slice(0, nl);
      // A CRLF pair is one line end; a lone CR is one too.
      const skip = this.buffer[nl] === '\r' && this.buffer[nl + 1] === '\n' ? 2 : 1;
      this.buffer = this.buffer.slice(nl + skip);
      if (line === '') {
        if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.data = [];
        this.event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
    }
    return out;
  }

  private nextLineEnd(): number {
    const n = this.buffer.indexOf('\n');
    const r = this.buffer.indexOf('\r');
    const first = n < 0 ? r : r < 0 ? n : Math.min(n, r);
    // A CR at the very end may be the first half of CRLF: wait for the next chunk.
    if (first >= 0 && this.buffer[first] === '\r' && first === this.buffer.length - 1) return -1;
    return first;
  }
}
