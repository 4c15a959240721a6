import { z } from 'zod';
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
