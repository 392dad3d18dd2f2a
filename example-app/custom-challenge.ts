/**
 * The example app's CUSTOM_AUTH sign-in, "a security check": the password is proved first (SRP,
 * never sent), then the pool asks a small sum, three tries. It is written as the three Lambda
 * functions Cognito runs (DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse),
 * with Lambda's event types: the embedded emulator runs them in process (`startEmulator({ triggers })`
 * in `server.ts`); against a real pool, deploy each as that pool's trigger.
 *
 * The answer lives in the private challenge parameters only: the page sees the question.
 */
import { randomInt } from 'node:crypto';
import type {
  CreateAuthChallengeTriggerEvent, DefineAuthChallengeTriggerEvent, VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';

/** Wrong sums allowed before the sign-in fails. */
export const SECURITY_CHECK_TRIES = 3;

/** DefineAuthChallenge: SRP_A → PASSWORD_VERIFIER → the sum, until it is right (tokens) or tried too often (fail). */
export function defineSecurityCheck(event: DefineAuthChallengeTriggerEvent): DefineAuthChallengeTriggerEvent {
  const rounds = event.request.session;
  const last = rounds.at(-1);
  const ask = (challengeName: string) => ({ issueTokens: false, failAuthentication: false, challengeName });
  const sums = rounds.filter((r) => r.challengeName === 'CUSTOM_CHALLENGE');
  if (rounds[0]?.challengeName !== 'SRP_A') {
    // This check starts with the password: a sign-in that sends the username alone gets nowhere.
    event.response = { issueTokens: false, failAuthentication: true, challengeName: '' };
  } else if (last?.challengeName === 'SRP_A') {
    event.response = ask('PASSWORD_VERIFIER');
  } else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) {
    event.response = { issueTokens: true, failAuthentication: false, challengeName: '' };
  } else if (sums.length >= SECURITY_CHECK_TRIES || (last?.challengeName === 'PASSWORD_VERIFIER' && !last.challengeResult)) {
    event.response = { issueTokens: false, failAuthentication: true, challengeName: '' };
  } else {
    event.response = ask('CUSTOM_CHALLENGE');
  }
  return event;
}

/** CreateAuthChallenge: a new sum each round; the result stays private. */
export function createSecurityCheck(event: CreateAuthChallengeTriggerEvent): CreateAuthChallengeTriggerEvent {
  const a = randomInt(2, 10);
  const b = randomInt(2, 10);
  event.response = {
    publicChallengeParameters: { question: `What is ${a} + ${b}?` },
    privateChallengeParameters: { answer: String(a + b) },
    challengeMetadata: 'SUM',
  };
  return event;
}

/** VerifyAuthChallengeResponse: the answer, as digits, against the private result. */
export function verifySecurityCheck(event: VerifyAuthChallengeResponseTriggerEvent): VerifyAuthChallengeResponseTriggerEvent {
  const expected = event.request.privateChallengeParameters.answer;
  event.response = { answerCorrect: typeof expected === 'string' && event.request.challengeAnswer.trim() === expected };
  return event;
}

/** The three triggers, as `startEmulator({ triggers })` takes them. */
export const SECURITY_CHECK_TRIGGERS = {
  DefineAuthChallenge: defineSecurityCheck,
  CreateAuthChallenge: createSecurityCheck,
  VerifyAuthChallengeResponse: verifySecurityCheck,
};
