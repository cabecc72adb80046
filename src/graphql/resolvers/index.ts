import { listResolvers } from './lists.js';
import { mutationResolvers } from './mutations.js';
import { packetResolvers } from './packets.js';
import { recordResolvers } from './records.js';
import { scalarResolvers } from './scalars.js';

export const resolvers = {
  ...scalarResolvers,
  Query: { ...packetResolvers.Query, ...recordResolvers.Query, ...listResolvers.Query },
  Mutation: mutationResolvers.Mutation,
  ContextPacket: packetResolvers.ContextPacket,
  Contact: recordResolvers.Contact,
  Company: recordResolvers.Company,
  Deal: recordResolvers.Deal,
  Owner: recordResolvers.Owner,
};
