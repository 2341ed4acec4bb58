//! The OpenID provider the organization signs in with: its discovery document and keys (a read
//! cache in this instance's memory: the document is fetched again after an hour, the keys when
//! a token names one they lack, at most every 30 seconds), the authorization code flow with PKCE,
//! `state` and `nonce`, and the ID token's verification.

use std::time::Duration;

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, JsonWebKeySet, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

/// How the portal is registered at the provider (`serve --oidc-*`).
#[derive(Clone)]
pub struct SsoSettings {
    /// The issuer, exactly as the provider's discovery document spells it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// What the sign-in button calls the provider ("Sign in with …").
    pub name: String,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("name", &self.name)
            .finish()
    }
}

/// The claims beyond the standard ones the portal reads: the provider's groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GroupClaims {
    #[serde(default)]
    pub groups: Option<Vec<String>>,
}

impl AdditionalClaims for GroupClaims {}

type Fields = IdTokenFields<
    GroupClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type PortalClient = Client<
    GroupClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in begun at the provider, kept in the session until the provider sends the person
/// back (and then used up).
#[derive(Clone, Serialize, Deserialize)]
pub struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    /// Unix seconds.
    started_at: i64,
}

/// A sign-in left unfinished this long is refused.
pub const PENDING_SECS: i64 = 10 * 60;

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// `None` when the token carried no groups claim (a scope not granted, a provider that
    /// left it out): then roles and teams are left as they are, not taken away.
    pub groups: Option<Vec<String>>,
}

/// Why a sign-in through the provider was refused: what the person is told (never the
/// provider's details, which are logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No sign-in was started in this browser, or it is too old, or `state` does not match.
    NotStarted,
    /// The provider refused the code (used already, or not issued to us).
    CodeRefused,
    /// The ID token failed a check: signature, issuer, audience, expiry or nonce.
    TokenRefused,
    /// The provider could not be reached or answered nonsense.
    Unavailable,
    /// The person cancelled at the provider, or it reported an error.
    Cancelled,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotStarted => "That single sign-on link has expired or was not started in this browser. Please start again.",
            Self::CodeRefused | Self::TokenRefused => "Single sign-on failed: the identity provider's answer could not be verified. Please start again.",
            Self::Unavailable => "The identity provider cannot be reached just now. Please try again in a moment.",
            Self::Cancelled => "Single sign-on was cancelled at the identity provider.",
        }
    }

    /// For the audit log.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotStarted => "state",
            Self::CodeRefused => "code",
            Self::TokenRefused => "id_token",
            Self::Unavailable => "provider_unavailable",
            Self::Cancelled => "cancelled",
        }
    }
}

struct Discovered {
    metadata: CoreProviderMetadata,
    fetched_at: DateTime<Utc>,
    keys_fetched_at: DateTime<Utc>,
}

