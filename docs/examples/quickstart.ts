// docs/examples/quickstart.ts: sign-in form, forced new password, guarded pages, logout, CSRF on every form.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { CognitoStrategy, cognitoCsrf, cognitoLogout, csrfToken, requireCognito, type CognitoFailureInfo } from 'express-cognito';

const secret = process.env.SESSION_SECRET;
if (!secret) throw new Error('SESSION_SECRET is not set: export a long random string (openssl rand -hex 32) to sign session cookies');

// COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (and COGNITO_CLIENT_SECRET, AWS_REGION, COGNITO_ENDPOINT) from the environment.
passport.use(new CognitoStrategy());
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user: Express.User, done) => done(null, user));

export const app = express();
app.use(express.urlencoded({ extended: false }));
// The default MemoryStore is for one process; in production use a shared store (connect-redis, …).
app.use(session({ secret, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' } }));
app.use(passport.initialize());
app.use(passport.session());
app.use(cognitoCsrf()); // every POST below must carry this session's token in `_csrf`

const esc = (s = ''): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const html = (body: string): string => `<!doctype html><meta charset="utf-8"><title>express-cognito quickstart</title>${body}`;
const alert = (message?: string): string => (message ? `<p role="alert">${esc(message)}</p>` : '');
const form = (req: Request, action: string, fields: string, button: string): string => `<form method="post" action="${action}">` +
  `<input type="hidden" name="_csrf" value="${esc(csrfToken(req))}">${fields} <button>${button}</button></form>`;
const loginForm = (req: Request, message?: string): string => html(alert(message) + form(req, '/login',
  '<input name="username" placeholder="Username" autocomplete="username" required> ' +
  '<input name="password" type="password" placeholder="Password" autocomplete="current-password" required>', 'Sign in'));
// The field that answers each sign-in step this app handles (example-app/ also does MFA setup and the MFA type choice).
const STEPS: Record<string, string> = {
  NEW_PASSWORD_REQUIRED: '<input name="newPassword" type="password" placeholder="New password" autocomplete="new-password" required>',
  SOFTWARE_TOKEN_MFA: '<input name="code" placeholder="Authenticator code" inputmode="numeric" autocomplete="one-time-code" required>',
  SMS_MFA: '<input name="code" placeholder="Code sent by SMS" inputmode="numeric" autocomplete="one-time-code" required>',
};

app.get('/login', (req, res) => {
  res.send(loginForm(req));
});
app.post('/login', (req, res, next) => {
  const done = (err: unknown, user: Express.User | false, info?: CognitoFailureInfo, status = 401): void => {
    if (err) return next(err);
    if (user) return req.logIn(user, (e) => (e ? next(e) : res.redirect(303, '/')));
    // A challenge is kept in the session: the next POST to /login answers it with the step's field.
    const step = info?.challenge ? STEPS[info.challenge] : undefined;
    res.status(status).send(step ? html(alert(info?.message) + form(req, '/login', step, 'Continue')) : loginForm(req, info?.message));
  };
  (passport.authenticate('cognito', done) as RequestHandler)(req, res, next);
});

app.get('/', requireCognito({ loginUrl: '/login' }), (req, res) => {
  res.send(html(`<p>Hello, ${esc(req.cognito!.username)}! <a href="/admin">Admin</a></p>${form(req, '/logout', '', 'Log out')}`));
});
app.get('/admin', requireCognito({ groups: ['admin'], loginUrl: '/login' }), (req, res) => {
  res.send(html(`<p>Admin area: ${esc(req.cognito!.username)} is in group admin.</p>`));
});
app.post('/logout', cognitoLogout({ redirect: '/login' }));

// A bad CSRF token (403) or Cognito unreachable (503) ends here: a short page, never a stack trace.
app.use((err: { status?: unknown; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
  const status = typeof err.status === 'number' ? err.status : 500;
  res.status(status).send(html(alert(status < 500 ? err.message : 'Something went wrong. Please try again.')));
});

// Listen when run directly (`npx tsx quickstart.ts`), not when a test imports `app`.
if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  app.listen(port, () => console.log(`Listening on http://localhost:${port}`));
}
