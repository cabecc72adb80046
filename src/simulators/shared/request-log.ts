/**
 * The last N CRM calls a simulator served, so tests can assert "the connector made 3 calls"
 * or "it honoured Retry-After" without a proxy. A ring buffer keeps memory flat under load.
 */
export interface RequestLogEntry {
  method: string;
  /** Path with query string, as the client sent it. */
  path: string;
  status: number;
  /** Epoch ms when the request arrived. */
  at: number;
  durationMs: number;
}

export class RequestLog {
  private entries: (RequestLogEntry | undefined)[];
  private start = 0;
  private size = 0;
  /** Every call since the last clear, including those that fell out of the buffer. */
  total = 0;

  constructor(private readonly capacity = 2000) {
    this.entries = new Array<RequestLogEntry | undefined>(capacity);
  }

  push(entry: RequestLogEntry): void {
    this.total++;
    const index = (this.start + this.size) % this.capacity;
    this.entries[index] = entry;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first. */
  list(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const entry = this.entries[(this.start + i) % this.capacity];
      if (entry) out.push(entry);
    }
    return out;
  }

  clear(): void {
    this.entries = new Array<RequestLogEntry | undefined>(this.capacity);
    this.start = 0;
    this.size = 0;
    this.total = 0;
  }
}