/// The provider, as one instance knows it.
pub struct Sso {
    pub settings: SsoSettings,
    http: reqwest::Client,
    discovered: RwLock<Option<Discovered>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The ID token signatures accepted.
const ASYMMETRIC: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The discovery document is fetched again after this many seconds.
const DOCUMENT_TTL_SECS: i64 = 3600;
/// The keys are fetched again for an unknown key id at most this often.
const KEYS_REFRESH_SECS: i64 = 30;

impl Sso {
    pub fn new(settings: SsoSettings) -> Result<Self, String> {
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| format!("--oidc-issuer is not a URL: {e}"))?;
        let url = issuer.url();
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            // Over plain http anyone on the way could read the client secret and swap the keys.
            return Err(
                "--oidc-issuer must be an https:// address (http:// only on loopback)".into(),
            );
        }
        let http = reqwest::Client::builder()
            // Following redirects from the provider's endpoints would let them send the portal
            // anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            settings,
            http,
            discovered: RwLock::new(None),
        })
    }

    async fn metadata(&self, now: DateTime<Utc>) -> Result<CoreProviderMetadata, Refusal> {
        if let Some(found) = self.discovered.read().await.as_ref() {
            if (now - found.fetched_at).num_seconds() < DOCUMENT_TTL_SECS {
                return Ok(found.metadata.clone());
            }
        }
        let issuer =
            IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| Refusal::Unavailable)?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|error| {
                tracing::error!(%error, "the identity provider's discovery failed");
                Refusal::Unavailable
            })?;
        *self.discovered.write().await = Some(Discovered {
            metadata: metadata.clone(),
            fetched_at: now,
            keys_fetched_at: now,
        });
        Ok(metadata)
    }

    /// The provider's keys fetched again (a token named a key we lack: they rotated), unless
    /// that was done in the last 30 seconds; `None` when it was.
    async fn refreshed_keys(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<CoreProviderMetadata>, Refusal> {
        let mut guard = self.discovered.write().await;
        let Some(found) = guard.as_mut() else {
            return Ok(None);
        };
        if (now - found.keys_fetched_at).num_seconds() < KEYS_REFRESH_SECS {
            return Ok(None);
        }
        let keys = JsonWebKeySet::fetch_async(found.metadata.jwks_uri(), &self.http)
            .await
            .map_err(|error| {
                tracing::error!(%error, "the identity provider's keys could not be fetched");
                Refusal::Unavailable
            })?;
        found.metadata = found.metadata.clone().set_jwks(keys);
        found.keys_fetched_at = now;
        Ok(Some(found.metadata.clone()))
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
        redirect: &str,
    ) -> Result<PortalClient, Refusal> {
        let redirect = RedirectUrl::new(redirect.to_owned()).map_err(|_| Refusal::Unavailable)?;
        Ok(PortalClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the person to sign in, and what to keep until they come back.
    pub async fn start(
        &self,
        redirect: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, Pending), Refusal> {
        let client = self.client(self.metadata(now).await?, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("groups".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                started_at: now.timestamp(),
            },
        ))
    }

    /// The person came back with `code` and `state`: checks `state` against `pending` (the
    /// session's, already taken out of it), redeems the code with the PKCE verifier, and
    /// verifies the ID token (signature with the provider's keys, issuer, audience, expiry at
    /// `now`, nonce).
    pub async fn finish(
        &self,
        redirect: &str,
        pending: Pending,
        state: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Identity, Refusal> {
        let fresh = now.timestamp() - pending.started_at <= PENDING_SECS;
        if !fresh || CsrfToken::new(pending.state.clone()) != CsrfToken::new(state.to_owned()) {
            return Err(Refusal::NotStarted);
        }
        let metadata = self.metadata(now).await?;
        let client = self.client(metadata, redirect)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|error| {
                tracing::error!(%error, "the identity provider has no token endpoint");
                Refusal::Unavailable
            })?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "the identity provider refused the code");
                Refusal::CodeRefused
            })?;
        let Some(token) = tokens.id_token() else {
            tracing::warn!("the identity provider sent no ID token");
            return Err(Refusal::TokenRefused);
        };
        let nonce = Nonce::new(pending.nonce.clone());
        let verify = |client: &PortalClient| {
            // Signed with the provider's published keys only: an HMAC with the client secret
            // (HS256), which a provider may advertise, would let anyone holding it mint tokens.
            let verifier = client
                .id_token_verifier()
                .set_allowed_algs(ASYMMETRIC.to_vec())
                .set_time_fn(move || now);
            token.claims(&verifier, &nonce).map(|claims| Identity {
                issuer: claims.issuer().to_string(),
                subject: claims.subject().to_string(),
                email: claims.email().map(|e| e.to_string()),
                email_verified: claims.email_verified().unwrap_or(false),
                name: claims
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.to_string()),
                groups: claims.additional_claims().groups.clone(),
            })
        };
        match verify(&client) {
            Ok(identity) => Ok(identity),
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys since we fetched them.
                let Some(metadata) = self.refreshed_keys(now).await? else {
                    tracing::warn!("an ID token named a key the provider does not publish");
                    return Err(Refusal::TokenRefused);
                };
                verify(&self.client(metadata, redirect)?).map_err(|error| {
                    tracing::warn!(%error, "an ID token failed verification");
                    Refusal::TokenRefused
                })
            }
            Err(error) => {
                tracing::warn!(%error, "an ID token failed verification");
                Err(Refusal::TokenRefused)
            }
        }
    }
}
