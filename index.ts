/**
 * express-cognito: Amazon Cognito User Pools for Express/Connect.
 *
 * Re-exports only. The emulator is published separately as `express-cognito/emulator`.
 */
export { Cognito, type AuthenticateOptions, type CustomAuthenticateOptions, type UserAuthenticateOptions } from './lib/cognito';
export { CognitoAccount, type CognitoProfile } from './lib/cognito-account';
export {
  type CodeDelivery,
  type SignUpResult,
  type SignUpOptions,
  type ConfirmSignUpOptions,
  type UserProfile,
} from './lib/account';
export { type CognitoUserRecord, type AdminCreateUserOptions } from './lib/account-admin';
export { type PasswordPolicy, type PasswordRequirement, passwordRequirement } from './lib/password-policy';
export {
  UsernameExistsError,
  AliasExistsError,
  PasskeyRefusedError,
  PasskeysNotEnabledError,
  PasskeyNotFoundError,
  ExpiredCodeError,
  LimitExceededError,
  UserNotFoundError,
  InvalidParameterError,
} from './lib/account-errors';
export { type CognitoUserOptions } from './lib/cognito-options';
export { type MfaTokens, type LoginFlow } from './lib/challenge';
export { type FirstFactor, type WebAuthnCredential } from './lib/challenge-handlers';
export { type Passkey, type UserAuthFactors } from './lib/passkeys';
export {
  resolveConfig,
  type CognitoOptions,
  type ResolvedConfig,
  type CognitoClientLike,
  DEFAULT_LEEWAY_SECONDS,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './lib/config';
export { type Clock, systemClock } from './lib/clock';
export {
  TokenVerifier,
  type TokenVerifierOptions,
  type VerifyOptions,
  type CognitoClaims,
  type CognitoClaimsBase,
  type IdTokenClaims,
  type AccessTokenClaims,
} from './lib/token-verifier';
export { JwksCache, getJwksCache, clearJwksCaches, type JwksCacheOptions, type JwksFetcher } from './lib/jwks-cache';
export {
  DEFAULT_TOKEN_CACHE_SIZE,
  DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS,
  type TokenCacheOptions,
} from './lib/verified-token-cache';
export {
  CognitoError,
  isCognitoError,
  ChallengeError,
  ForceChangePasswordError,
  MFAChallengeError,
  SoftwareTokenMFAChallengeError,
  SMSMFAChallengeError,
  MFASetupRequiredError,
  DeviceChallengeError,
  CustomChallengeError,
  SelectChallengeError,
  EmailOtpChallengeError,
  SmsOtpChallengeError,
  WebAuthnChallengeError,
  TokenVerificationError,
  JwksUnavailableError,
  JwksNotLoadedError,
  AuthenticationFailedError,
  RefreshTokenRejectedError,
  CodeMismatchError,
  ChallengeExpiredError,
  PasswordResetRequiredError,
  UserNotConfirmedError,
  InvalidPasswordError,
  ThrottledError,
  ServiceUnavailableError,
  NotAuthorizedError,
  CognitoServiceError,
  RedisUnavailableError,
  type TokenErrorCode,
  type ChallengeTokens,
} from './lib/errors';
export { COGNITO_ERROR_CODES, type CognitoErrorCode } from './lib/error-codes';
export { mapServiceError, type ServiceErrorContext } from './lib/service-errors';
export { secretHash } from './lib/secret-hash';
export { clientCredentials, type ClientCredentials, type ClientCredentialsOptions, type ClientCredentialsToken } from './lib/client-credentials';
export { generateTotp, verifyTotp, otpauthUri, base32Encode, base32Decode } from './lib/totp';
export { CognitoStrategy } from './strategies/cognito-strategy';
export { CognitoHostedStrategy, type CognitoHostedStrategyOptions, type CognitoHostedAuthenticateOptions } from './strategies/cognito-hosted-strategy';
export {
  type CognitoStrategyOptions,
  type CognitoTokens,
  type CognitoUser,
  type CognitoFailureInfo,
  type CognitoVerifyFunction,
  type CognitoVerifyFunctionWithRequest,
  type VerifyDone,
} from './strategies/types';
export { requireCognito, type RequireCognitoOptions, type CognitoMiddleware } from './middleware/require-cognito';
export { type CognitoRefusal, type RefusalHandler } from './middleware/refusal';
export { cognitoLogout, type CognitoLogoutOptions } from './middleware/cognito-logout';
export {
  cognitoAccount,
  accountFlash,
  type CognitoAccountOptions,
  type AccountFlash,
  type AccountRoute,
  type AnonymousRoute,
  type SignedInRoute,
  type AccountPage,
  type AccountRateLimit,
} from './middleware/cognito-account';
export {
  MemoryRateLimitStore,
  RedisRateLimitStore,
  type RateLimitStore,
  type RateLimitRule,
  type RateLimitHit,
  type RedisRateLimitStoreOptions,
} from './middleware/rate-limit';
export { cognitoPasskeys, type CognitoPasskeysOptions } from './middleware/cognito-passkeys';
export { PASSKEYS_CLIENT_JS } from './middleware/passkeys-client';
export { cognitoCsrf, csrfToken, CsrfTokenError, CSRF_SESSION_KEY, type CognitoCsrfOptions } from './middleware/cognito-csrf';
export {
  type RevocationStore,
  MemoryRevocationStore,
  defaultRevocationStore,
  type MemoryRevocationStoreOptions,
} from './middleware/revocation-store';
export { isSafeReturnTo } from './middleware/return-to';
export { RedisRevocationStore, type RedisRevocationStoreOptions } from './middleware/redis-revocation-store';
export { withRedisRefreshLock, type RedisRefreshLockOptions } from './middleware/redis-refresh-lock';
export { type RedisClientLike } from './middleware/redis-client';
export { type CognitoRequestContext, type CognitoClientContext, type CognitoContext } from './middleware/types';
