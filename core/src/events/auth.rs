//! Webhook authentication as pure functions over headers, the raw body bytes, the configured
//! secrets and "now" (webhooks.md §1–§4). Authenticate before parsing.
//!
//! | source | scheme |
//! | --- | --- |
//! | Beluga | shared secret in `Authorization: Bearer <s>` or `X-Webhook-Secret: <s>`, up to two secrets for rotation; optionally also HMAC-SHA256 of the raw body in a configured header (hex or base64) |
//! | LifeFile | HTTP Basic, per pharmacy (several credentials allowed for rotation) |
//! | DispensePro, OWN | Standard Webhooks `v1`: `webhook-id`, `webhook-timestamp`, `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`; secrets `whsec_<base64>`; ±5 minutes |
//!
//! ## Rules
//! - **Fail closed.** No secret configured refuses every request (`auth_not_configured`,
//!   HTTP 500: a configuration error, never "accept"). The one exception is an OWN or
//!   DispensePro pharmacy with `allow_unsigned = true` outside production; that request is
//!   accepted with `unsigned: true` and the warning `auth_unsigned_accepted` for the audit
//!   log. In production `allow_unsigned` is refused (`auth_unsigned_forbidden`).
//! - **Constant time.** Shared secrets and Basic credentials are compared as SHA-256 digests
//!   with an XOR fold (no early exit, no length leak); HMACs with `hmac`'s `verify_slice`.
//!   Every configured secret is tried, whichever matches.
//! - **Raw bytes.** Signatures are checked over the body exactly as received, never over
//!   re-serialised JSON.
//! - Every failure has its own code; messages name headers, never their values.

use super::{codes, Source};
use crate::issue::{Code, JsonPath, Violation};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Allowed distance between `webhook-timestamp` and now, either way (seconds).
pub const TOLERANCE_SECONDS: i64 = 300;

/// How a Beluga HMAC header encodes the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HmacEncoding {
    /// Lowercase or uppercase hex (an optional `sha256=` prefix is accepted).
    Hex,
    /// Standard base64 (an optional `sha256=` prefix is accepted).
    Base64,
}

/// The optional Beluga HMAC header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HmacHeader {
    /// The header's name.
    pub header: String,
    /// Its encoding.
    pub encoding: HmacEncoding,
}

/// A LifeFile Basic credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicCredential {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The route's authentication configuration (rxgate's own input: unknown fields rejected).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Beluga shared secrets (two during rotation), or Standard Webhooks `whsec_` secrets.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Beluga: verify an HMAC-SHA256 of the raw body in this header too.
    #[serde(default)]
    pub hmac: Option<HmacHeader>,
    /// LifeFile Basic credentials.
    #[serde(default)]
    pub credentials: Vec<BasicCredential>,
    /// OWN / DispensePro: accept unsigned requests (honoured only outside production).
    #[serde(default)]
    pub allow_unsigned: bool,
    /// The deployment is production (default true: the safe assumption).
    #[serde(default = "default_true")]
    pub production: bool,
}

fn default_true() -> bool {
    true
}

/// The scheme a route uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Beluga's shared secret (plus optional HMAC).
    SharedSecret,
    /// HTTP Basic.
    Basic,
    /// Standard Webhooks `v1`.
    StandardWebhooks,
}

impl Scheme {
    /// The scheme of a source.
    pub fn of(source: Source) -> Self {
        match source {
            Source::Beluga => Self::SharedSecret,
            Source::Lifefile => Self::Basic,
            Source::DispensePro | Source::Own => Self::StandardWebhooks,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::SharedSecret => "shared",
            Self::Basic => "Basic",
            Self::StandardWebhooks => "Standard Webhooks",
        }
    }
}

