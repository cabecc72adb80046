import type { AiOutputRecord } from '../store/records.js';
import type { Money, PacketActivity, PacketData } from './types.js';

/**
 * Renders a packet as compact plain text for an LLM prompt, within a token budget.
 *
 * Tokens are estimated as ceil(characters / 4), the usual rule of thumb for English with
 * GPT-style tokenizers; it needs no tokenizer and is the same for every model.
 *
 * When the text is over budget, sections are trimmed and dropped in DROP_ORDER, least
 * valuable first: a section loses its items from the end (oldest or least relevant) one at a
 * time, and goes entirely once it has none left or has no items to lose. The person header is
 * never dropped; if it alone is over budget it is cut. A final line names what was left out.
 * The output depends only on the packet and the budget (no clocks, no locale).
 */
export const MIN_TEXT_TOKENS = 32;
export const MAX_TEXT_TOKENS = 32_000;

export function estimateTokens(text: string): number {
  return tokensForChars(text.length);
}

function tokensForChars(chars: number): number {
  return Math.ceil(chars / 4);
}

type SectionName =
  | 'person'
  | 'ai'
  | 'relationship'
  | 'company'
  | 'recent engagement'
  | 'signals'
  | 'score history'
  | 'freshness'
  | 'sources';

/** Least valuable first. The person section is not listed: it is never dropped. */
export const DROP_ORDER: readonly SectionName[] = [
  'sources',
  'score history',
  'signals',
  'recent engagement',
  'freshness',
  'company',
  'relationship',
  'ai',
];

interface Section {
  name: SectionName;
  head: string[];
  items: string[];
  /** How many items the section had before trimming. */
  total: number;
}

const RATIONALE_CHARS = 600;
const SIGNAL_VALUE_CHARS = 200;

export function renderPacketText(packet: PacketData, maxTokens: number): string {
  const sections = buildSections(packet).filter((s) => s.head.length || s.items.length);
  const dropped: SectionName[] = [];
  // Measured, not rendered: the loop asks after every item it trims.
  const fits = () => tokensForChars(textLength(sections, dropped)) <= maxTokens;

  for (const name of DROP_ORDER) {
    if (fits()) break;
    const index = sections.findIndex((s) => s.name === name);
    const section = sections[index];
    if (!section) continue;
    while (section.items.length > 0 && !fits()) section.items.pop();
    if (section.items.length === 0 || !fits()) {
      sections.splice(index, 1);
      dropped.push(name);
    }
  }
  const text = joinSections(sections, dropped);
  if (estimateTokens(text) <= maxTokens) return text;
  return `${text.slice(0, maxTokens * 4 - 1)}…`;
}

function omittedLine(sections: Section[], dropped: SectionName[]): string | null {
  const omitted = [
    ...sections.filter((s) => s.items.length < s.total).map((s) => `${s.name} (${s.items.length} of ${s.total} shown)`),
    ...dropped,
  ];
  return omitted.length ? `Omitted for length: ${omitted.join(', ')}` : null;
}

function joinSections(sections: Section[], dropped: SectionName[]): string {
  const lines = sections.flatMap((s) => [...s.head, ...s.items]);
  const omitted = omittedLine(sections, dropped);
  if (omitted) lines.push(omitted);
  return lines.join('\n');
}

/** The length of joinSections' text, without building it. */
function textLength(sections: Section[], dropped: SectionName[]): number {
  let chars = 0;
  let lines = 0;
  for (const s of sections) {
    for (const line of s.head) chars += line.length;
    for (const line of s.items) chars += line.length;
    lines += s.head.length + s.items.length;
  }
  const omitted = omittedLine(sections, dropped);
  if (omitted) {
    chars += omitted.length;
    lines++;
  }
  return chars + Math.max(0, lines - 1);
}

function section(name: SectionName, head: string[], items: string[] = []): Section {
  return { name, head, items, total: items.length };
}

