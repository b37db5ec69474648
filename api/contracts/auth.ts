import { z } from 'zod';
import { Timestamp } from './common';

export const Jwt = z.jwt();

export const LoginResponse = z.object({
  token: Jwt,
  tokenType: z.literal('Bearer'),
  expiresIn: z.int().positive(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const User = z.object({
  id: z.string().min(1),
  email: z.email(),
  role: z.enum(['user', 'admin']),
  createdAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const UserList = z.object({ users: z.array(User) });