/// The verdict of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AuthOutcome {
    /// True when the request may be stored and processed.
    pub authenticated: bool,
    /// The scheme checked.
    pub scheme: Scheme,
    /// Accepted without a signature (`allow_unsigned` outside production): audit it.
    pub unsigned: bool,
    /// The HTTP status to answer on refusal: 500 for configuration errors, 401 otherwise
    /// (`null` when authenticated).
    pub http_status: Option<u16>,
    /// Why it was refused.
    pub violations: Vec<Violation>,
    /// Things for the audit log.
    pub warnings: Vec<Violation>,
}

/// A request's headers, looked up case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct Headers<'a>(pub &'a [(String, String)]);

impl Headers<'_> {
    /// The first value of a header, trimmed; blank counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Constant-time equality of two byte strings of any length: their SHA-256 digests are
/// compared with an XOR fold, so neither content nor length shortens the work.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let da = Sha256::digest(a);
    let db = Sha256::digest(b);
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The stored form of a service API key: the lowercase hex SHA-256 of the key. The service
/// keeps only this (keys are random 128-bit tokens, so a plain digest is enough) and looks a
/// presented key up by it; the key itself is never stored.
pub fn api_key_digest(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The Standard Webhooks signature of `{id}.{timestamp}.{body}` under `key`, as
/// `v1,<base64>` (used by tests and the sandbox to sign).
pub fn sign_standard(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Decodes a `whsec_<base64>` secret (the prefix is optional) into key bytes.
pub fn decode_standard_secret(secret: &str) -> Option<Vec<u8>> {
    let raw = secret.trim();
    let b64 = raw.strip_prefix("whsec_").unwrap_or(raw);
    STANDARD.decode(b64).ok().filter(|k| !k.is_empty())
}

struct Check {
    source: Source,
    scheme: Scheme,
    violations: Vec<Violation>,
    warnings: Vec<Violation>,
    config_error: bool,
}

impl Check {
    fn violation(&self, code: Code, params: &[(&str, &str)]) -> Violation {
        let mut all: Vec<(&str, &str)> = vec![
            ("source", self.source.label()),
            ("scheme", self.scheme.label()),
            ("tolerance", "300"),
        ];
        all.extend_from_slice(params);
        Violation::new(code, &JsonPath::root(), &all)
    }

    fn fail(&mut self, code: Code, params: &[(&str, &str)]) {
        let v = self.violation(code, params);
        self.violations.push(v);
    }

    fn config(&mut self, code: Code, params: &[(&str, &str)]) {
        self.config_error = true;
        self.fail(code, params);
    }

    fn finish(self, unsigned: bool) -> AuthOutcome {
        let authenticated = self.violations.is_empty();
        AuthOutcome {
            authenticated,
            scheme: self.scheme,
            unsigned,
            http_status: match (authenticated, self.config_error) {
                (true, _) => None,
                (false, true) => Some(500),
                (false, false) => Some(401),
            },
            violations: self.violations,
            warnings: self.warnings,
        }
    }
}

/// Authenticates one webhook request of `source` (see the module docs).
pub fn verify(
    source: Source,
    headers: Headers<'_>,
    body: &[u8],
    config: &AuthConfig,
    now: DateTime<Utc>,
) -> AuthOutcome {
    let mut check = Check {
        source,
        scheme: Scheme::of(source),
        violations: Vec::new(),
        warnings: Vec::new(),
        config_error: false,
    };
    let mut unsigned = false;
    match check.scheme {
        Scheme::SharedSecret => shared_secret(&mut check, headers, body, config),
        Scheme::Basic => basic(&mut check, headers, config),
        Scheme::StandardWebhooks => {
            unsigned = standard(&mut check, headers, body, config, now);
        }
    }
    check.finish(unsigned)
}

fn configured(secrets: &[String]) -> Vec<&str> {
    secrets
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}

fn shared_secret(check: &mut Check, headers: Headers<'_>, body: &[u8], config: &AuthConfig) {
    let secrets = configured(&config.secrets);
    if secrets.is_empty() {
        check.config(codes::AUTH_NOT_CONFIGURED, &[]);
        return;
    }
    let (header, presented) = match headers.get("authorization") {
        Some(value) => match bearer_token(value) {
            Some(token) => ("Authorization", Some(token)),
            None => {
                check.fail(
                    codes::AUTH_HEADER_MALFORMED,
                    &[
                        ("header", "Authorization"),
                        ("expected", "`Bearer <secret>`"),
                    ],
                );
                return;
            }
        },
        None => ("X-Webhook-Secret", headers.get("x-webhook-secret")),
    };
    let Some(presented) = presented else {
        check.fail(
            codes::AUTH_HEADER_MISSING,
            &[("header", "Authorization: Bearer or X-Webhook-Secret")],
        );
        return;
    };
    let matched = secrets.iter().fold(false, |acc, s| {
        acc | constant_time_eq(s.as_bytes(), presented.as_bytes())
    });
    if !matched {
        check.fail(codes::AUTH_SECRET_MISMATCH, &[("header", header)]);
        return;
    }
    if let Some(hmac) = &config.hmac {
        beluga_hmac(check, headers, body, hmac, &secrets);
    }
}

fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn beluga_hmac(
    check: &mut Check,
    headers: Headers<'_>,
    body: &[u8],
    hmac: &HmacHeader,
    secrets: &[&str],
) {
    let Some(value) = headers.get(&hmac.header) else {
        check.fail(codes::AUTH_HEADER_MISSING, &[("header", &hmac.header)]);
        return;
    };
    let value = value.strip_prefix("sha256=").unwrap_or(value);
    let decoded = match hmac.encoding {
        HmacEncoding::Hex => decode_hex(value),
        HmacEncoding::Base64 => STANDARD.decode(value).ok(),
    };
    let Some(signature) = decoded.filter(|s| s.len() == 32) else {
        let expected = match hmac.encoding {
            HmacEncoding::Hex => "a hex HMAC-SHA256 (64 hex digits)",
            HmacEncoding::Base64 => "a base64 HMAC-SHA256 (32 bytes)",
        };
        check.fail(
            codes::AUTH_HEADER_MALFORMED,
            &[("header", &hmac.header), ("expected", expected)],
        );
        return;
    };
    let matched = secrets.iter().fold(false, |acc, secret| {
        let ok = HmacSha256::new_from_slice(secret.as_bytes())
            .map(|mut mac| {
                mac.update(body);
                mac.verify_slice(&signature).is_ok()
            })
            .unwrap_or(false);
        acc | ok
    });
    if !matched {
        check.fail(codes::AUTH_SIGNATURE_MISMATCH, &[("header", &hmac.header)]);
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    let bytes = text.as_bytes();
    bytes
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

fn basic(check: &mut Check, headers: Headers<'_>, config: &AuthConfig) {
    let credentials: Vec<&BasicCredential> = config
        .credentials
        .iter()
        .filter(|c| !c.username.trim().is_empty() && !c.password.is_empty())
        .collect();
    if credentials.is_empty() {
        check.config(codes::AUTH_NOT_CONFIGURED, &[]);
        return;
    }
    let Some(value) = headers.get("authorization") else {
        check.fail(codes::AUTH_HEADER_MISSING, &[("header", "Authorization")]);
        return;
    };
    let decoded = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b64)| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((user, password)) = decoded
        .as_deref()
        .and_then(|text| text.split_once(':'))
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
    else {
        check.fail(
            codes::AUTH_HEADER_MALFORMED,
            &[
                ("header", "Authorization"),
                ("expected", "`Basic <base64 of user:password>`"),
            ],
        );
        return;
    };
    let matched = credentials.iter().fold(false, |acc, c| {
        let u = constant_time_eq(c.username.as_bytes(), user.as_bytes());
        let p = constant_time_eq(c.password.as_bytes(), password.as_bytes());
        acc | (u & p)
    });
    if !matched {
        check.fail(codes::AUTH_SECRET_MISMATCH, &[("header", "Authorization")]);
    }
}

/// Standard Webhooks; answers whether the request was accepted unsigned.
fn standard(
    check: &mut Check,
    headers: Headers<'_>,
    body: &[u8],
    config: &AuthConfig,
    now: DateTime<Utc>,
) -> bool {
    let secrets = configured(&config.secrets);
    if secrets.is_empty() {
        if !config.allow_unsigned {
            check.config(codes::AUTH_NOT_CONFIGURED, &[]);
        } else if config.production {
            check.config(codes::AUTH_UNSIGNED_FORBIDDEN, &[]);
        } else {
            let warning = check.violation(codes::AUTH_UNSIGNED_ACCEPTED, &[]);
            check.warnings.push(warning);
            return true;
        }
        return false;
    }
    let keys = decode_standard_keys(check, &secrets);
    if check.config_error {
        return false;
    }
    let id = headers.get("webhook-id");
    let timestamp = headers.get("webhook-timestamp");
    let signature = headers.get("webhook-signature");
    for (name, value) in [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp),
        ("webhook-signature", signature),
    ] {
        if value.is_none() {
            check.fail(codes::AUTH_HEADER_MISSING, &[("header", name)]);
        }
    }
    let (Some(id), Some(timestamp), Some(signature)) = (id, timestamp, signature) else {
        return false;
    };
    let Ok(ts) = timestamp.parse::<i64>() else {
        check.fail(
            codes::AUTH_HEADER_MALFORMED,
            &[
                ("header", "webhook-timestamp"),
                ("expected", "an integer of Unix seconds"),
            ],
        );
        return false;
    };
    let delta = now.timestamp().saturating_sub(ts);
    if delta > TOLERANCE_SECONDS {
        check.fail(codes::AUTH_TIMESTAMP_STALE, &[]);
    } else if delta < -TOLERANCE_SECONDS {
        check.fail(codes::AUTH_TIMESTAMP_FUTURE, &[]);
    }
    verify_standard_signature(check, &keys, [id, timestamp, signature], body);
    false
}

/// The HMAC keys of the configured `whsec_` secrets; an undecodable one is a configuration
/// error.
fn decode_standard_keys(check: &mut Check, secrets: &[&str]) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    for (index, secret) in secrets.iter().enumerate() {
        match decode_standard_secret(secret) {
            Some(key) => keys.push(key),
            None => {
                let number = (index + 1).to_string();
                check.config(
                    codes::AUTH_SECRET_INVALID,
                    &[
                        ("index", &number),
                        ("expected", "`whsec_` followed by base64"),
                    ],
                );
            }
        }
    }
    keys
}

/// Checks `webhook-signature` (space-separated `v1,<base64>`) against the HMAC of
/// `{id}.{timestamp}.{body}` under every key.
fn verify_standard_signature(
    check: &mut Check,
    keys: &[Vec<u8>],
    [id, timestamp, signature]: [&str; 3],
    body: &[u8],
) {
    let candidates: Vec<Vec<u8>> = signature
        .split(' ')
        .filter_map(|entry| entry.trim().strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .collect();
    let any_versioned = signature
        .split(' ')
        .any(|entry| entry.trim().split_once(',').is_some());
    if !any_versioned {
        check.fail(
            codes::AUTH_HEADER_MALFORMED,
            &[
                ("header", "webhook-signature"),
                ("expected", "space-separated `v1,<base64>` signatures"),
            ],
        );
        return;
    }
    let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    signed.extend_from_slice(id.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    let matched = keys.iter().fold(false, |acc, key| {
        candidates.iter().fold(acc, |acc, sig| {
            let ok = HmacSha256::new_from_slice(key)
                .map(|mut mac| {
                    mac.update(&signed);
                    mac.verify_slice(sig).is_ok()
                })
                .unwrap_or(false);
            acc | ok
        })
    });
    if !matched {
        check.fail(
            codes::AUTH_SIGNATURE_MISMATCH,
            &[("header", "webhook-signature")],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_published_signature() {
        // The Standard Webhooks libraries' signing test vector.
        let key = decode_standard_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let sig = key.and_then(|k| {
            sign_standard(
                &k,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#,
            )
        });
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn hex_decoding() {
        assert_eq!(decode_hex("0aFF"), Some(vec![10, 255]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}

/// The prefix of a patient portal token (version 1).
pub const PORTAL_TOKEN_PREFIX: &str = "rxp1";

/// Longest life of a patient portal token, in seconds (one hour).
pub const PORTAL_TOKEN_MAX_TTL_SECS: i64 = 3_600;

fn portal_mac(secret: &[u8], claims: &str) -> Option<Vec<u8>> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(PORTAL_TOKEN_PREFIX.as_bytes());
    mac.update(b".");
    mac.update(claims.as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// A patient portal token binding `patient_id` until `expires_at` (Unix seconds):
/// `rxp1.<base64url(patient id)>.<expires_at>.<base64url(HMAC-SHA256)>`, the MAC over
/// `rxp1.<base64url(patient id)>.<expires_at>` under `secret`. None for an empty secret or
/// patient id.
pub fn sign_portal_token(secret: &[u8], patient_id: &str, expires_at: i64) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    if secret.is_empty() || patient_id.trim().is_empty() {
        return None;
    }
    let claims = format!("{}.{expires_at}", URL_SAFE_NO_PAD.encode(patient_id));
    let mac = portal_mac(secret, &claims)?;
    Some(format!(
        "{PORTAL_TOKEN_PREFIX}.{claims}.{}",
        URL_SAFE_NO_PAD.encode(mac)
    ))
}

/// The patient id a portal token binds, when its MAC is `secret`'s (constant-time check)
/// and `now` (Unix seconds) is before its expiry and at most
/// [`PORTAL_TOKEN_MAX_TTL_SECS`] before it (a token claiming a longer life is refused).
pub fn check_portal_token(secret: &[u8], token: &str, now: i64) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let rest = token
        .trim()
        .strip_prefix(PORTAL_TOKEN_PREFIX)?
        .strip_prefix('.')?;
    let (claims, mac) = rest.rsplit_once('.')?;
    let expected = portal_mac(secret, claims)?;
    let presented = URL_SAFE_NO_PAD.decode(mac).ok()?;
    if secret.is_empty() || !constant_time_eq(&expected, &presented) {
        return None;
    }
    let (patient, expires_at) = claims.split_once('.')?;
    let expires_at: i64 = expires_at.parse().ok()?;
    if now >= expires_at || expires_at - now > PORTAL_TOKEN_MAX_TTL_SECS {
        return None;
    }
    let patient = String::from_utf8(URL_SAFE_NO_PAD.decode(patient).ok()?).ok()?;
    (!patient.trim().is_empty()).then_some(patient)
}

/// The answer of `check_portal_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PortalTokenCheck {
    /// The token is the secret's, unexpired and at most an hour ahead.
    pub valid: bool,
    /// The patient it binds, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<String>,
}

#[cfg(test)]
mod portal_token_tests {
    use super::{check_portal_token, sign_portal_token};

    #[test]
    fn a_token_binds_its_patient_until_it_expires() {
        let token = sign_portal_token(b"server-secret", "pat_A", 1_000).unwrap_or_default();
        assert_eq!(
            check_portal_token(b"server-secret", &token, 400).as_deref(),
            Some("pat_A")
        );
        assert_eq!(check_portal_token(b"server-secret", &token, 1_000), None);
        assert_eq!(check_portal_token(b"other-secret", &token, 400), None);
        // More than an hour of life left: not a token this service issued.
        assert_eq!(check_portal_token(b"server-secret", &token, -3_000), None);
        let forged = token.replace(".1000.", ".9000.");
        assert_eq!(check_portal_token(b"server-secret", &forged, 400), None);
        assert_eq!(sign_portal_token(b"", "pat_A", 1_000), None);
    }
}
