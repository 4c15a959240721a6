import { z } from 'zod';
import { timestamp } from '../openapi/schemas.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';

export const emailField = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));
export const passwordField = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
export const displayNameField = z.string().trim().min(1).max(100);
export const deviceNameField = z.string().trim().min(1).max(100);

export const setupBody = z.strictObject({
  email: emailField,
  password: passwordField,
  displayName: displayNameField.optional(),
});

export const loginBody = z.strictObject({
  email: emailField,
  // Only the length is checked here: a short password is simply wrong, and answers the same 401.
  password: z.string().min(1).max(PASSWORD_MAX),
  deviceName: deviceNameField.optional(),
});

export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200).optional() });

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: passwordField,
});

export const idParams = z.strictObject({ id: z.uuid('must be a UUID') });

export const deviceStartBody = z.strictObject({ deviceName: deviceNameField.optional() }).optional();
export const userCodeBody = z.strictObject({ userCode: z.string().trim().min(1).max(20) });
export const deviceTokenBody = z.strictObject({ deviceCode: z.string().min(1).max(200) });

// Answers.

/** A user as the API shows one (publicUser()): never the password hash. */
export const publicUserSchema = z
  .strictObject({
    id: z.uuid(),
    email: z.string(),
    role: z.enum(['USER', 'ADMIN']),
    displayName: z.string().nullable(),
    active: z.boolean(),
    createdAt: timestamp(),
  })
  .meta({ id: 'User' });

export const userResponse = z.strictObject({ user: publicUserSchema });

export const tokensResponse = z
  .strictObject({
    accessToken: z.string(),
    refreshToken: z.string(),
    /** Seconds until the access token expires. */
    expiresIn: z.number().int(),
    user: publicUserSchema,
  })
  .meta({ id: 'Tokens' });

export const meResponse = z.strictObject({ user: publicUserSchema, sessionId: z.uuid() });

export const sessionsResponse = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.uuid(),
      deviceName: z.string().nullable(),
      ip: z.string().nullable(),
      createdAt: timestamp(),
      lastUsedAt: timestamp(),
      expiresAt: timestamp(),
      /** The session making this request. */
      current: z.boolean(),
    }),
  ),
});

export const deviceStartResponse = z.strictObject({
  deviceCode: z.string(),
  userCode: z.string(),
  verificationUri: z.url(),
  verificationUriComplete: z.url(),
  interval: z.number().int(),
  expiresIn: z.number().int(),
});

export const deviceDecisionResponse = z.strictObject({ approved: z.boolean() });
