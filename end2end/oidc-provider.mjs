// A real OpenID provider on loopback for the portal's single sign-on tests (npm oidc-provider,
// its development sign-in page: whatever is typed as the login signs in as that account).
//
//   node end2end/oidc-provider.mjs [--port P] [--client-id ID] [--client-secret SECRET]
//
// prints `oidc issuer=http://127.0.0.1:P` once it listens. Each start signs with a new RSA key
// (a new `kid`), so restarting it on the same port is a key rotation.
//
// Test hooks, under /__test/ (this provider only ever runs on loopback in tests):
//   POST /__test/accounts   {"alice": {"email": …, "name": …, "groups": [...], "email_verified": true}}
//   POST /__test/sabotage?mode=audience|expired|unknown-key   spoils the next ID token issued
import http from "node:http";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";
import { SignJWT, decodeJwt, importJWK } from "jose";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};

const rsaKey = (kid) => ({
  ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
  kid,
  use: "sig",
  alg: "RS256",
});

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(option("port", "0")), "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const key = rsaKey(`k${Date.now()}`);
const accounts = {};
let sabotage = null;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: option("client-id", "portal"),
      client_secret: option("client-secret", "portal-secret"),
      // Checked below against loopback: the portal's port is chosen when it starts.
      redirect_uris: ["http://127.0.0.1/auth/oidc/callback"],
    },
  ],
  jwks: { keys: [key] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    groups: ["groups"],
  },
  cookies: { keys: [randomBytes(32).toString("base64url")] },
  conformIdTokenClaims: false,
  pkce: { required: () => true, methods: ["S256"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id] ?? {};
    return {
      accountId: id,
      async claims() {
        const claims = {
          sub: id,
          email: account.email ?? `${id}@sso.example`,
          email_verified: account.email_verified ?? true,
          name: account.name ?? id,
          groups: account.groups ?? [],
        };
        // `"groups": null` leaves the claim out, as a provider may.
        if (account.groups === null) delete claims.groups;
        return claims;
      },
    };
  },
  // The portal is first-party: no consent page.
  async loadExistingGrant(ctx) {
    const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (id) return ctx.oidc.provider.Grant.find(id);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile groups");
    await grant.save();
    return grant;
  },
});
provider.Client.prototype.redirectUriAllowed = function (uri) {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" && url.hostname === "127.0.0.1" && url.pathname === "/auth/oidc/callback";
  } catch {
    return false;
  }
};

const body = (ctx) =>
  new Promise((resolve) => {
    let text = "";
    ctx.req.on("data", (chunk) => (text += chunk));
    ctx.req.on("end", () => resolve(text));
  });

provider.use(async (ctx, next) => {
  if (ctx.path === "/__test/accounts" && ctx.method === "POST") {
    Object.assign(accounts, JSON.parse(await body(ctx)));
    ctx.body = "ok";
    return;
  }
  if (ctx.path === "/__test/sabotage" && ctx.method === "POST") {
    sabotage = ctx.query.mode;
    ctx.body = "ok";
    return;
  }
  await next();
  if (ctx.method === "POST" && ctx.path === "/token" && ctx.body?.id_token && sabotage) {
    const claims = decodeJwt(ctx.body.id_token);
    let signer = key;
    if (sabotage === "audience") claims.aud = "someone-else";
    if (sabotage === "expired") {
      claims.iat = Math.floor(Date.now() / 1000) - 7200;
      claims.exp = Math.floor(Date.now() / 1000) - 3600;
    }
    if (sabotage === "unknown-key") signer = rsaKey("unpublished");
    ctx.body = {
      ...ctx.body,
      id_token: await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: signer.kid })
        .sign(await importJWK(signer, "RS256")),
    };
    sabotage = null;
  }
});

server.on("request", provider.callback());
console.log(`oidc issuer=${issuer}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
