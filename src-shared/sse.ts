/**
 * Incremental Server-Sent Events parser for the control API's event stream
 * (`GET /control/events`). Both readers use it: the desktop shell attached to a running engine
 * (src-main/shell/attach.ts) and the UI's browser bridge (src-renderer), which read the stream
 * with fetch because EventSource cannot send the Authorization header.
 *
 * The subset the control transport sends: `data:` lines (several join with "\n"), `:` comment
 * lines (keep-alive pings) and a blank line that dispatches the message. Other fields
 * (`event:`, `id:`, `retry:`) are ignored: the transport never sends them and every payload
 * is a self-describing JSON {@link ControlEvent}. Line ends may be LF, CRLF or a lone CR, and
 * chunks may split anywhere, even inside a CRLF pair.
 *
 * Pure TypeScript: no Node or DOM imports, so the renderer can use it.
 * May import: nothing.
 */

/** Stateful parser: `push(text)` returns the `data` payloads of the messages that chunk completes. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];

  /** Feeds a chunk of decoded text; returns the data of every message it completes, in order. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    let end: number;
    while ((end = this.nextLineEnd()) >= 0) {
      const line = this.buffer.slice(0, end);
      // A CRLF pair is one line end; a lone CR or LF is one too.
      const skip = this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? 2 : 1;
      this.buffer = this.buffer.slice(end + skip);
      if (line === '') {
        // A blank line with no data before it (e.g. after a comment) dispatches nothing.
        if (this.data.length > 0) out.push(this.data.join('\n'));
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      if (field !== 'data') continue;
      const value = colon < 0 ? '' : line.slice(colon + 1);
      this.data.push(value.startsWith(' ') ? value.slice(1) : value);
    }
    return out;
  }

  /** Index of the next complete line end in the buffer, or -1. */
  private nextLineEnd(): number {
    const n = this.buffer.indexOf('\n');
    const r = this.buffer.indexOf('\r');
    const first = n < 0 ? r : r < 0 ? n : Math.min(n, r);
    // A CR at the very end may be the first half of CRLF: wait for the next chunk.
    if (first >= 0 && first === this.buffer.length - 1 && this.buffer[first] === '\r') return -1;
    return first;
  }
}
