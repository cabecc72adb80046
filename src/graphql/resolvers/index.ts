import { adminResolvers } from './admin.js';
import { deadLetterResolvers } from './dead-letters.js';
import { listResolvers } from './lists.js';
import { mutationResolvers } from './mutations.js';
import { packetResolvers } from './packets.js';
import { recordResolvers } from './records.js';
import { scalarResolvers } from './scalars.js';

export const resolvers = {
  ...scalarResolvers,
  Query: { ...packetResolvers.Query, ...recordResolvers.Query, ...listResolvers.Query, ...adminResolvers.Query, ...deadLetterResolvers.Query },
  Mutation: { ...mutationResolvers.Mutation, ...adminResolvers.Mutation, ...deadLetterResolvers.Mutation },
  ContextPacket: packetResolvers.ContextPacket,
  Contact: recordResolvers.Contact,
  Company: recordResolvers.Company,
  Deal: recordResolvers.Deal,
  Owner: recordResolvers.Owner,
  AdminConnection: adminResolvers.AdminConnection,
  SyncRun: adminResolvers.SyncRun,
  DeadLetter: deadLetterResolvers.DeadLetter,
};
