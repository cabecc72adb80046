/** Text to find with LIKE/ILIKE (or Prisma's `contains`), matched as written: its wildcards escaped. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}
