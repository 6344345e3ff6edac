/**
 * The plan link's token: the conversation key and its creation time, sealed with AES-256-GCM
 * under a key derived from the server's secret (the observatory salt). Nothing is stored: the
 * token is unguessable (an authenticated ciphertext with a random IV), a fresh conversation on
 * the same key has another creation time (so « oublier mes données » then a new start does not
 * revive an old link), and a guessed or altered token fails the authentication tag, in the same
 * work whatever its contents — the route answers 404 before touching the store.
 *
 * The IV is synthetic (an HMAC of the plaintext under a second derived key, as in AES-SIV): the
 * same conversation always gets the same link — in the chat, in the restored transcript, on
 * every channel — and two different conversations never share an IV.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/** What a token names: one conversation, as it was created. */
export interface PlanRef {
  readonly key: string;
  readonly createdAt: number;
}

/** Seals and opens plan tokens. */
export interface PlanSealer {
  seal(ref: PlanRef): string;
  /** The conversation a token names, or undefined for anything we did not seal. */
  open(token: string): PlanRef | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longest token we try to open (a key is at most 300 characters). */
export const MAX_TOKEN_LENGTH = 512;
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Derives a plan key from the server secret: the salt itself never encrypts anything. */
export function planKey(secret: Buffer | string, use: 'seal' | 'iv' = 'seal'): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'clic-centre-ville', `plan-token-v1-${use}`, 32));
}

/** Creates the sealer over a server secret (at least 16 bytes). */
export function createPlanSealer(secret: Buffer | string): PlanSealer {
  if (Buffer.byteLength(secret) < 16) throw new Error('plan secret: at least 16 bytes');
  const key = planKey(secret);
  const ivKey = planKey(secret, 'iv');
  return {
    seal({ key: conversation, createdAt }) {
      const plain = `${createdAt.toString(36)}.${conversation}`;
      const iv = createHmac('sha256', ivKey).update(plain, 'utf8').digest().subarray(0, IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(token) {
      if (token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return undefined;
      const raw = Buffer.from(token, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES + 3) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      let text: string;
      try {
        text = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return undefined;
      }
      const dot = text.indexOf('.');
      const createdAt = Number.parseInt(text.slice(0, dot), 36);
      if (dot < 1 || !Number.isSafeInteger(createdAt)) return undefined;
      return { key: text.slice(dot + 1), createdAt };
    },
  };
}
