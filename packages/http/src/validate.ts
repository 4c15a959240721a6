import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** Parses one part of the request; a failure names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const prefix = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      // Name each unexpected field itself, not the object that holds it.
      for (const key of issue.keys) fields[prefix ? `${prefix}.${key}` : key] ??= 'is not an accepted field';
      continue;
    }
    fields[prefix || where] ??= issue.message;
  }
  throw new ValidationError(fields, `Invalid ${where}: ${Object.keys(fields).join(', ')}`);
}
