/**
 * A CUSTOM_AUTH trigger trio for tests: a security question ("Favourite colour?", answer "blue"),
 * three tries, then the sign-in fails. SRP first works too: SRP_A → PASSWORD_VERIFIER → the question.
 *
 * @example
 * const pool = await startTestPool({ clientOptions: { ExplicitAuthFlows: CUSTOM_FLOWS }, emulatorOptions: { triggers: QUESTION } });
 */
import type { ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import type {
  CreateAuthChallengeTriggerEvent, DefineAuthChallengeTriggerEvent, VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import type { EmulatorTriggers } from '../../lib/emulator';
import { TEST_AUTH_FLOWS } from './pool';

/** The test pool's default client flows, plus ALLOW_CUSTOM_AUTH. */
export const CUSTOM_FLOWS: ExplicitAuthFlowsType[] = [...(TEST_AUTH_FLOWS as ExplicitAuthFlowsType[]), 'ALLOW_CUSTOM_AUTH'];

/** The question's answer. */
export const QUESTION_ANSWER = 'blue';

/** Define / Create / Verify of the security question. */
export const QUESTION: EmulatorTriggers = {
  DefineAuthChallenge: (event: DefineAuthChallengeTriggerEvent) => {
    const rounds = event.request.session;
    const last = rounds.at(-1);
    const next = (challengeName: string) => ({ issueTokens: false, failAuthentication: false, challengeName });
    // SRP first: the password proof, then the question.
    if (last?.challengeName === 'SRP_A') event.response = next('PASSWORD_VERIFIER');
    else if (last?.challengeName === 'PASSWORD_VERIFIER') event.response = next('CUSTOM_CHALLENGE');
    else if (last?.challengeResult === true) event.response = { issueTokens: true, failAuthentication: false, challengeName: '' };
    else if (rounds.length >= 3) event.response = { issueTokens: false, failAuthentication: true, challengeName: '' };
    else event.response = next('CUSTOM_CHALLENGE');
    return event;
  },
  CreateAuthChallenge: (event: CreateAuthChallengeTriggerEvent) => {
    event.response = {
      publicChallengeParameters: { question: 'Favourite colour?' },
      privateChallengeParameters: { answer: QUESTION_ANSWER },
      challengeMetadata: `QUESTION-${event.request.session.length + 1}`,
    };
    return event;
  },
  VerifyAuthChallengeResponse: (event: VerifyAuthChallengeResponseTriggerEvent) => {
    event.response = { answerCorrect: event.request.challengeAnswer === event.request.privateChallengeParameters.answer };
    return event;
  },
};
