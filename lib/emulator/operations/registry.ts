/** Every operation the emulator answers, by `X-Amz-Target` operation name. */
import type { OperationSpec } from '../context';
import { adminUserOperations } from './admin-users';
import { attributeVerificationOperations } from './attribute-verification';
import { authFactorOperations } from './auth-factors';
import { authOperations } from './auth';
import { challengeOperations } from './challenges';
import { controlPlaneOperations } from './control-plane';
import { deviceOperations } from './devices';
import { identityProviderOperations } from './identity-providers';
import { lambdaConfigOperations } from './lambda-config';
import { listingOperations } from './listing';
import { mfaOperations } from './mfa';
import { oauthResourceOperations } from './oauth-resources';
import { refreshRotationOperations } from './refresh-rotation';
import { selfServiceOperations } from './self-service';
import { signOutOperations } from './sign-out';
import { userOperations } from './user';
import { webAuthnOperations } from './webauthn';

/** The operation table. */
export const operations: Readonly<Record<string, OperationSpec>> = Object.freeze({
  ...controlPlaneOperations,
  ...adminUserOperations,
  ...listingOperations,
  ...authOperations,
  ...challengeOperations,
  ...authFactorOperations,
  ...mfaOperations,
  ...signOutOperations,
  ...userOperations,
  ...deviceOperations,
  ...refreshRotationOperations,
  ...selfServiceOperations,
  ...attributeVerificationOperations,
  ...oauthResourceOperations,
  ...identityProviderOperations,
  ...lambdaConfigOperations,
  // After the control plane: it wraps SetUserPoolMfaConfig / GetUserPoolMfaConfig to add WebAuthnConfiguration.
  ...webAuthnOperations,
});
