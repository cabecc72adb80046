/**
 * HubSpot response shapes, parsed with zod at the boundary. Objects stay loose (extra keys
 * pass through untouched) because the raw record is stored as HubSpot sent it.
 */
import { z } from 'zod';

const id = z.union([z.string(), z.number()]).transform(String);
/** HubSpot sends every property as a string or null; numbers and booleans are tolerated. */
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const v3AssociationSetSchema = z.looseObject({
  results: z.array(z.looseObject({ id, type: z.string() })),
  paging: z.unknown().optional(),
});
export type V3AssociationSet = z.infer<typeof v3AssociationSetSchema>;

export const hubspotObjectSchema = z.looseObject({
  id,
  properties: z.record(z.string(), propertyValue),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
  archivedAt: z.string().optional(),
  associations: z.record(z.string(), v3AssociationSetSchema).optional(),
});
export type HubspotObject = z.infer<typeof hubspotObjectSchema>;

const pagingSchema = z.looseObject({ next: z.looseObject({ after: z.union([z.string(), z.number()]).transform(String) }).optional() }).optional();

export const objectPageSchema = z.looseObject({ results: z.array(hubspotObjectSchema), paging: pagingSchema });
export type ObjectPage = z.infer<typeof objectPageSchema>;

export const searchPageSchema = z.looseObject({ total: z.number().optional(), results: z.array(hubspotObjectSchema), paging: pagingSchema });
export type SearchPage = z.infer<typeof searchPageSchema>;

const batchErrorSchema = z.looseObject({
  status: z.string().optional(),
  category: z.string().optional(),
  message: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
});
export type BatchError = z.infer<typeof batchErrorSchema>;

export const batchObjectsSchema = z.looseObject({
  status: z.string().optional(),
  results: z.array(hubspotObjectSchema.extend({ new: z.boolean().optional() })),
  errors: z.array(batchErrorSchema).optional(),
  numErrors: z.number().optional(),
});
export type BatchObjects = z.infer<typeof batchObjectsSchema>;

export const v4AssociationBatchSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id }),
      to: z.array(
        z.looseObject({
          toObjectId: id,
          associationTypes: z.array(z.looseObject({ category: z.string().optional(), typeId: z.number(), label: z.string().nullable().optional() })),
        }),
      ),
      paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
    }),
  ),
  errors: z.array(batchErrorSchema).optional(),
});

export const propertyDefinitionSchema = z.looseObject({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  fieldType: z.string(),
  groupName: z.string().optional(),
  hubspotDefined: z.boolean().optional(),
  options: z.array(z.looseObject({ label: z.string(), value: z.string(), hidden: z.boolean().optional() })).optional(),
});
export type HubspotPropertyDefinition = z.infer<typeof propertyDefinitionSchema>;
export const propertyListSchema = z.looseObject({ results: z.array(propertyDefinitionSchema) });

export const ownerSchema = z.looseObject({
  id,
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  userId: z.number().nullable().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
});
export type HubspotOwner = z.infer<typeof ownerSchema>;
export const ownerPageSchema = z.looseObject({ results: z.array(ownerSchema), paging: pagingSchema });

export const noContentSchema = z.unknown();
