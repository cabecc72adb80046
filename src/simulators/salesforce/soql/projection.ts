/**
 * Shapes query rows the way the REST API does: `attributes` first, selected fields in order, and
 * parent relationships as nested objects (`"Account": {"attributes": …, "Name": …}`) or null.
 */
import type { FieldDef, ObjectDef } from '../schema.js';
import type { RecordValues } from '../store.js';
import type { FieldValue } from '../values.js';
import type { FieldPath } from './ast.js';
import { parentOf, resolveField, type RecordLookup } from './fields.js';

interface RelationshipNode {
  kind: 'relationship';
  reference: FieldDef;
  name: string;
  child: ProjectionNode;
}

interface ScalarNode {
  kind: 'field';
  name: string;
}

export interface ProjectionNode {
  items: (ScalarNode | RelationshipNode)[];
}

export type JsonRecord = { [key: string]: FieldValue | JsonRecord | { type: string; url: string } };

export function buildProjection(lookup: RecordLookup, root: ObjectDef, paths: FieldPath[]): ProjectionNode {
  const top: ProjectionNode = { items: [] };
  for (const rawPath of paths) {
    const resolved = resolveField(lookup, root, rawPath);
    let node = top;
    for (const hop of resolved.hops) {
      const name = hop.relationshipName ?? hop.name;
      let relationship = node.items.find((item): item is RelationshipNode => item.kind === 'relationship' && item.name === name);
      if (!relationship) {
        relationship = { kind: 'relationship', reference: hop, name, child: { items: [] } };
        node.items.push(relationship);
      }
      node = relationship.child;
    }
    const leafName = resolved.leaf.name;
    if (!node.items.some((item) => item.kind === 'field' && item.name === leafName)) {
      node.items.push({ kind: 'field', name: leafName });
    }
  }
  return top;
}

export function recordUrl(apiVersion: string, objectName: string, id: FieldValue): string {
  return `/services/data/v${apiVersion}/sobjects/${objectName}/${String(id)}`;
}

export function projectRecord(
  lookup: RecordLookup,
  objectName: string,
  record: RecordValues,
  node: ProjectionNode,
  apiVersion: string,
): JsonRecord {
  const out: JsonRecord = { attributes: { type: objectName, url: recordUrl(apiVersion, objectName, record.Id ?? null) } };
  for (const item of node.items) {
    if (item.kind === 'field') {
      out[item.name] = record[item.name] ?? null;
    } else {
      const parent = parentOf(lookup, record, item.reference);
      out[item.name] = parent ? projectRecord(lookup, parent.objectName, parent.record, item.child, apiVersion) : null;
    }
  }
  return out;
}
