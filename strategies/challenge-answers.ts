/**
 * `CognitoStrategy`: what a later POST answers for the challenges of the password flows (MFA codes,
 * a new password and its required attributes, the MFA type, MFA setup, a CUSTOM_CHALLENGE answer),
 * decided from the fields alone (nothing here calls Cognito); USER_AUTH's steps are
 * `./user-auth-step`'s. Also the readers of Cognito's challenge parameters the strategy shares.
 */
import type { ChallengeAnswer, MfaType } from '../lib/sign-in-engine';
import type { PendingChallenge } from '../middleware/session-tokens';
import { readRequiredAttributes, type FieldResult } from './login-fields';
import type { CognitoFailureInfo } from './types';

/** The fields these answers read. */
export interface ChallengeFields {
  code: FieldResult;
  newPassword: FieldResult;
  mfaType: FieldResult;
  answer: FieldResult;
}

/** What the POST asks for: an answer, a 400 before any call, MFA_SETUP's prompt again, or a challenge this strategy cannot answer. */
export type ChallengeDecision =
  | { kind: 'answer'; answer: ChallengeAnswer }
  | { kind: 'refuse'; info: CognitoFailureInfo }
  | { kind: 'setup' }
  | { kind: 'unsupported' };

/**
 * The answer to `pending` from the posted fields (`names`: the body field names, for the 400s).
 *
 * @example
 * decideChallengeStep(pending, fields, names, req.body); // { kind: 'answer', answer: { challenge: 'SMS_MFA', code: '123456' } }
 */
export function decideChallengeStep(
  pending: PendingChallenge, f: ChallengeFields, names: Record<keyof ChallengeFields, string>, body: unknown,
): ChallengeDecision {
  const challenge = pending.name;
  const refuse = (info: Omit<CognitoFailureInfo, 'challenge'>): ChallengeDecision => ({ kind: 'refuse', info: { ...info, challenge } });
  const need = (key: keyof ChallengeFields): string | ChallengeDecision => {
    const r = f[key];
    if (r.state === 'ok') return r.value;
    return r.state === 'absent'
      ? refuse({ code: 'ERR_COGNITO_MISSING_FIELD', message: `The ${key} is required for ${challenge}.`, field: names[key] })
      : refuse({ code: 'ERR_COGNITO_INVALID_FIELD', message: `The ${key} ${r.reason}.`, field: names[key] });
  };
  switch (challenge) {
    case 'SOFTWARE_TOKEN_MFA':
    case 'SMS_MFA': {
      const code = need('code');
      return typeof code === 'string' ? { kind: 'answer', answer: { challenge, code } } : code;
    }
    case 'NEW_PASSWORD_REQUIRED': {
      const newPassword = need('newPassword');
      if (typeof newPassword !== 'string') return newPassword;
      const attributes = readRequiredAttributes(body, listParameter(challengeParameters(pending.state), 'requiredAttributes') ?? []);
      if ('missing' in attributes) {
        return refuse({
          code: 'ERR_COGNITO_MISSING_FIELD', message: `The attribute ${attributes.missing} is required.`, field: `attributes[${attributes.missing}]`,
        });
      }
      return {
        kind: 'answer',
        answer: { challenge, newPassword, ...(Object.keys(attributes.values).length > 0 ? { attributes: attributes.values } : {}) },
      };
    }
    case 'SELECT_MFA_TYPE': {
      const mfaType = need('mfaType');
      if (typeof mfaType !== 'string') return mfaType;
      const allowed = listParameter(challengeParameters(pending.state), 'MFAS_CAN_CHOOSE');
      if (allowed && !allowed.includes(mfaType)) {
        return refuse({ code: 'ERR_COGNITO_INVALID_FIELD', message: `The mfaType must be one of ${allowed.join(', ')}.`, field: names.mfaType });
      }
      return { kind: 'answer', answer: { challenge, mfaType: mfaType as MfaType } };
    }
    case 'MFA_SETUP': {
      if (f.code.state === 'absent') return { kind: 'setup' };
      const code = need('code');
      return typeof code === 'string' ? { kind: 'answer', answer: { challenge, code } } : code;
    }
    case 'CUSTOM_CHALLENGE': {
      const answer = need('answer');
      return typeof answer === 'string' ? { kind: 'answer', answer: { challenge, answer } } : answer;
    }
    default:
      return { kind: 'unsupported' };
  }
}

/**
 * The `ChallengeParameters` of a pending challenge's state (its `MfaTokens`), or `{}`.
 *
 * @example
 * challengeParameters(pending.state).CODE_DELIVERY_DESTINATION;
 */
export function challengeParameters(state: unknown): Record<string, string> {
  const p = typeof state === 'object' && state !== null ? (state as { ChallengeParameters?: unknown }).ChallengeParameters : undefined;
  return typeof p === 'object' && p !== null ? (p as Record<string, string>) : {};
}

/**
 * A list Cognito sends as JSON text (`MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'`), or `undefined`.
 *
 * @example
 * listParameter(params, 'MFAS_CAN_CHOOSE'); // ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']
 */
export function listParameter(params: Record<string, string>, name: string): string[] | undefined {
  const raw = params[name];
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : undefined;
  } catch {
    return undefined;
  }
}
