/**
 * HubSpot → canonical, as pure functions. Every HubSpot property arrives as a string; the
 * shared helpers in canonical/values.ts turn them into the same typed values the Salesforce
 * normalizer produces, so a consumer cannot tell the CRMs apart.
 *
 * Associations come in the v3 `associations` payload, keyed by the target object
 * ("companies"). A key that is present means the links of that kind were read (possibly
 * none): its kind goes into associationKinds, and the store replaces those links.
 */
import type { FieldDefs } from '../../canonical/fields.js';
import type {
  CanonicalActivity,
  CanonicalAssociation,
  CanonicalCompany,
  CanonicalContact,
  CanonicalDeal,
  CanonicalKind,
  CanonicalOwner,
  CustomValue,
  NormalizedRecord,
} from '../../canonical/types.js';
import {
  cleanString,
  htmlToText,
  looksLikeHtml,
  normalizeDomain,
  normalizeEmail,
  toBoolean,
  toCustomValue,
  toInteger,
  toIsoUtc,
  toLabeled,
  toMoney,
} from '../../canonical/values.js';
import type { RawRecord } from '../types.js';
import { hubspotObjectSchema, ownerSchema, type HubspotObject } from './schemas.js';
import { ACTIVITY_TYPES, ASSOCIATION_KIND, isObjectStream, lastModifiedProperty, PRIMARY_TYPE_IDS, SINGULAR, type ObjectStream } from './streams.js';

export interface NormalizeOptions {
  /** The portal's company currency: HubSpot amounts without a currency code are in it. */
  defaultCurrency: string | null;
}

type Props = HubspotObject['properties'];

/** Engagement properties per object: subject, body (HTML or text) and when it happened. */
const ENGAGEMENT_FIELDS: Record<string, { subject: string | null; body: readonly string[]; occurredAt: readonly string[] }> = {
  emails: { subject: 'hs_email_subject', body: ['hs_email_html', 'hs_email_text'], occurredAt: ['hs_timestamp'] },
  calls: { subject: 'hs_call_title', body: ['hs_call_body'], occurredAt: ['hs_timestamp'] },
  meetings: { subject: 'hs_meeting_title', body: ['hs_meeting_body'], occurredAt: ['hs_timestamp', 'hs_meeting_start_time'] },
  notes: { subject: null, body: ['hs_note_body'], occurredAt: ['hs_timestamp'] },
  tasks: { subject: 'hs_task_subject', body: ['hs_task_body'], occurredAt: ['hs_timestamp'] },
};

export function normalizeHubspotRecord(stream: string, raw: RawRecord, defs: FieldDefs, options: NormalizeOptions): NormalizedRecord {
  if (stream === 'owners') return normalizeOwner(raw);
  if (!isObjectStream(stream)) throw new Error(`HubSpot stream ${stream} cannot be normalized`);
  const object = hubspotObjectSchema.parse(raw);
  const { associations, associationKinds } = readAssociations(stream, object);
  const base = {
    remoteId: object.id,
    remoteCreatedAt: toIsoUtc(object.createdAt ?? object.properties.createdate ?? object.properties.hs_createdate),
    remoteUpdatedAt: toIsoUtc(object.updatedAt ?? object.properties[lastModifiedProperty(stream)]),
    deleted: object.archived === true,
  };
  const props = object.properties;
  const absorbedRemoteIds = splitIds(props.hs_merged_object_ids);
  const customFields = customFieldsOf(props, defs);
  const ownerRemoteId = cleanString(props.hubspot_owner_id);

  switch (stream) {
    case 'contacts': {
      const record: CanonicalContact = {
        kind: 'CONTACT',
        ...base,
        remoteType: 'contact',
        email: normalizeEmail(props.email),
        firstName: cleanString(props.firstname),
        lastName: cleanString(props.lastname),
        title: cleanString(props.jobtitle),
        phone: cleanString(props.phone) ?? cleanString(props.mobilephone),
        companyRemoteId: primaryTarget(associations, 'COMPANY') ?? cleanString(props.associatedcompanyid),
        ownerRemoteId,
        lifecycleStage: toLabeled(props.lifecyclestage, defs.get('lifecyclestage')),
        leadStatus: toLabeled(props.hs_lead_status, defs.get('hs_lead_status')),
        customFields,
        mergedIntoRemoteId: null,
      };
      return { record, associations, associationKinds, absorbedRemoteIds, raw };
    }
    case 'companies': {
      const record: CanonicalCompany = {
        kind: 'COMPANY',
        ...base,
        name: cleanString(props.name),
        domain: normalizeDomain(props.domain) ?? normalizeDomain(props.website),
        industry: toLabeled(props.industry, defs.get('industry')),
        employeeCount: toInteger(props.numberofemployees),
        annualRevenue: toMoney(props.annualrevenue, options.defaultCurrency),
        city: cleanString(props.city),
        country: cleanString(props.country),
        ownerRemoteId,
        customFields,
        mergedIntoRemoteId: null,
      };
      return { record, associations, associationKinds, absorbedRemoteIds, raw };
    }
    case 'deals': {
      const stage = toLabeled(props.dealstage, defs.get('dealstage'));
      const closed = dealClosedState(props, stage?.value ?? null);
      const record: CanonicalDeal = {
        kind: 'DEAL',
        ...base,
        name: cleanString(props.dealname),
        amount: toMoney(props.amount, cleanString(props.deal_currency_code) ?? options.defaultCurrency),
        stage,
        pipeline: toLabeled(props.pipeline, defs.get('pipeline'))?.label ?? null,
        closeDate: toIsoUtc(props.closedate),
        isClosed: closed.isClosed,
        isWon: closed.isWon,
        companyRemoteId: primaryTarget(associations, 'COMPANY'),
        ownerRemoteId,
        customFields,
        mergedIntoRemoteId: null,
      };
      return { record, associations, associationKinds, absorbedRemoteIds, raw };
    }
    default: {
      const fields = ENGAGEMENT_FIELDS[stream]!;
      const body = firstValue(props, fields.body);
      const html = looksLikeHtml(body) ? cleanString(body) : null;
      const record: CanonicalActivity = {
        kind: 'ACTIVITY',
        ...base,
        remoteType: stream,
        activityType: ACTIVITY_TYPES[stream]!,
        subject: fields.subject ? cleanString(props[fields.subject]) : null,
        bodyText: html !== null ? htmlToText(html) : cleanString(body),
        bodyHtml: html,
        occurredAt: toIsoUtc(firstValue(props, fields.occurredAt)) ?? base.remoteCreatedAt,
        ownerRemoteId,
        customFields,
      };
      return { record, associations, associationKinds, absorbedRemoteIds, raw };
    }
  }
}

