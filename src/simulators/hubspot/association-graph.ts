/**
 * Associations as HubSpot keeps them: directed edges with type ids, always stored in both
 * directions (contact→company 279 implies company→contact 280), so reads from either side
 * are one map lookup.
 */
import { inverseTypeId, type ObjectType } from './schema.js';

type Edges = Map<ObjectType, Map<string, Set<number>>>;

export interface AssociationEdge {
  fromType: ObjectType;
  fromId: string;
  toType: ObjectType;
  toId: string;
  typeIds: number[];
}

export class AssociationGraph {
  private edges = new Map<string, Edges>();

  /** Returns false when every type id was already present (nothing changed). */
  add(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number): boolean {
    const inverse = inverseTypeId(fromType, toType, typeId);
    const added = this.addDirected(fromType, fromId, toType, toId, typeId);
    if (inverse !== undefined) this.addDirected(toType, toId, fromType, fromId, inverse);
    return added;
  }

  /** Removes every association between the two records; false when there was none. */
  removeAll(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): boolean {
    const forward = this.edges.get(`${fromType}:${fromId}`)?.get(toType)?.delete(toId) ?? false;
    this.edges.get(`${toType}:${toId}`)?.get(fromType)?.delete(fromId);
    return forward;
  }

  /** toId → type ids, in insertion order. */
  targets(fromType: ObjectType, fromId: string, toType: ObjectType): ReadonlyMap<string, Set<number>> {
    return this.edges.get(`${fromType}:${fromId}`)?.get(toType) ?? EMPTY;
  }

  /** Every edge leaving one record, for merges and state dumps. */
  outgoing(fromType: ObjectType, fromId: string): AssociationEdge[] {
    const out: AssociationEdge[] = [];
    const byType = this.edges.get(`${fromType}:${fromId}`);
    if (!byType) return out;
    for (const [toType, targets] of byType) {
      for (const [toId, typeIds] of targets) out.push({ fromType, fromId, toType, toId, typeIds: [...typeIds] });
    }
    return out;
  }

  /** Forgets a record entirely (after a merge moved its edges away). */
  dropRecord(type: ObjectType, id: string): void {
    for (const edge of this.outgoing(type, id)) this.removeAll(type, id, edge.toType, edge.toId);
    this.edges.delete(`${type}:${id}`);
  }

  clear(): void {
    this.edges.clear();
  }

  private addDirected(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number): boolean {
    const fromKey = `${fromType}:${fromId}`;
    let byType = this.edges.get(fromKey);
    if (!byType) this.edges.set(fromKey, (byType = new Map()));
    let targets = byType.get(toType);
    if (!targets) byType.set(toType, (targets = new Map()));
    let typeIds = targets.get(toId);
    if (!typeIds) targets.set(toId, (typeIds = new Set()));
    if (typeIds.has(typeId)) return false;
    typeIds.add(typeId);
    return true;
  }
}

const EMPTY: ReadonlyMap<string, Set<number>> = new Map();
