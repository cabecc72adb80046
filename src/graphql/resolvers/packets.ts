import type { GraphqlContext } from '../context.js';
import { requireScope } from '../context.js';
import { contactIdList, id, maxTokens, packetOptions, parseInput } from '../inputs.js';
import { buildPacket } from '../packet/build.js';
import { renderPacketText } from '../packet/text.js';
import type { PacketData } from '../packet/types.js';

interface PacketArgs {
  contactId: string;
  options?: unknown;
}

interface PacketsArgs {
  contactIds: string[];
  options?: unknown;
}

function deps(ctx: GraphqlContext) {
  return { loaders: ctx.loaders, staleAfterHours: ctx.config.STALE_AFTER_HOURS, now: ctx.now };
}

export const packetResolvers = {
  Query: {
    contextPacket(_: unknown, args: PacketArgs, ctx: GraphqlContext): Promise<PacketData> {
      requireScope(ctx, 'context:read');
      const contactId = parseInput(id, args.contactId, 'contactId');
      return buildPacket(contactId, parseInput(packetOptions, args.options, 'options'), deps(ctx));
    },
    /**
     * Each position is its own promise, so an unknown id fails only its position (GraphQL
     * puts null there with an error whose path ends in the index), and all packets build in
     * the same DataLoader waves.
     */
    contextPackets(_: unknown, args: PacketsArgs, ctx: GraphqlContext): Promise<PacketData>[] {
      requireScope(ctx, 'context:read');
      const ids = parseInput(contactIdList, args.contactIds, 'contactIds');
      const options = parseInput(packetOptions, args.options, 'options');
      return ids.map((contactId) => buildPacket(contactId, options, deps(ctx)));
    },
  },
  ContextPacket: {
    text(packet: PacketData, args: { maxTokens: number }): string {
      return renderPacketText(packet, parseInput(maxTokens, args.maxTokens, 'maxTokens'));
    },
  },
};
