import { z } from 'zod';
import { displayNameField, emailField, passwordField, publicUserSchema } from '../auth/schemas.js';
import { pagingQuery } from '../http/paging.js';

export const role = z.enum(['USER', 'ADMIN']);

export const listUsersQuery = z.strictObject({ ...pagingQuery, q: z.string().trim().max(254).optional() });

export const createUserBody = z.strictObject({
  email: emailField,
  password: passwordField,
  role: role.default('USER'),
  displayName: displayNameField.optional(),
});

export const updateUserBody = z
  .strictObject({
    role: role.optional(),
    active: z.boolean().optional(),
    password: passwordField.optional(),
    displayName: displayNameField.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });

export const usersPage = z.strictObject({
  items: z.array(publicUserSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