function normalizeOwner(raw: RawRecord): NormalizedRecord {
  const owner = ownerSchema.parse(raw);
  const record: CanonicalOwner = {
    kind: 'OWNER',
    remoteId: owner.id,
    remoteCreatedAt: toIsoUtc(owner.createdAt),
    remoteUpdatedAt: toIsoUtc(owner.updatedAt),
    // A deactivated user stays an owner of their records: inactive, not deleted.
    deleted: false,
    email: normalizeEmail(owner.email),
    firstName: cleanString(owner.firstName),
    lastName: cleanString(owner.lastName),
    active: owner.archived !== true,
  };
  return { record, associations: [], associationKinds: [], absorbedRemoteIds: [], raw };
}

/** HubSpot's own hs_is_closed / hs_is_closed_won when present (custom pipelines), else the default stages. */
function dealClosedState(props: Props, stage: string | null): { isClosed: boolean | null; isWon: boolean | null } {
  const isClosed = toBoolean(props.hs_is_closed);
  const isWon = toBoolean(props.hs_is_closed_won);
  if (isClosed !== null) return { isClosed, isWon: isWon ?? false };
  if (stage === null) return { isClosed: null, isWon: null };
  if (stage === 'closedwon') return { isClosed: true, isWon: true };
  if (stage === 'closedlost') return { isClosed: true, isWon: false };
  return { isClosed: false, isWon: false };
}

function readAssociations(stream: ObjectStream, object: HubspotObject): { associations: CanonicalAssociation[]; associationKinds: CanonicalKind[] } {
  const associations: CanonicalAssociation[] = [];
  const associationKinds: CanonicalKind[] = [];
  for (const [toObject, set] of Object.entries(object.associations ?? {})) {
    const toKind = ASSOCIATION_KIND[toObject];
    if (!toKind || associationKinds.includes(toKind)) continue;
    associationKinds.push(toKind);
    const primaryName = PRIMARY_TYPE_IDS[`${stream}→${toObject}`] !== undefined && isObjectStream(toObject) ? `${SINGULAR[stream]}_to_${SINGULAR[toObject]}` : null;
    // One row per (target, type) in the payload; one link per target here.
    const byTarget = new Map<string, CanonicalAssociation>();
    for (const row of set.results) {
      const link = byTarget.get(row.id) ?? { toKind, toRemoteId: row.id, label: null, isPrimary: false };
      if (primaryName !== null && row.type === primaryName) link.isPrimary = true;
      byTarget.set(row.id, link);
    }
    associations.push(...byTarget.values());
  }
  return { associations, associationKinds };
}

function primaryTarget(associations: CanonicalAssociation[], kind: CanonicalKind): string | null {
  const ofKind = associations.filter((a) => a.toKind === kind);
  return (ofKind.find((a) => a.isPrimary) ?? ofKind[0])?.toRemoteId ?? null;
}

function customFieldsOf(props: Props, defs: FieldDefs): Record<string, CustomValue> {
  const out: Record<string, CustomValue> = {};
  for (const [name, value] of Object.entries(props)) {
    const def = defs.get(name);
    if (def?.custom) out[name] = toCustomValue(value, def);
  }
  return out;
}

function firstValue(props: Props, names: readonly string[]): string | number | boolean | null {
  for (const name of names) {
    const value = props[name];
    if (cleanString(value) !== null) return value ?? null;
  }
  return null;
}

function splitIds(value: unknown): string[] {
  return (cleanString(value)?.split(';') ?? []).map((v) => v.trim()).filter((v) => v !== '');
}
