/**
 * Fault injection shared by both CRM simulators. Tests and benchmarks register rules
 * ("the next 3 calls to /search answer 429", "10% of calls take 2 s", "reset the socket on
 * call 5") and each simulator asks `next(method, path)` before serving a request.
 * Probabilistic rules draw from a seeded PRNG so a failing run can be replayed exactly.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { Random } from '../world/random.js';

export type FaultKind = 'latency' | 'status' | 'rateLimit' | 'reset' | 'malformedJson' | 'expireToken';

export interface FaultRule {
  id: string;
  /** Regex source tested against "METHOD /path" (path without the query string); absent = every call. */
  match?: string;
  kind: FaultKind;
  /** Probability 0..1 that a matching call is hit; absent = always. */
  rate?: number;
  /** Only the next N matching calls that would be hit; absent = unlimited. */
  count?: number;
  /** Let this many matching calls through before the rule starts. */
  afterCalls?: number;
  latencyMs?: number;
  /** HTTP status for kind 'status' (default 503). */
  status?: number;
  /** For 'rateLimit': sent as Retry-After when present. */
  retryAfterSeconds?: number;
}

export type FaultRuleInput = Omit<FaultRule, 'id'>;

/** Parses rules arriving over a simulator's HTTP control API. */
export const faultRuleInputSchema = z.object({
  match: z.string().optional(),
  kind: z.enum(['latency', 'status', 'rateLimit', 'reset', 'malformedJson', 'expireToken']),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  afterCalls: z.number().int().nonnegative().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
});

interface RuleState {
  rule: FaultRule;
  pattern: RegExp | null;
  matched: number;
  fired: number;
}

export class FaultInjector {
  private rules: RuleState[] = [];
  private nextId = 1;
  private random: Random;

  constructor(private readonly seed = 1) {
    this.random = new Random(seed);
  }

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: `fault-${this.nextId++}` };
    this.rules.push({ rule, pattern: input.match ? new RegExp(input.match) : null, matched: 0, fired: 0 });
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((state) => state.rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule and restarts the PRNG, so a test starts from a known state. */
  clear(): void {
    this.rules = [];
    this.random = new Random(this.seed);
  }

  list(): FaultRule[] {
    return this.rules.map((state) => state.rule);
  }

  /** The first rule that hits this call, if any. Counting is per rule: every matching rule
   * sees the call, so `afterCalls` means "after N calls to this endpoint" for each rule. */
  next(method: string, path: string): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    const target = `${method.toUpperCase()} ${path}`;
    let hit: RuleState | undefined;
    for (const state of this.rules) {
      if (state.pattern && !state.pattern.test(target)) continue;
      state.matched++;
      if (hit) continue;
      if (state.rule.afterCalls !== undefined && state.matched <= state.rule.afterCalls) continue;
      if (state.rule.count !== undefined && state.fired >= state.rule.count) continue;
      if (state.rule.rate !== undefined && !(this.random.next() < state.rule.rate)) continue;
      state.fired++;
      hit = state;
    }
    // Exhausted count rules are dropped so list() shows what is still armed.
    this.rules = this.rules.filter((s) => s.rule.count === undefined || s.fired < s.rule.count);
    return hit?.rule;
  }
}

/** How a simulator writes its own CRM's error bodies for the faults that have one. */
export interface FaultResponders {
  status(res: ServerResponse, status: number): void;
  rateLimit(res: ServerResponse, rule: FaultRule): void;
  expireToken(res: ServerResponse, rule: FaultRule): void;
}

/**
 * Applies a rule to a response. Returns true when the response is finished (the simulator
 * must not serve the request), false when the request should go on (after latency).
 */
export async function applyFault(rule: FaultRule, res: ServerResponse, responders: FaultResponders): Promise<boolean> {
  switch (rule.kind) {
    case 'latency':
      await sleep(rule.latencyMs ?? 1000);
      return false;
    case 'status':
      responders.status(res, rule.status ?? 503);
      return true;
    case 'rateLimit':
      responders.rateLimit(res, rule);
      return true;
    case 'expireToken':
      responders.expireToken(res, rule);
      return true;
    case 'reset':
      // A dropped connection: the client sees ECONNRESET / "other side closed", no status.
      res.socket?.resetAndDestroy();
      return true;
    case 'malformedJson':
      // A 200 whose body is cut mid-document, as when a proxy truncates a response.
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end('{"results":[{"id":"1","properties":{"email":"trunc');
      return true;
  }
}