function buildSections(p: PacketData): Section[] {
  const person = p.person;
  const who = [person.name ?? 'Unnamed contact', person.title && `${person.title}`].filter(Boolean).join(', ');
  const details = [
    person.email && `email ${person.email}`,
    person.phone && `phone ${person.phone}`,
    person.owner && `owner ${ownerName(person.owner)}`,
    person.tenure && `in role ${person.tenure.months} months (per ${person.tenure.source})`,
  ].filter(Boolean);
  const company = p.company;
  const rel = p.relationship;
  const latest = p.ai.latest;
  const earlier = p.ai.history.filter((o) => o.id !== latest?.id);

  return [
    section('person', [`Contact: ${who}${company?.name ? ` at ${company.name}` : ''}`, ...(details.length ? [details.join('; ')] : [])]),
    section('ai', latest ? [describeLatest(latest)] : ['AI: no score yet']),
    section(
      'relationship',
      [
        `Relationship: ${[
          rel.lifecycleStage && `lifecycle ${rel.lifecycleStage.label}`,
          rel.leadStatus && `lead status ${rel.leadStatus.label}`,
          rel.lastActivity && `last activity ${day(rel.lastActivity.occurredAt)} (${rel.lastActivity.kind})`,
          `in ${rel.providers.join(', ')}`,
        ]
          .filter(Boolean)
          .join('; ')}`,
        ...(rel.openDeals.length ? ['Open deals:'] : []),
      ],
      rel.openDeals.map(
        (d) =>
          `- ${[
            d.name ?? 'Unnamed deal',
            d.amount && formatMoney(d.amount),
            d.stageLabel && `stage ${d.stageLabel}`,
            d.closeDate && `closes ${day(d.closeDate)}`,
            d.role && `role ${d.role}`,
          ]
            .filter(Boolean)
            .join(', ')}`,
      ),
    ),
    section(
      'company',
      company
        ? [
            `Company: ${[
              company.name ?? 'Unnamed company',
              company.domain && `(${company.domain})`,
            ]
              .filter(Boolean)
              .join(' ')}${[
              company.industry && `industry ${company.industry.label}`,
              company.employeeCount !== null && `${company.employeeCount} employees`,
              company.annualRevenue && `revenue ${formatMoney(company.annualRevenue)}`,
              company.location && [company.location.city, company.location.country].filter(Boolean).join(', '),
            ]
              .filter(Boolean)
              .map((part) => `; ${part}`)
              .join('')}`,
          ]
        : [],
    ),
    section('recent engagement', p.recentEngagement.length ? ['Recent engagement (newest first):'] : [], p.recentEngagement.map(describeActivity)),
    section(
      'signals',
      p.signals.length ? ['Signals:'] : [],
      p.signals.map((s) => `- ${s.key}: ${cut(JSON.stringify(s.value) ?? 'null', SIGNAL_VALUE_CHARS)} (${s.source}, ${day(s.observedAt)})`),
    ),
    section(
      'score history',
      earlier.length ? ['Earlier scores:'] : [],
      earlier.map((o) => `- ${day(o.createdAt)}: ${o.score} by ${o.source}`),
    ),
    section('freshness', [
      `Data freshness: oldest sync ${p.freshness.oldestSyncedAt.toISOString()}${p.freshness.stale ? `; STALE (older than ${p.freshness.staleAfterHours}h)` : ''}`,
    ]),
    section(
      'sources',
      p.sources.length ? ['Sources:'] : [],
      p.sources.map((s) => `- ${s.provider} ${s.remoteType} ${s.remoteId} (synced ${s.syncedAt.toISOString()})`),
    ),
  ];
}

function describeLatest(o: AiOutputRecord): string {
  const by = [o.source, o.model].filter(Boolean).join('/');
  const previous = o.previousScore !== null ? ` (previous ${o.previousScore})` : '';
  const playbook = o.playbook ? ` Playbook: ${cut(o.playbook, RATIONALE_CHARS)}` : '';
  return `AI score: ${o.score}/100${previous} by ${by} on ${day(o.createdAt)}. Rationale: ${cut(o.rationale, RATIONALE_CHARS)}${playbook}`;
}

function describeActivity(a: PacketActivity): string {
  const subject = a.subject ? ` "${a.subject}"` : '';
  const summary = a.summary ? `: ${a.summary}` : '';
  return `- ${day(a.occurredAt)} ${a.kind}${subject}${summary}`;
}

function ownerName(o: { firstName: string | null; lastName: string | null; email: string | null }): string {
  const name = [o.firstName, o.lastName].filter(Boolean).join(' ');
  if (name && o.email) return `${name} <${o.email}>`;
  return name || o.email || 'unknown';
}

function day(date: Date | null): string {
  return date ? date.toISOString().slice(0, 10) : 'undated';
}

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** "USD 1,250,000" or "1,250.50": grouping by hand so the output never depends on the locale. */
export function formatMoney(m: Money): string {
  const [whole = '0', fraction] = m.amount.split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = fraction && /[1-9]/.test(fraction) ? `.${fraction}` : '';
  return `${m.currency ? `${m.currency} ` : ''}${negative ? '-' : ''}${grouped}${cents}`;
}
