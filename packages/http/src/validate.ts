import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** Parses one part of the request; a failure names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join('.') : where;
    fields[key] ??= issue.message;
  }
  throw new ValidationError(fields, `Invalid ${where}: ${Object.keys(fields).join(', ')}`);
}
